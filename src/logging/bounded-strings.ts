/** The most characters of one logged string value; what is longer is cut, with its length noted. */
export const MAX_LOGGED_STRING = 512;

/**
 * A string value longer than {@link MAX_LOGGED_STRING} is cut. Refusals log what a request named (a
 * client id, a grant type, a parameter's name), and an anonymous request may make that 200 KB long:
 * without a bound one request writes a line of that size, and a flood fills the disk.
 */
export function boundLongString(key: string, value: unknown): unknown {
  return typeof value === 'string' && value.length > MAX_LOGGED_STRING
    ? `${value.slice(0, MAX_LOGGED_STRING)}… (${value.length} characters)`
    : value;
}
