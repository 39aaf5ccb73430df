/** Nine digits passing the BSN eleven-test (weights 9…2 and −1; the sum is a multiple of 11). */
export function isBsn(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const digits = [...value].map(Number);
  const sum = digits.slice(0, 8).reduce((total, digit, i) => total + digit * (9 - i), 0) - digits[8]!;
  return sum % 11 === 0 && value !== '000000000';
}

/**
 * A CPR number as NemLog-in and the clinician profile carry it: ten digits, no separator. No
 * modulus-11 test, which CPR numbers issued since 2007 need not pass.
 */
export function isCprNumber(value: string): boolean {
  return /^\d{10}$/.test(value);
}

/**
 * Ten digits whose first six are a date, `ddmmyy`: what every CPR number is. No modulus-11 test,
 * which CPR numbers issued since 2007 need not pass.
 */
export function isCprShaped(value: string): boolean {
  const match = /^(\d{2})(\d{2})(\d{2})\d{4}$/.exec(value);
  if (!match) return false;
  const [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Any century: 2000 is a leap year, as 1900 is not; a 29 February of `00` is let through.
  const daysInMonth = new Date(Date.UTC(2000 + year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
}

/**
 * Whether `value` is a CPR or BSN, whole, as people and systems write one: its digits alone or
 * grouped (`ddmmyy-xxxx`, `123.456.782`), behind a prefix that names it (`cpr:`, a naming system and
 * `|`), or as the last segment of a URL's path or a query value (`…/persons/{cpr}`, `?cpr={cpr}`),
 * where an IdP's person URL puts it. A value that merely contains a run of digits (a UUID,
 * `user-123456789`) is not one: that is the log mask's broader question
 * (logging/national-identifiers.ts), where masking a number that was none costs little and refusing
 * someone for it would cost much.
 */
export function isNationalIdentifierShaped(value: string): boolean {
  const tail = value.slice(Math.max(...[':', '|', '/', '='].map((separator) => value.lastIndexOf(separator))) + 1);
  if (!/^\d[\d .-]*\d$/.test(tail)) return false;
  const digits = tail.replace(/[ .-]/g, '');
  return isBsn(digits) || isCprShaped(digits);
}
