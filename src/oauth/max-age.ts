/**
 * OIDC Core §3.1.2.1 `max_age`: the seconds that may have passed since the person last actively
 * authenticated; a non-negative integer, here of at most 12 digits. Anything else is an invalid request
 * (null). Values beyond 2^31 − 1 seconds (68 years) mean the same as that, and are stored as that.
 */
export const MAX_AGE_CEILING = 2_147_483_647;

export function parseMaxAge(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,12}$/.test(value)) return null;
  return Math.min(Number(value), MAX_AGE_CEILING);
}
