import { z } from 'zod';
import { sha256 } from '../common/constant-time.js';
import { httpUrl, jwksSchema, scopeToken, signingAlg } from './shared-values.schema.js';
import { verifyingKeyProblems } from './verifying-keys.js';

/** Grant types this service implements; later grants add themselves here. */
export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:token-exchange',
] as const;

/** The hex SHA-256 of a client secret, for config files that must not hold the secret itself. */
const secretDigest = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');

/** An AGB code: 8 digits (Vektis AGB register). */
const agbCode = z.string().regex(/^\d{8}$/, 'must be an 8-digit AGB code');

/** An origin exactly as a browser sends it (RFC 6454 §6.2: scheme, host, port; no path), or `+`. */
const webOrigin = z.string().refine((value) => value === '+' || isSerialisedOrigin(value), {
  message: 'must be an origin such as https://app.example (scheme, lower-case host, optional port; no path) or "+"',
});

function isSerialisedOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * A registered redirect URI (RFC 6749 §3.1.2; RP-Initiated Logout 1.0 §3 for the logout ones): an
 * absolute URI with no fragment ("MUST NOT include a fragment component"), whose query the service
 * keeps when it adds its parameters; not a scheme that would run in the browser instead of going
 * somewhere (`javascript:`, `data:`, `vbscript:`). Native apps' own schemes are allowed.
 */
const redirectUri = z.url('must be an absolute URI (RFC 6749 §3.1.2)').superRefine((value, context) => {
  // zod runs a refinement after a failed check too; `z.url()` has already said what is wrong then.
  if (!URL.canParse(value)) return;
  const url = new URL(value);
  // `#` alone too: an empty fragment leaves `url.hash` empty.
  if (value.includes('#')) context.addIssue({ code: 'custom', message: 'must not have a fragment (RFC 6749 §3.1.2)' });
  if (['javascript:', 'data:', 'vbscript:'].includes(url.protocol))
    context.addIssue({ code: 'custom', message: `must not be a ${url.protocol} URI` });
});

/**
 * A client of a realm (RFC 6749 §2): its credentials, redirect URIs, grants, scopes and token policy.
 * Kept beside config.schema.ts, which places it under `realms[].clients`.
 */
