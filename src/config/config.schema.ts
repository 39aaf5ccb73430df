import proxyAddr from '@fastify/proxy-addr';
import { z } from 'zod';
import { brandingSchema } from './branding.schema.js';
import { auditSchema } from './audit-config.schema.js';
import { backchannelLogoutSchema } from './backchannel-logout.schema.js';
import { fhirSchema } from './fhir-config.schema.js';
import { refineAdminAudiences } from './admin-audiences.js';
import { realmSchema } from './realm-config.schema.js';
import { samlSchema } from './saml-config.schema.js';
import { httpUrl, reportDuplicates, signingAlg, TIMER_MAX_MS, wholeNumber } from './shared-values.schema.js';
import { PUBLISHED_DEMO_SECRET_DIGESTS } from './published-demo-secrets.js';

/**
 * The configuration file's shape (DESIGN.md §3). Every object is strict so that a misspelt key is
 * reported at boot with its path instead of being silently ignored.
 */

/**
 * A proxy trusted to name the client in `X-Forwarded-For`: an address, a CIDR (or address/netmask), or
 * one of `loopback`, `linklocal`, `uniquelocal`. Checked by the parser Fastify itself uses, so a typo
 * is refused here with its key rather than by a TypeError when the server is built.
 */
const trustedProxy = z
  .string()
  .min(1)
  .refine((value) => {
    try {
      proxyAddr.compile(value);
      return true;
    } catch {
      return false;
    }
  }, 'is not an IP address, a CIDR, or one of loopback, linklocal and uniquelocal');

/** A share of refusals recorded one by one in the audit trail per window (audit/bounded-refusal-audit.ts). */
const refusalAuditSchema = z
  .strictObject({
    windowSeconds: z.number().int().positive().default(60),
    /** From one client address (IPv6: one /64). */
    perAddress: z.number().int().positive().default(60),
    /** From all addresses together. */
    global: z.number().int().positive().default(6000),
  })
  .prefault({});

const POSTGRES_SCHEMES = ['postgres:', 'postgresql:'];

/**
 * `""` (embedded PGlite) or a PostgreSQL connection URL, the two storage/database.factory.ts opens:
 * refused here, so `config:check` refuses what the start would. Only the scheme is named: the URL may
 * carry a password. A postgres:// URL that does not parse (a port out of range, a password with an
 * unencoded `/`, `#` or `?`) is said to be that, not a wrong scheme.
 */
const databaseUrl = z
  .string()
  .default('')
  .superRefine((url, ctx) => {
    if (url === '') return;
    const parsed = URL.parse(url)?.protocol;
    // The scheme as written (RFC 3986 §3.1), for a URL that does not parse.
    const scheme = parsed ?? /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase().concat(':');
    if (parsed !== undefined && POSTGRES_SCHEMES.includes(parsed)) return;
    const expected = 'expected "" for embedded PGlite, or postgres:// / postgresql://';
    ctx.addIssue({
      code: 'custom',
      message:
        scheme !== undefined && POSTGRES_SCHEMES.includes(scheme)
          ? 'not a valid URL (check the port, and percent-encode special characters in the password)'
          : `unsupported scheme ${scheme === undefined ? '(not a URL)' : `"${scheme}//"`}; ${expected}`,
    });
  });

const SHUTDOWN_TIMEOUT_RANGE = 'must be a whole number of milliseconds from 1 to 2147483647 (there is no "no deadline")';

