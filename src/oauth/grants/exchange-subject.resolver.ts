import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, epochSeconds, type Clock } from '../../common/clock.js';
import type { Realm } from '../../realms/realm.js';
import { TokenInspector } from '../../sessions/token-inspector.js';
import type { SessionRow } from '../../storage/session.repository.js';
import type { AccessTokenClaims } from '../../tokens/access-token.claims.js';
import { ExternalTokenVerifier } from '../../tokens/external-token.verifier.js';
import { OAuthError } from '../../protocol/oauth-error.js';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, TOKEN_TYPES, registeredOrOther } from '../../protocol/registered-values.js';
import { parseScope } from '../../protocol/scope.js';
import { sessionEndsAt } from '../../storage/session.repository.js';
import { sessionClaims } from '../../tokens/user-claims.js';
import { externalSubjectClaims } from './external-subject-claims.js';
import { contextOnRealmServer, onePatient } from './external-subject-context.js';
import { FhirGateways } from '../../fhir/fhir-gateways.js';
import { isKeySetUnavailable } from './exchange-subject.key-set.js';

/** The user claims an exchanged token keeps (DESIGN.md §3); everything else is issued afresh. */
const CARRIED_CLAIMS = [
  'sub',
  'sid',
  'auth_time',
  'acr',
  'user_type',
  'user_id',
  'fhirUser',
  'patient',
  'context',
  'realm_access',
  'act',
] as const;
/**
 * A machine's token (client credentials: no session) keeps no `realm_access`: its roles are the ones
 * configured for that client's own tokens (admin-auth.guard.ts honours them only where `sub` is the
 * `client_id`), not privileges another client may take on by presenting one. A person's roles, from
 * the contexts of the session, are delegated with the rest (RFC 8693 §1.1).
 */
const CARRIED_MACHINE_CLAIMS = CARRIED_CLAIMS.filter((name) => name !== 'realm_access');
/**
 * A person's claims that rest on the session's context, taken from the subject token's own session as
 * it is now rather than as the token saw it: a refresh that found a care team's membership ended took
 * the team and what rested on it out of the session (README, Contexts), and an exchange issues no more
 * than that refresh would, nor carries the withdrawn context on by exchanging older tokens. A delegated
 * session's context is its own copy, checked at its own refresh.
 */
const SESSION_CONTEXT_CLAIMS = ['patient', 'context', 'realm_access'] as const;
const CARRIED_TOKEN_CLAIMS = CARRIED_CLAIMS.filter((name) => !(SESSION_CONTEXT_CLAIMS as readonly string[]).includes(name));
/**
 * From an external issuer only who the subject is: never a `sid` (which would name one of our
 * sessions), roles or authentication facts it cannot vouch for here.
 */
const CARRIED_EXTERNAL_CLAIMS = ['sub', 'user_type', 'fhirUser', 'patient', 'context', 'act'] as const;

export interface ExchangeSubject {
  claims: Partial<AccessTokenClaims>;
  scopes: string[];
  tenant: string | undefined;
  mayAct?: { sub?: string; client_id?: string };
  /** The exchanged token may not live past this (epoch seconds). */
  notAfter: number;
  /** The subject token's live session (own access tokens of a user only). */
  session?: SessionRow;
  /** The client the subject token was issued to (own tokens only). */
  clientId?: string;
  /** The Patient a trusted issuer's token names, as an absolute URL on the realm's FHIR server (onePatient): for the audit trail. */
  patient?: string;
}

/**
 * The subject of a token exchange (RFC 8693 §2.1): a live access token of this realm (its session
 * not ended, not revoked — ID and refresh tokens are not access tokens), or a JWT of a trusted
 * external issuer. Any other token is `invalid_request` (§2.2.2); a trusted issuer whose key set cannot be
 * read, `temporarily_unavailable` (503).
 */
@Injectable()
export class ExchangeSubjectResolver {
  constructor(
    private readonly inspector: TokenInspector,
    private readonly external: ExternalTokenVerifier,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly fhir: FhirGateways,
  ) {}

  async resolve(realm: Realm, token: string, tokenType: string): Promise<ExchangeSubject> {
    if (tokenType === ACCESS_TOKEN_TYPE) return this.ownAccessToken(realm, token);
    if (tokenType === JWT_TOKEN_TYPE && realm.config.trustedIssuers.length > 0) return this.externalToken(realm, token);
    throw new OAuthError('invalid_request', `subject_token_type ${registeredOrOther(tokenType, TOKEN_TYPES)} not accepted`);
  }

  private async ownAccessToken(realm: Realm, token: string): Promise<ExchangeSubject> {
    const inspected = await this.inspector.liveAccessToken(realm, token);
    if (!inspected || inspected.kind !== 'access')
      throw new OAuthError('invalid_request', 'subject token is not a live access token of this realm');
    const { claims, session } = inspected;
    const notAfter = session ? sessionEndsAt(session) : claims.exp;
    return {
      claims: session
        ? { ...pick(claims, CARRIED_TOKEN_CLAIMS), ...pick(sessionClaims(session), SESSION_CONTEXT_CLAIMS) }
        : pick(claims, CARRIED_MACHINE_CLAIMS),
      scopes: parseScope(claims.scope),
      tenant: claims.organisation_agb,
      mayAct: claims.may_act as ExchangeSubject['mayAct'],
      notAfter,
      session,
      clientId: claims.client_id,
    };
  }

  private async externalToken(realm: Realm, token: string): Promise<ExchangeSubject> {
    const payload = await this.external.verify(realm, token).catch((error: unknown) => {
      // The issuer's keys out of reach say nothing of the token: the client may retry with it (exchange-subject.key-set.ts).
      if (isKeySetUnavailable(error)) throw new OAuthError('temporarily_unavailable', 'trusted issuer’s key set could not be read');
      throw new OAuthError('invalid_request', `external subject token rejected: ${(error as Error).message}`);
    });
    const { context, ...claims } = externalSubjectClaims(payload);
    const fhirBase = this.fhir.forRealm(realm.name).baseUrl;
    const placed = contextOnRealmServer(context, fhirBase);
    return {
      patient: onePatient(claims, placed, fhirBase),
      claims: pick({ ...claims, ...(placed ? { context: placed } : {}) } as Partial<AccessTokenClaims>, CARRIED_EXTERNAL_CLAIMS),
      scopes: parseScope(claims.scope),
      tenant: claims.organisation_agb,
      mayAct: claims.may_act,
      notAfter: Math.min(payload.exp!, epochSeconds(this.clock) + realm.config.accessTokenTtl),
    };
  }
}

function pick(claims: Partial<AccessTokenClaims>, names: readonly string[] = CARRIED_CLAIMS): Partial<AccessTokenClaims> {
  const carried: Record<string, unknown> = {};
  for (const name of names) if (claims[name] !== undefined) carried[name] = claims[name];
  return carried as Partial<AccessTokenClaims>;
}
