import { z } from 'zod';

// Value schemas that more than one config section uses (clients, identity providers, realms, SAML limits).

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
export const scopeToken = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'is not a valid scope token');

/** The algorithms a realm signs tokens with (RFC 7518 §3.1, RFC 8037 §3.1). */
export const signingAlg = z.enum(['ES256', 'RS256', 'PS256', 'EdDSA']);

/**
 * An absolute http(s) URL, for what the service calls or sends a browser to. zod's `z.url()` alone
 * takes any scheme: `idp.example:443/sso` is a URL of the scheme `idp.example:`, which passed the
 * config and failed at the first login, fetch or delivery.
 */
export const httpUrl = z.url({
  protocol: /^https?$/,
  // Left out: the words every missing key gets (config.loader.ts).
  error: (issue) => (issue.input === undefined ? undefined : 'must be an http(s) URL such as https://host.example/path'),
});

/** The longest timer node keeps (2^31 - 1 ms): a longer setTimeout or AbortSignal.timeout fires after 1 ms. */
export const TIMER_MAX_MS = 2 ** 31 - 1;

/** A timer in milliseconds, at most {@link TIMER_MAX_MS}. */
export const timerMs = z
  .number()
  .int()
  .positive()
  .max(TIMER_MAX_MS, { error: `must be at most ${TIMER_MAX_MS} milliseconds (node takes a longer timer as 1 ms)` });

/** An inline JSON Web Key Set (RFC 7517 §5) with at least one key. */
export const jwksSchema = z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())).min(1) });

/** An integer in [min, max]; one message for every way a value can miss, naming what is expected. */
export function wholeNumber(min: number, max: number, message: string) {
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/** NSIS levels of assurance, lowest first (DOMAIN.md: the citizen realm requires Substantial). */
export const LEVELS_OF_ASSURANCE = ['Low', 'Substantial', 'High'] as const;
export type LevelOfAssurance = (typeof LEVELS_OF_ASSURANCE)[number];

/** Refuses each value of `values` seen before, at its index, naming `key`. */
export function reportDuplicates(values: string[], path: (string | number)[], key: string, ctx: z.RefinementCtx): void {
  values.forEach((value, index) => {
    if (values.indexOf(value) !== index) {
      ctx.addIssue({ code: 'custom', path: [...path, index, key], message: `duplicate ${key} "${value}"` });
    }
  });
}