export const configSchema = z
  .strictObject({
    /** Absent means production: the safe checks apply unless a config says otherwise. */
    environment: z.enum(['development', 'test', 'production']).default('production'),
    /** The issuer's base (`{publicUrl}/realms/{realm}`): a path is kept (behind a proxy), a query or fragment never (OIDC Discovery 1.0 §3). */
    publicUrl: httpUrl
      .refine((u) => !/[?#]/.test(u), 'must have no query or fragment: it is the base of every issuer (OpenID Connect Discovery 1.0 §3)')
      .transform((u) => u.replace(/\/+$/, '')),
    port: z.number().int().min(0).max(65535).default(8080),
    /**
     * A second port for `/health/*` and `/metrics` (Keycloak's management interface, 9000): set, the
     * public port no longer serves `/metrics`, so only the monitoring network need reach them.
     */
    managementPort: z.number().int().min(0).max(65535).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    database: z
      .strictObject({
        url: databaseUrl,
        dataDir: z.string().min(1).default('data/pglite'),
        /** PostgreSQL: the wait for a connection (a new one, or a pooled one when all are busy); default 5. */
        connectTimeoutSeconds: z.number().int().min(1).max(60).optional(),
        /** PostgreSQL: the longest a request's statement may run, or wait for a lock, before it is cancelled; default 10. */
        statementTimeoutSeconds: z.number().int().min(1).max(600).optional(),
      })
      .prefault({}),
    /**
     * Reverse proxies whose `X-Forwarded-For` names the client address (Fastify `trustProxy`): their
     * addresses or CIDRs (a load balancer whose addresses change: its subnet). `true` takes the header's
     * first address, which the client writes itself wherever a proxy appends to the header rather than
     * replacing it: refused in production. (Fastify 5 no longer trusts a hop count.) Without any, every
     * client behind a proxy shares the proxy's rate limit.
     */
    trustProxy: z.union([z.boolean(), z.array(trustedProxy).min(1)]).default(false),
    /** What anonymous traffic may cost (issue 15). */
    limits: z
      .strictObject({
        /**
         * Requests to the authorization endpoint, the broker login page (the mock login) and the ACS per
         * window, counted by each instance on its own: behind N instances a client may get N times these.
         */
        loginRate: z
          .strictObject({
            windowSeconds: z.number().int().positive().default(60),
            /** From one client address (IPv6: one /64). */
            perAddress: z.number().int().positive().default(300),
            /** From all addresses together. */
            global: z.number().int().positive().default(6000),
          })
          .prefault({}),
        /** Pending logins kept in the database, by all instances together; beyond it the oldest is dropped first. */
        pendingLogins: z.number().int().positive().default(20000),
        /**
         * Refused token requests (client authentications and grants), and refused non-browser logouts
         * (a refresh token POSTed to the logout endpoint), recorded one by one in the audit trail per window, counted by each instance on its own; the rest are counted into one summary event per
         * realm and address (and one per realm for all addresses) per window. The refusal itself is never limited.
         */
        tokenRefusalAudit: refusalAuditSchema,
        /**
         * Browser logins refused before anything in them is the person's (an answer posted by another
         * browser than the one that started the login; a mocked login's answer to no pending login),
         * recorded one by one per window as tokenRefusalAudit's, with a share of their own.
         */
        loginRefusalAudit: refusalAuditSchema,
        /**
         * How long a client may take to send a whole request, headers and body, before the connection is
         * closed with 408 (node's `server.requestTimeout`, the total time, not an idle time; Fastify leaves
         * it unlimited). Without it, a client that declares a body and never sends it holds its connection
         * open for ever. Long enough for the largest body on a poor link: 8 MB to the embedded FHIR
         * server at 1 Mbit/s, a 256 KB SAML post at far less. Headers alone get at most 60 s.
         */
        requestTimeoutSeconds: z.number().int().positive().max(600).default(120),
        /**
         * Connections the public port holds at once (node's `server.maxConnections`); one more is closed
         * as it arrives. Idle sockets cost a file descriptor each, and 20,000 held open by one client took
         * every descriptor the process had, its database's and FHIR server's connections too. This keeps
         * the process able to reach them; limiting each client's connections is the reverse proxy's job.
         */
        maxConnections: z.number().int().positive().default(10000),
      })
      .prefault({}),
    /**
     * After SIGTERM/SIGINT, how long in-flight requests may take before the process exits anyway. Not 0,
     * which reads as "no deadline" elsewhere, nor above TIMER_MAX_MS, which node takes as 1 ms:
     * either way the deadline would pass before anything closed, and every stop would exit 1.
     */
    shutdownTimeoutMs: wholeNumber(1, TIMER_MAX_MS, SHUTDOWN_TIMEOUT_RANGE).default(10000),
    keys: z.strictObject({
      /**
       * Encrypts stored private signing keys and what sessions keep of a national identifier (AES-256-GCM),
       * and keys the digests users are found by (login/external-id-digest.ts); at least 32 characters.
       * It stays the one a database was first used with: under another, stored keys cannot be decrypted
       * and every returning person would be a new user.
       */
      encryptionKey: z.string().min(32, 'must be at least 32 characters'),
    }),
    fhir: fhirSchema,
    saml: samlSchema,
    /** Who runs the service, on the pages a citizen sees (operator name, logo, privacy statement). */
    branding: brandingSchema.optional(),
    audit: auditSchema,
    backchannelLogout: backchannelLogoutSchema,
    realms: z.array(realmSchema).min(1),
  })
  .superRefine((config, ctx) => {
    reportDuplicates(
      config.realms.map((r) => r.name),
      ['realms'],
      'name',
      ctx,
    );
    config.realms.forEach((realm, r) => refineAdminAudiences(config.publicUrl, realm, r, ctx));
    // Both listen on HOST: the second would fail at start with EADDRINUSE, naming no key.
    if (config.managementPort !== undefined && config.managementPort !== 0 && config.managementPort === config.port) {
      ctx.addIssue({
        code: 'custom',
        path: ['managementPort'],
        message: `must differ from port (${config.port}): it serves /metrics apart from the public port`,
      });
    }
    if (config.environment === 'production') refineProduction(config, ctx);
  });

export type Config = z.infer<typeof configSchema>;
export type RealmConfig = Config['realms'][number];
export type SigningAlg = z.infer<typeof signingAlg>;
export type ServiceProviderConfig = NonNullable<RealmConfig['serviceProvider']>;
export type MockUserConfig = RealmConfig['mockUsers'][number];
export type TrustedIssuerConfig = RealmConfig['trustedIssuers'][number];

/**
 * What production forbids: an http issuer, mocked users, the embedded FHIR server, the demo key, short
 * secrets, keys fetched over plain http. (The repository's test keys, in whatever file:
 * config.loader.ts, which reads the files. What it allows but warns of: production-warnings.ts.)
 */
function refineProduction(config: Config, ctx: z.RefinementCtx): void {
  // The issuer of every token and the base of every endpoint; the SSO and login cookies are Secure, and
  // codes and tokens would cross the network in the clear (OIDC Core §3.1.2.1, Discovery §3: https).
  if (URL.parse(config.publicUrl)?.protocol !== 'https:') {
    ctx.addIssue({
      code: 'custom',
      path: ['publicUrl'],
      message: 'must be an https URL in production: it is the issuer of every token (OpenID Connect Discovery 1.0 §3)',
    });
  }
  if (config.trustProxy === true) {
    ctx.addIssue({
      code: 'custom',
      path: ['trustProxy'],
      message:
        "true takes X-Forwarded-For's first address, which a client writes itself behind a proxy that appends to the header (rate limits and the audit trail would see any address it likes): give the proxies' addresses or CIDRs",
    });
  }
  if (config.fhir.baseUrl === 'embedded') {
    ctx.addIssue({ code: 'custom', path: ['fhir', 'baseUrl'], message: 'the embedded FHIR server is refused in production' });
  }
  if (/demo|insecure|change-?me/i.test(config.keys.encryptionKey)) {
    ctx.addIssue({ code: 'custom', path: ['keys', 'encryptionKey'], message: 'a demo key is refused in production' });
  }
  config.realms.forEach((realm, r) => {
    if (realm.mockUsers.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['realms', r, 'mockUsers'], message: 'mocked users are refused in production' });
    }
    realm.identityProviders.forEach((idp, i) => {
      // Plain http metadata could be rewritten on the way; only its signature would show it.
      if (idp.metadataUrl?.startsWith('http:') && idp.metadataSigningCertificate === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['realms', r, 'identityProviders', i, 'metadataUrl'],
          message: 'an http (not https) metadataUrl needs metadataSigningCertificate in production',
        });
      }
    });
    realm.trustedIssuers.forEach((issuer, t) => {
      // Its keys verify token-exchange subject tokens (RFC 8693 §2.1): keys swapped on the way would let
      // whoever swapped them act for any patient. An https URL, or the keys written in the config (jwks).
      if (URL.parse(issuer.jwksUri ?? '')?.protocol === 'http:') {
        ctx.addIssue({
          code: 'custom',
          path: ['realms', r, 'trustedIssuers', t, 'jwksUri'],
          message: 'an http (not https) jwksUri is refused in production: give an https URL, or the keys as jwks',
        });
      }
    });
    realm.clients.forEach((client, c) => {
      refineProductionSecret(client, ['realms', r, 'clients', c], ctx);
      if (client.previousSecret) refineProductionSecret(client.previousSecret, ['realms', r, 'clients', c, 'previousSecret'], ctx);
    });
  });
}

/** A client's secret, or the one it replaces: long, and not a digest of a secret the demo config publishes. */
function refineProductionSecret(
  configured: { secret?: string; secretSha256?: string },
  at: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  if (configured.secret !== undefined && configured.secret.length < 32) {
    ctx.addIssue({ code: 'custom', path: [...at, 'secret'], message: 'must be at least 32 characters in production' });
  }
  const demo = configured.secretSha256 === undefined ? undefined : PUBLISHED_DEMO_SECRET_DIGESTS.get(configured.secretSha256);
  if (demo !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [...at, 'secretSha256'],
      message: `the digest of the demo config's ${demo} secret, published with this repository's source, is refused in production`,
    });
  }
}
