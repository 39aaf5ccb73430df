/** What stands in a log line where a national identifier might have been. */
export const MASKED_DIGITS = '[digits masked]';

/**
 * A run of 9 digits (a Dutch BSN) or 10 (a Danish CPR), or a CPR as written `ddmmyy-xxxx`, standing
 * on its own: not part of a longer run (pino's `time` has 13 digits) or of a word. An AGB code has 8
 * digits, as has a CVR number; no group of a UUID has 9 or 10.
 */
const NATIONAL_IDENTIFIER = /(?<!\w)(?:\d{9,10}|\d{6}-\d{4})(?!\w)/;
const EVERY_NATIONAL_IDENTIFIER = new RegExp(NATIONAL_IDENTIFIER.source, 'g');

/**
 * The logger's last step (pino's `streamWrite` hook, on the finished JSON line): national identifiers
 * never reach a log line. The service's own lines name none, but a client may put one where the
 * service logs what a request named (a path, a client id, a parameter's name), at any depth of the
 * line, in its message or in a child logger's bindings. Each such run, in a key, a string or as a
 * number, becomes {@link MASKED_DIGITS}; now and then that masks a number that was none, which costs
 * a reader less than a CPR in a log costs its holder. A line without one, nearly every line, costs
 * one scan and passes as it is; one with a match is parsed, masked and written again.
 */
export function maskNationalIdentifiersInLine(line: string): string {
  if (!NATIONAL_IDENTIFIER.test(line)) return line;
  try {
    return `${JSON.stringify(masked(JSON.parse(line)))}\n`;
  } catch {
    // Not JSON after all (pino writes only JSON lines): mask every run in the text as it stands.
    return line.replace(EVERY_NATIONAL_IDENTIFIER, MASKED_DIGITS);
  }
}

function masked(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(EVERY_NATIONAL_IDENTIFIER, MASKED_DIGITS);
  if (typeof value === 'number') return NATIONAL_IDENTIFIER.test(String(value)) ? MASKED_DIGITS : value;
  if (Array.isArray(value)) return value.map(masked);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [masked(key) as string, masked(field)]));
  }
  return value;
}
