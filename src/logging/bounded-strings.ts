/** The most characters of one logged string value; what is longer is cut, with its length noted. */
export const MAX_LOGGED_STRING = 512;

/**
 * The logger's second `formatters.log` step: a string value longer than {@link MAX_LOGGED_STRING} is
 * cut, at the top of a logged object and one level down, on a copy. Refusals log what a request
 * named (a client id, a grant type, a parameter's name), and an anonymous request may make that
 * 200 KB long: without a bound one request writes a line of that size, and a flood fills the disk.
 * A line without long strings, nearly every line, costs one look at each value and passes as it is.
 */
export function boundLongStrings(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (typeof value === 'string') {
      if (value.length > MAX_LOGGED_STRING) (copy ??= { ...object })[key] = cut(value);
    } else if (key !== 'err' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const nested = boundedFields(value as Record<string, unknown>);
      if (nested !== value) (copy ??= { ...object })[key] = nested;
    }
  }
  return copy ?? object;
}

function boundedFields(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (typeof value === 'string' && value.length > MAX_LOGGED_STRING) (copy ??= { ...object })[key] = cut(value);
  }
  return copy ?? object;
}

function cut(value: string): string {
  return `${value.slice(0, MAX_LOGGED_STRING)}… (${value.length} characters)`;
}
