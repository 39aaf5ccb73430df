import { z } from 'zod';
import { brandingSchema } from './branding.schema.js';
import { realmAuditSchema } from './audit-config.schema.js';
import { clientSchema } from './client-config.schema.js';
import { identityProviderSchema } from './idp-config.schema.js';
import { serviceProviderSchema } from './saml-config.schema.js';
import { nationalIdentifierShapeProblem } from './national-identifier-systems.js';
import { checkPatientIdentifierSystem } from './patient-identifier-system.check.js';
import { httpUrl, jwksSchema, LEVELS_OF_ASSURANCE, reportDuplicates, scopeToken, signingAlg } from './shared-values.schema.js';
import { verifyingKeyProblems } from './verifying-keys.js';

/*
 * A realm's section of the configuration (`realms[]`): its tokens and sessions, keys, SAML service
 * provider and identity providers, clients, trusted issuers and mocked users. Kept beside
 * config.schema.ts, which places it under `realms`.
 */

/** An external token issuer trusted for token exchange; keys from its JWKS, algorithms allow-listed. */
const trustedIssuerSchema = z
  .strictObject({
    issuer: z.string().min(1),
    jwksUri: httpUrl.optional(),
    jwks: jwksSchema.optional(),
    algorithms: z.array(z.enum(['ES256', 'ES384', 'RS256', 'RS384', 'PS256', 'PS384', 'EdDSA'])).min(1),
    /** The `aud` its tokens must carry to be accepted here (default: this realm's issuer). */
    audience: z.string().min(1).optional(),
  })
  .refine((t) => (t.jwksUri === undefined) !== (t.jwks === undefined), {
    message: 'needs exactly one of jwksUri, jwks',
    path: ['jwksUri'],
  })
  .superRefine((t, ctx) => {
    for (const problem of verifyingKeyProblems(t.jwks?.keys ?? [])) ctx.addIssue({ code: 'custom', path: ['jwks'], message: problem });
  });

/** A mocked user (non-production): logs in without the national IdP through the same pipeline. */
const mockUserSchema = z.strictObject({
  username: z.string().regex(/^[\w.-]+$/, 'may contain only letters, digits and . _ -'),
  kind: z.enum(['citizen', 'clinician', 'generic']),
  name: z.strictObject({ given: z.array(z.string()).optional(), family: z.string().optional(), text: z.string().optional() }).optional(),
  /** Citizens: the social security number; its system is the realm's `patientIdentifierSystem`. */
  ssn: z.string().min(1).optional(),
  /**
   * Citizens: the EpisodeOfCare (logical id, R4 datatypes `id`) the login starts in — DOMAIN.md, mocked
   * users: "logs a citizen in by CPR (optionally with an episode of care)". Checked at each login as
   * the citizen's own choice of an episode is (fhir/citizen-episode.ts).
   */
  episodeOfCare: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,64}$/, 'must be the logical id of an EpisodeOfCare (R4 id: 1-64 of A-Z a-z 0-9 - .)')
    .optional(),
  /** Clinicians: identifiers of the Practitioner, the first one found by. */
  identifiers: z.array(z.strictObject({ system: z.string().min(1), value: z.string().min(1) })).default([]),
  organisations: z
    .array(z.strictObject({ system: z.string().min(1), value: z.string().min(1), roles: z.array(z.string()).default([]) }))
    .default([]),
  careTeams: z.array(z.strictObject({ id: z.string().min(1), roles: z.array(z.string()).default([]) })).default([]),
  loa: z.enum(LEVELS_OF_ASSURANCE).default('Substantial'),
});

