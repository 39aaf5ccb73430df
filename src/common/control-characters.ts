/**
 * C0 controls (NUL, CR, LF, TAB …), DEL and the C1 controls. PostgreSQL refuses NUL in text, and
 * none of them belongs in a protocol parameter, a resource id or a log line: input holding one is
 * refused at the edge, before it reaches SQL, a FHIR URL or a redirect.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}