export const clientSchema = z
  .strictObject({
    clientId: z
      .string()
      .min(1)
      .regex(/^[\w.:-]+$/, 'may contain only letters, digits and . _ : -'),
    type: z.enum(['public', 'confidential']),
    /** Plain secret (normally `${VAR}`); hashed at load, never kept in clear. */
    secret: z.string().min(1).optional(),
    /** Hex SHA-256 of the secret, for config files that must not hold the secret itself. */
    secretSha256: secretDigest.optional(),
    /**
     * The secret being replaced, still accepted beside the new one until `until` (an ISO 8601 time with
     * its offset), so a client run by several instances can take the new secret one instance at a
     * time, as Keycloak's client secret rotation keeps a rotated secret until it expires.
     */
    previousSecret: z
      .strictObject({
        secret: z.string().min(1).optional(),
        secretSha256: secretDigest.optional(),
        until: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with its offset, such as 2027-01-31T12:00:00Z' }),
      })
      .optional(),
    /** Public keys for `private_key_jwt` (RFC 7523): inline JWKS or a path to a JWKS file. */
    jwks: jwksSchema.optional(),
    jwksFile: z.string().min(1).optional(),
    redirectUris: z.array(redirectUri).default([]),
    /** Where RP-initiated logout may send the browser afterwards (exact match). */
    postLogoutRedirectUris: z.array(redirectUri).default([]),
    /**
     * OIDC Dynamic Client Registration 1.0 §2 `id_token_signed_response_alg`: the algorithm of this
     * client's ID tokens, and of its logout tokens (OIDC Back-Channel Logout 1.0 §2.4: the keys of its
     * ID tokens), when it cannot take the realm's `signingAlg`: RS256 for a client library that
     * expects it by default (OIDC Core §3.1.3.7, item 7). The realm then keeps a key of that algorithm too.
     */
    idTokenSignedResponseAlg: signingAlg.optional(),
    /** OIDC Back-Channel Logout 1.0 §2.2: where a logout token is POSTed when one of its sessions ends. */
    backchannelLogoutUri: httpUrl.optional(),
    grantTypes: z.array(z.enum(GRANT_TYPES)).min(1),
    /** What the client may get; none listed: at the authorization endpoint, the realm's whole scope catalogue. */
    scopes: z.array(scopeToken).default([]),
    /**
     * Browser origins allowed to call the token, userinfo, revocation, introspection and account
     * endpoints (CORS), as Keycloak's "Web origins": `https://app.example`, or `+` for the origins
     * of the client's redirect URIs. Never logout: an app navigates there (cors.ts).
     */
    webOrigins: z.array(webOrigin).default([]),
    roles: z.array(z.string().min(1)).default([]),
    /** Its access tokens carry the citizen's national identifier (`bsn` or `cpr` claim), e.g. for an XIS. */
    nationalIdentifier: z.boolean().default(false),
    audience: z.array(z.string().min(1)).optional(),
    /** The organisations (AGB codes) it may act for, named in `organisation_agb`; machine clients only. */
    tenants: z.array(agbCode).default([]),
    /** RFC 8693 policy: the targets this client may exchange user tokens for. */
    tokenExchange: z
      .strictObject({
        audiences: z.array(z.string().min(1)).min(1),
        /** May it ask for a refresh token (`requested_token_type`), bound to the subject's session? */
        refreshTokens: z.boolean().default(false),
        /** Only subject tokens issued to these clients are exchanged (e.g. the patient-facing app). */
        subjectClients: z.array(z.string().min(1)).optional(),
      })
      .optional(),
  })
  .superRefine((client, ctx) => {
    for (const problem of verifyingKeyProblems(client.jwks?.keys ?? [])) ctx.addIssue({ code: 'custom', path: ['jwks'], message: problem });
    const credentials = [client.secret, client.secretSha256, client.jwks, client.jwksFile].filter((c) => c !== undefined);
    if (client.type === 'confidential' && credentials.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: 'a confidential client needs exactly one of secret, secretSha256, jwks, jwksFile',
      });
    }
    checkPreviousSecret(client, ctx);
    if (client.type === 'public' && credentials.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'a public client has no credentials' });
    }
    if (client.type === 'public' && client.grantTypes.some((g) => g !== 'authorization_code' && g !== 'refresh_token')) {
      ctx.addIssue({ code: 'custom', path: ['grantTypes'], message: 'a public client may only use authorization_code and refresh_token' });
    }
    // A delegated session's refresh token is refreshed by this client (RFC 8693 §2.2.1; RFC 6749 §6):
    // without the grant, each exchange would open a session and write its event for a token refused at its first use.
    if (client.tokenExchange?.refreshTokens && !client.grantTypes.includes('refresh_token')) {
      ctx.addIssue({
        code: 'custom',
        path: ['tokenExchange', 'refreshTokens'],
        message: 'refresh tokens from token exchange need refresh_token in grantTypes: without it the client could never use them',
      });
    }
    // A tenant is bound where a request names it in organisation_agb: client credentials and token
    // exchange (README, tenancy). A code is redeemed for a login (RFC 6749 §4.1), which names none: its
    // session has no tenant, so its tokens would carry none while its refreshes demanded the header.
    if (client.tenants.length > 0 && client.grantTypes.includes('authorization_code')) {
      ctx.addIssue({
        code: 'custom',
        path: ['tenants'],
        message:
          'tenants bind machine clients (client_credentials, token exchange) only: a login by authorization_code acts for no tenant, so its tokens would carry none while its refreshes demanded organisation_agb',
      });
    }
  });

export type ClientConfig = z.infer<typeof clientSchema>;
export type GrantType = (typeof GRANT_TYPES)[number];

/** A secret as configured: in plain (hashed here), or as its hex SHA-256. */
interface ConfiguredSecret {
  secret?: string;
  secretSha256?: string;
}

/** The SHA-256 a presented secret is compared with; undefined when neither form is configured. */
export function configuredSecretDigest(configured: ConfiguredSecret): Buffer | undefined {
  if (configured.secret !== undefined) return sha256(configured.secret);
  return configured.secretSha256 === undefined ? undefined : Buffer.from(configured.secretSha256, 'hex');
}

/** A previous secret replaces a secret: exactly one of its forms, not the current secret again. */
function checkPreviousSecret(client: ConfiguredSecret & { previousSecret?: ConfiguredSecret }, ctx: z.RefinementCtx): void {
  const previous = client.previousSecret;
  if (previous === undefined) return;
  if (client.secret === undefined && client.secretSha256 === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['previousSecret'],
      message: 'only a client authenticated by secret or secretSha256 has a previous secret',
    });
  }
  if ((previous.secret === undefined) === (previous.secretSha256 === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['previousSecret'], message: 'needs exactly one of secret, secretSha256' });
    return;
  }
  const current = configuredSecretDigest(client);
  if (current !== undefined && configuredSecretDigest(previous)!.equals(current)) {
    ctx.addIssue({ code: 'custom', path: ['previousSecret'], message: 'is the current secret: give the one being replaced' });
  }
}
