/**
 * The security contract says national identifiers and names never reach a log line. Every test
 * server checks its own lines against it when it closes (test-server.ts), so a new log statement
 * anywhere in a flow the suite runs cannot leak one unnoticed. Written apart from the service's own
 * mask (src/logging/national-identifiers.ts), so that a mistake there fails here.
 *
 * - A national identifier: a run of 9 digits (a BSN) or 10 (a CPR), or a CPR written `ddmmyy-xxxx`.
 *   pino's `time` (epoch milliseconds, 13 digits) is left out, so nothing there can hide one.
 * - A name: one the tests give a person, in the test config, the demo seed and the SAML attributes
 *   the tests send (support/saml/saml-attributes.ts), matched as whole words and case-sensitively.
 */
const NATIONAL_IDENTIFIER = /(?<!\w)(?:\d{9,10}|\d{6}-\d{4})(?!\w)/;
const NAMES = /\b(?:Alice|Andersen|Karen|Jensen|Nancy|Berggren|Hanne|Hansen|Olsen)\b/;

/** The lines among `lines` (pino's JSON lines) that hold a national identifier or a person's name. */
export function linesWithPersonalData(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    const { time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const text = JSON.stringify(rest);
    return NATIONAL_IDENTIFIER.test(text) || NAMES.test(text);
  });
}
