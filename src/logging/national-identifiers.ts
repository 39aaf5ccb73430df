/** What stands in a log line where a national identifier might have been. */
export const MASKED_DIGITS = '[digits masked]';

/**
 * A run of 9 digits (a Dutch BSN) or 10 (a Danish CPR) wherever it stands but inside a longer run
 * (pino's `time` has 13 digits): stuck to letters (`cpr0101011234`) or behind a percent-escape
 * (`%7C0101011234`, a SMART scope's identifier search; `%200101011234`, a space before it) as well; digits of any script (full-width ones
 * too). And as people write them: a CPR `ddmmyy-xxxx` with any dash or the minus sign, a space (a
 * no-break one too), `.`, `/`, `:`, `+`, `_`, or any of those but `.` and `_` percent-escaped, between;
 * or `dd mm yy xxxx`; a BSN `ddd ddd ddd`, `ddd.ddd.ddd` or `dddd.dd.ddd`. A space is also its escape
 * in the grouped forms: a path or query carries `111 222 333` as `111%20222%20333`
 * (encodeURIComponent), and the request log line and a
 * refused admin call's audit row (admin/admin-action.ts) keep the path as it came. An AGB code has 8
 * digits, as has a CVR number; an IPv4 address and a date have no group of 6.
 */
const D = '\\p{Nd}';
// A path is logged as it came, percent-escaped, so a dash or a no-break space beyond ASCII arrives as
// its UTF-8 bytes escaped: U+2010–2015 as %E2%80%90–%E2%80%95, U+2212 (minus) as %E2%88%92, U+00A0 as %C2%A0.
const ESCAPED_DASH = '%[eE]2%80%9[0-5]|%[eE]2%88%92';
const ESCAPED_NO_BREAK_SPACE = '%[cC]2%[aA]0';
const CPR_SEPARATOR = `(?:[-\\u2010-\\u2015\\u2212\\s./:+_]|%20|%2[bBdDfF]|%3[aA]|${ESCAPED_DASH}|${ESCAPED_NO_BREAK_SPACE})`;
const SPACE = `(?: |\\u00a0|%20|${ESCAPED_NO_BREAK_SPACE})`;
const NATIONAL_IDENTIFIER = new RegExp(
  // Not inside a longer run, nor a dotted one (an IPv4 address such as 192.168.100.123), nor inside a
  // percent-escape; an escape's hex digits (`%20`, `%28`, `%E2%80%93`) are no digits of the run after it.
  `(?<!%|(?<!%\\p{AHex})${D}|${D}\\.)(?:${D}{9,10}|${D}{6}${CPR_SEPARATOR}${D}{4}|` +
    `${D}{2}(?:[.-]|${SPACE})${D}{2}(?:[.-]|${SPACE})${D}{2}(?:-|${SPACE})${D}{4}|` +
    `${D}{3}(${SPACE}|\\.)${D}{3}\\1${D}{3}|${D}{4}\\.${D}{2}\\.${D}{3})(?!${D}|\\.${D})`,
  'u',
);
const EVERY_NATIONAL_IDENTIFIER = new RegExp(NATIONAL_IDENTIFIER.source, 'gu');

/**
 * The one value left as it is: the request id (`reqId`) when it has a random id's shape, a UUID (the
 * service's own, Envoy's) or 32 hex digits (nginx's `$request_id`). One UUID in forty has a run of 9
 * or 10 digits among its hex, and masking it would cut the thread that ties a request's lines to each
 * other and to the proxy's. Any other id a client sends (`X-Request-Id`) is masked as any value:
 * hex and hyphens alone would let `0101011234-1764892800123` through.
 */
const REQUEST_ID_KEY = 'reqId';
const RANDOM_ID = /^(?:\p{AHex}{8}-\p{AHex}{4}-\p{AHex}{4}-\p{AHex}{4}-\p{AHex}{12}|\p{AHex}{32})$/u;

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
    const fields = Object.entries(JSON.parse(line) as Record<string, unknown>).map(([key, value]) =>
      key === REQUEST_ID_KEY && typeof value === 'string' && RANDOM_ID.test(value) ? [key, value] : [masked(key), masked(value)],
    );
    return `${JSON.stringify(Object.fromEntries(fields))}\n`;
  } catch {
    // Not JSON after all (pino writes only JSON lines): mask every run in the text as it stands.
    return maskNationalIdentifiers(line);
  }
}

/** `text` with every CPR or BSN in it, as a digit run or as written, replaced by {@link MASKED_DIGITS}. */
export function maskNationalIdentifiers(text: string): string {
  return text.replace(EVERY_NATIONAL_IDENTIFIER, MASKED_DIGITS);
}

/**
 * A request id (`reqId`) where it is kept beside the log line: whole when it has a random id's shape,
 * as the line keeps it, else with any CPR or BSN masked. A client's `X-Request-Id` is taken as the id when
 * it has an id's shape (logging/logger.ts), and `010101-1234` has one: the audit trail records the id
 * as a refused login's reference (login-completion.service.ts), and holds no national identifier.
 */
export function maskedRequestId(id: string): string {
  return RANDOM_ID.test(id) ? id : maskNationalIdentifiers(id);
}

function masked(value: unknown): unknown {
  if (typeof value === 'string') return maskNationalIdentifiers(value);
  if (typeof value === 'number') return NATIONAL_IDENTIFIER.test(String(value)) ? MASKED_DIGITS : value;
  if (Array.isArray(value)) return value.map(masked);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [masked(key) as string, masked(field)]));
  }
  return value;
}
