/**
 * The security contract says national identifiers and names never reach a log line. Every test
 * server checks its own lines against it when it closes (test-server.ts), so a new log statement
 * anywhere in a flow the suite runs cannot leak one unnoticed. Written apart from the service's own
 * mask (src/logging/national-identifiers.ts), so that a mistake there fails here.
 *
 * - A national identifier: a run of 9 digits (a BSN) or 10 (a CPR) of any script, or a CPR written
 *   `ddmmyy-xxxx` or `ddmmyy xxxx`, whatever stands beside it (letters, a percent-escape). pino's
 *   `time` (epoch milliseconds, 13 digits) is left out, so nothing there can hide one, and so are
 *   UUIDs (request ids), whose hex may hold such a run.
 * - A name: one the tests give a person, in the test config, the demo seed and the SAML attributes
 *   the tests send (support/saml/saml-attributes.ts), matched as whole words and case-sensitively.
 */
const UUIDS = /[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}/gi;
const DIGIT_RUNS = /\p{Nd}+/gu;
const CPR_WITH_SEPARATOR = /(?:^|\P{Nd})\p{Nd}{6}[- ]\p{Nd}{4}(?:\P{Nd}|$)/u;

const NAMES = /\b(?:Alice|Andersen|Karen|Jensen|Nancy|Berggren|Hanne|Hansen|Olsen)\b/;

function holdsNationalIdentifier(text: string): boolean {
  const withoutUuids = text.replace(UUIDS, '');
  const runs = withoutUuids.match(DIGIT_RUNS) ?? [];
  return runs.some((run) => run.length === 9 || run.length === 10) || CPR_WITH_SEPARATOR.test(withoutUuids);
}

/** The lines among `lines` (pino's JSON lines) that hold a national identifier or a person's name. */
export function linesWithPersonalData(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    const { time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const text = JSON.stringify(rest);
    return holdsNationalIdentifier(text) || NAMES.test(text);
  });
}
