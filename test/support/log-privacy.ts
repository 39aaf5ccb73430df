/**
 * The security contract says national identifiers and names never reach a log line. Every test
 * server checks its own lines against it when it closes (test-server.ts), so a new log statement
 * anywhere in a flow the suite runs cannot leak one unnoticed. Written apart from the service's own
 * mask (src/logging/national-identifiers.ts), so that a mistake there fails here.
 *
 * - A national identifier, modelled apart from the mask: every run of digit groups joined by single
 *   separators (space, dash, `.`, `/`, `:`, `+`, `_`, or one of those percent-escaped; any other
 *   escape, `%22` or `%28`, parts runs and is part of none) is taken
 *   apart into its groups' lengths; a group of 9 digits (a BSN) or 10 (a CPR), of any script, or
 *   consecutive groups of 6+4 (`ddmmyy-xxxx`), 2+2+2+4, 3+3+3 or 4+2+3 (a BSN as written) is one,
 *   wherever it stands. Four or more groups joined by dots are an IPv4 address or an OID. pino's `time`
 *   (epoch milliseconds, 13 digits) is left out, so nothing there can hide one, and so is a request id
 *   (`reqId`) of a random id's shape (a UUID, 32 hex digits), whose hex may hold such a run.
 * - A name: one the tests give a person, in the test config, the demo seed and the SAML attributes
 *   the tests send (support/saml/saml-attributes.ts), matched as whole words and case-sensitively.
 */
const DIGIT_GROUPS = /\p{Nd}+(?:[\s./:+_\-\u2010-\u2015]\p{Nd}+)*/gu;
const SHAPES = new Set(['6,4', '2,2,2,4', '3,3,3', '4,2,3']);
const RANDOM_REQUEST_ID = /^(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|[0-9a-f]{32})$/i;

const NAMES = /\b(?:Alice|Andersen|Karen|Jensen|Nancy|Berggren|Hanne|Hansen|Olsen)\b/;

function holdsNationalIdentifier(text: string): boolean {
  const unescaped = text.replace(/%2[0bBdDfF]|%3[aA]/g, ' ').replace(/%\p{AHex}{2}/gu, '#');
  for (const [run] of unescaped.matchAll(DIGIT_GROUPS)) {
    const lengths = run.split(/\P{Nd}/u).map((group) => [...group].length);
    if (lengths.some((length) => length === 9 || length === 10)) return true;
    if (lengths.length >= 4 && /^[\p{Nd}.]+$/u.test(run)) continue;
    for (let from = 0; from < lengths.length; from++)
      for (let to = from + 2; to <= lengths.length; to++) if (SHAPES.has(lengths.slice(from, to).join(','))) return true;
  }
  return false;
}

/** The lines among `lines` (pino's JSON lines) that hold a national identifier or a person's name. */
export function linesWithPersonalData(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    const { time: _time, reqId, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const text = JSON.stringify(typeof reqId === 'string' && RANDOM_REQUEST_ID.test(reqId) ? rest : { reqId, ...rest });
    return holdsNationalIdentifier(text) || NAMES.test(text);
  });
}
