import { z } from 'zod';

/**
 * A URL that may stand in a Content-Security-Policy source list as it is (CSP 3 §2.3.1): the logo
 * is allowed by its exact address, so it must carry no separator a header could be split on.
 */
const cspSafeUrl = z
  .url({ protocol: /^https?$/ })
  .refine((url) => !/[\s;,'"]/.test(url), 'must not contain whitespace, quotes, ";" or ","');

/**
 * Who runs the service, as the pages a citizen sees say it: the operator's name, a logo and the
 * privacy statement. At the top level for every realm; a realm's own `branding` replaces single keys.
 */
export const brandingSchema = z.strictObject({
  operatorName: z.string().min(1).max(120).optional(),
  logoUrl: cspSafeUrl.optional(),
  privacyUrl: z.url({ protocol: /^https?$/ }).optional(),
});

export type BrandingConfig = z.infer<typeof brandingSchema>;
