/** What stands in a log line where a national identifier might have been. */
export const MASKED_DIGITS = '[digits masked]';

/**
 * A run of 9 digits (a Dutch BSN) or 10 (a Danish CPR), or a CPR as written `ddmmyy-xxxx` or
 * `ddmmyy xxxx`, wherever it stands but inside a longer run (pino's `time` has 13 digits): stuck to
 * letters (`cpr0101011234`) or behind a percent-escape (`%7C0101011234`, a SMART scope's identifier
 * search) as well. Digits of any script count (full-width ones too). An AGB code has 8 digits, as
 * has a CVR number.
 */
const NATIONAL_IDENTIFIER = /(?<!\p{Nd})(?:\p{Nd}{9,10}|\p{Nd}{6}[- ]\p{Nd}{4})(?!\p{Nd})/u;
/**
 * A UUID (a request id, a token's `jti`) is passed over whole: one in fifty has a run of 9 or 10
 * digits among its hex, and masking it would break the request id that ties a request's lines.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-z])/;
const EVERY_NATIONAL_IDENTIFIER = new RegExp(`(${UUID.source})|${NATIONAL_IDENTIFIER.source}`, 'giu');
const maskedUnlessUuid = (text: string) => text.replace(EVERY_NATIONAL_IDENTIFIER, (_match, uuid?: string) => uuid ?? MASKED_DIGITS);

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
    return maskedUnlessUuid(line);
  }
}

function masked(value: unknown): unknown {
  if (typeof value === 'string') return maskedUnlessUuid(value);
  if (typeof value === 'number') return NATIONAL_IDENTIFIER.test(String(value)) ? MASKED_DIGITS : value;
  if (Array.isArray(value)) return value.map(masked);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [masked(key) as string, masked(field)]));
  }
  return value;
}