export const realmSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9-]+$/, 'may contain only lowercase letters, digits and -'),
    accessTokenTtl: z.number().int().positive().max(3600).default(300),
    sessionIdle: z.number().int().positive().default(1800),
    sessionMax: z.number().int().positive().default(36000),
    signingAlg: signingAlg.default('ES256'),
    /** A PEM (PKCS#8) or JWK file holding this realm's signing key; omitted → generated and stored. */
    signingKeyFile: z.string().min(1).optional(),
    /** `aud` of access tokens when the client names none (RFC 9068 §3). Defaults to the issuer. */
    defaultAudience: z.string().min(1).optional(),
    patientIdentifierSystem: z.string().min(1).optional(),
    /** Assertions below this level of assurance are refused. */
    minimumLoa: z.enum(LEVELS_OF_ASSURANCE).optional(),
    serviceProvider: serviceProviderSchema.optional(),
    /** This realm's own FHIR server, when it is not the service-wide `fhir.baseUrl`. */
    fhir: z.strictObject({ baseUrl: httpUrl, bearerToken: z.string().min(1).optional() }).optional(),
    /** External issuers whose JWTs are accepted as token-exchange subject tokens (RFC 8693 §3 `jwt`). */
    trustedIssuers: z.array(trustedIssuerSchema).default([]),
    /** The realm's own scopes in its catalogue, beside the OIDC and SMART ones (e.g. `xis`). */
    scopes: z.array(scopeToken).default([]),
    identityProviders: z.array(identityProviderSchema).default([]),
    clients: z.array(clientSchema).default([]),
    mockUsers: z.array(mockUserSchema).default([]),
    /** This realm's operator, logo or privacy statement, where they differ from the service-wide `branding`. */
    branding: brandingSchema.optional(),
    audit: realmAuditSchema,
  })
  .superRefine((realm, ctx) => {
    if (realm.sessionIdle > realm.sessionMax) {
      ctx.addIssue({ code: 'custom', path: ['sessionIdle'], message: 'must not exceed sessionMax' });
    }
    reportDuplicates(
      realm.clients.map((c) => c.clientId),
      ['clients'],
      'clientId',
      ctx,
    );
    reportDuplicates(
      realm.identityProviders.map((i) => i.alias),
      ['identityProviders'],
      'alias',
      ctx,
    );
    reportDuplicates(
      realm.mockUsers.map((u) => u.username),
      ['mockUsers'],
      'username',
      ctx,
    );
    if (realm.identityProviders.length > 0 && !realm.serviceProvider) {
      ctx.addIssue({
        code: 'custom',
        path: ['serviceProvider'],
        message: 'a realm with identity providers needs a SAML service provider key and certificate',
      });
    }
    if (realm.identityProviders.some((i) => i.alias === 'mock')) {
      ctx.addIssue({ code: 'custom', path: ['identityProviders'], message: 'the alias "mock" is reserved for mocked users' });
    }
    checkPatientIdentifierSystem(realm, ctx);
    realm.mockUsers.forEach((user, u) => {
      if (user.kind === 'citizen' && (!user.ssn || !realm.patientIdentifierSystem)) {
        ctx.addIssue({
          code: 'custom',
          path: ['mockUsers', u, 'ssn'],
          message: 'a mocked citizen needs ssn, and the realm a patientIdentifierSystem',
        });
      }
      const nemLogIn = realm.identityProviders.some((idp) => idp.profile === 'oiosaml3-citizen');
      const shapeProblem =
        user.ssn && realm.patientIdentifierSystem && nationalIdentifierShapeProblem(realm.patientIdentifierSystem, user.ssn, nemLogIn);
      if (shapeProblem) ctx.addIssue({ code: 'custom', path: ['mockUsers', u, 'ssn'], message: shapeProblem });
      if (user.episodeOfCare !== undefined && user.kind !== 'citizen') {
        ctx.addIssue({
          code: 'custom',
          path: ['mockUsers', u, 'episodeOfCare'],
          message: 'only a mocked citizen logs in with an episode of care; a clinician chooses one with a care team (contexts)',
        });
      }
      if (user.kind === 'clinician' && user.identifiers.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['mockUsers', u, 'identifiers'],
          message: 'a mocked clinician needs at least one identifier',
        });
      }
    });
  });
