import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { balpAuditEvent, type AuditEventFacts } from '../fhir/balp-audit-event.js';
import { FhirGateways } from '../fhir/fhir-gateways.js';
import { UnknownRealmError } from '../realms/unknown-realm.error.js';
import type { Realm } from '../realms/realm.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { AuditEventRepository, type NewAuditEvent } from '../storage/audit-event.repository.js';
import { DATABASE, DatabaseUnavailableError, type Database, type Queryable } from '../storage/database.js';
import { FhirAuditOutboxRepository } from '../storage/fhir-audit-outbox.repository.js';
import { SessionRepository, type SessionEvent } from '../storage/session.repository.js';
import type { EndedSso } from '../storage/sso-session.repository.js';
import type { AuditDetails, AuditEventType, LogoutBy } from './audit-event-type.js';
import { refusalFacts } from './audited-refusal.js';
import { attributeLogout, type LogoutAttribution } from './logout-attribution.js';

/** One audit event as the flows describe it; absent fields are stored as null. */
export interface AuditEvent {
  realm: string;
  type: AuditEventType;
  clientId?: string | null;
  /** The internal user id (`sub`), never a national identifier. */
  userId?: string | null;
  sessionId?: string | null;
  idpAlias?: string | null;
  /** The client address as Fastify sees it (`trustProxy` decides whether X-Forwarded-For counts). */
  ipAddress?: string | null;
  /** The AGB code the request acted for. */
  tenant?: string | null;
  /** Set for a failure: a reason code (Keycloak's `error`), never free text. */
  error?: string;
  details?: AuditDetails;
}

/** The end reason of a session delegated from one that ended (RFC 8693 token exchange). */
const DELEGATING_SESSION_ENDED = 'the session it was delegated from ended';

/** Who and from where, for a LOGOUT recorded by {@link AuditTrail.sessionEnded}. */
export interface LogoutFacts {
  by: LogoutBy;
  ipAddress?: string;
  /** The client that asked (an administrator's client, the client revoking, or the one another person logged in to). */
  actor?: string;
  /** Why, as a code (`code_replayed`, `refresh_token_reused`, `revoked`, `another_user_logged_in`). */
  reason?: string;
}

/** The events a realm with `audit: { fhir: true }` also sends to its FHIR server as AuditEvents (BALP). */
const FHIR_KINDS: Partial<Record<AuditEventType, AuditEventFacts['kind']>> = {
  LOGIN: 'login',
  LOGOUT: 'logout',
  TOKEN_EXCHANGE: 'token-exchange',
};

/**
 * The one way the flows write the audit trail (issue 13). An event that records a change is written
 * with the flows' transaction handle, so the change and its event commit together or not at all: no
 * login without its event. A refusal changes nothing and is recorded on its own; failing to record it
 * is logged and never replaces the refusal the client gets. For a realm that asks for them, a
 * successful login, logout or token exchange also queues its FHIR AuditEvent in the same transaction
 * (fhir-audit-delivery.service.ts sends it): a FHIR outage delays the AuditEvent, never the login.
 */
@Injectable()
export class AuditTrail {
  private readonly logger = new Logger('AuditTrail');

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly events: AuditEventRepository,
    private readonly sessions: SessionRepository,
    private readonly outbox: FhirAuditOutboxRepository,
    private readonly realms: RealmRegistry,
    private readonly gateways: FhirGateways,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A transaction for a change and its event (DESIGN.md §5: inside it use only `tx`, and call no FHIR). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async record(event: AuditEvent, db: Queryable = this.db): Promise<void> {
    const row = this.row(event);
    const resource = this.fhirAuditEvent(row);
    if (!resource) return this.events.insert(row, db);
    // The event and its FHIR AuditEvent go together: in the caller's transaction, or in one of their own.
    const write = async (tx: Queryable) => {
      await this.events.insert(row, tx);
      await this.outbox.enqueue(row.realm, resource, row.occurred_at, tx);
    };
    await (db === this.db ? this.db.transaction(write) : write(db));
  }

  /**
   * Rows of success events that the statement changing a session writes itself (a refresh's rotation,
   * session.repository.ts), committing with it in one round trip; the statement adds the session's user,
   * IdP and tenant. Only events a realm never sends to FHIR: those need the outbox, through {@link record}.
   */
  sessionEvents(events: Omit<AuditEvent, 'userId' | 'sessionId' | 'idpAlias' | 'tenant' | 'error'>[]): SessionEvent[] {
    return events.map((event) => {
      if (FHIR_KINDS[event.type])
        throw new Error(`${event.type} events are recorded with their FHIR AuditEvent, not by a session statement`);
      const { occurred_at, realm, type, client_id, ip_address, details } = this.row(event);
      return { occurred_at, realm, type, client_id, ip_address, details };
    });
  }

  /**
   * The LOGOUT of a session `db` has just ended: user, client, IdP and tenant are read from the session
   * in the same transaction, so whoever ended it need not know them.
   */
  async sessionEnded(sessionId: string, facts: LogoutFacts, db: Queryable = this.db): Promise<void> {
    const session = await this.sessions.find(sessionId, db);
    if (!session) return;
    await this.record(
      {
        realm: session.realm,
        type: 'LOGOUT',
        clientId: session.client_id,
        userId: session.user_id,
        sessionId,
        idpAlias: session.idp_alias,
        ipAddress: facts.ipAddress,
        tenant: session.tenant,
        details: {
          by: facts.by,
          reason: facts.reason,
          actor: facts.actor,
          patient: session.link.kind === 'patient' ? session.link.patient : undefined,
        },
      },
      db,
    );
  }

  /**
   * The LOGOUTs of an SSO session `db` has just ended with its client sessions: one per client session.
   * When none of them was still live, one of the SSO session itself (its id as `sessionId`, no client,
   * `sso_session: true`): it could still open client sessions without the IdP (single sign-on), so its
   * end is never without an event; one that had run out gets none, as expiry is not an event.
   */
  async ssoSessionEnded(ended: EndedSso, facts: LogoutFacts, db: Queryable): Promise<void> {
    for (const { id } of ended.clientSessions) await this.sessionEnded(id, facts, db);
    const { sso } = ended;
    if (ended.clientSessions.length > 0 || !sso.live) return;
    await this.record(
      {
        realm: sso.realm,
        type: 'LOGOUT',
        userId: sso.user_id,
        sessionId: sso.id,
        idpAlias: sso.idp_alias,
        ipAddress: facts.ipAddress,
        details: { by: facts.by, reason: facts.reason, actor: facts.actor, sso_session: true },
      },
      db,
    );
  }

  /**
   * Runs `end` (a session's end) and, when it ended the session, records its LOGOUT in the same
   * transaction; the sessions delegated from it end there too, each with its LOGOUT.
   */
  async endSession(sessionId: string, facts: LogoutFacts, end: (tx: Queryable) => Promise<boolean>): Promise<boolean> {
    return this.transaction(async (tx) => {
      // It and those delegated from it, before it ends: a rotation of one of them cannot hold one this waits for.
      await this.sessions.lockWithDelegated(sessionId, tx);
      const ended = await end(tx);
      if (!ended) return false;
      await this.sessionEnded(sessionId, facts, tx);
      // The sessions a portal was delegated from it (token exchange) end with it, each with its LOGOUT.
      const delegated = await this.sessions.endDelegatedFrom(sessionId, DELEGATING_SESSION_ENDED, this.clock.now(), tx);
      for (const id of delegated) await this.sessionEnded(id, facts, tx);
      return true;
    });
  }

  /**
   * The `_ERROR` event of a refused request, with the code the refusal carries (audited-refusal.ts);
   * when it names a session, the session's user and IdP too, so the refusal shows in the user's trail.
   */
  async refused(event: Omit<AuditEvent, 'error'>, cause: unknown): Promise<void> {
    // The database that failed the request would fail its record too, after one more timeout before the
    // answer leaves; the request's error log line is its trace (oauth-error.filter.ts).
    if (cause instanceof DatabaseUnavailableError) return;
    const facts = refusalFacts(cause);
    const sessionId = event.sessionId ?? facts.sessionId;
    const session = sessionId !== undefined && sessionId !== null ? await this.sessions.find(sessionId).catch(() => undefined) : undefined;
    const subject = { sessionId, userId: event.userId ?? facts.userId ?? session?.user_id, idpAlias: event.idpAlias ?? session?.idp_alias };
    await this.failed({ ...event, ...subject }, facts.error);
  }

  /** A failure that changed nothing, with its reason code; failing to record it is logged, never thrown. */
  async failed(event: Omit<AuditEvent, 'error'>, error: string): Promise<void> {
    try {
      await this.record({ ...event, error });
    } catch (cause) {
      this.logger.error({ err: cause, type: event.type }, 'audit event of a refusal not recorded');
    }
  }

  /** The realm of the config named so; undefined for one it no longer has. */
  private configuredRealm(name: string): Realm | undefined {
    try {
      return this.realms.get(name);
    } catch (error) {
      if (error instanceof UnknownRealmError) return undefined;
      throw error;
    }
  }

  /** The FHIR AuditEvent of a successful login, logout or token exchange of a user, where the realm asks for one. */
  private fhirAuditEvent(row: NewAuditEvent): object | undefined {
    const kind = FHIR_KINDS[row.type as AuditEventType];
    if (!kind || row.outcome !== 'success' || row.user_id === null || row.client_id === null) return undefined;
    // A mocked user's session that a production start ended (login/mocked-sessions-sweep.ts) is a
    // made-up person of a development or test instance, its patient a reference into that instance's
    // FHIR server: nothing for the access log of a production one. A session a start ended in a realm
    // configured no more has no FHIR server to go to. Their LOGOUT is in this trail.
    if (row.details.by === 'start' && row.details.reason === 'mocked_user_in_production') return undefined;
    const realm = this.configuredRealm(row.realm);
    if (!realm?.config.audit.fhir) return undefined;
    const { patient, audience } = row.details;
    const event = balpAuditEvent({
      kind,
      recorded: row.occurred_at,
      issuer: realm.issuer,
      realm: realm.name,
      userId: row.user_id,
      clientId: row.client_id,
      address: row.ip_address ?? undefined,
      patient: typeof patient === 'string' ? patient : undefined,
      audience: Array.isArray(audience) ? (audience as string[]) : undefined,
      fhirBase: this.gateways.forRealm(realm.name).baseUrl,
    });
    return kind === 'logout' ? attributeLogout(event, logoutAttribution(row, realm.issuer)) : event;
  }

  private row(event: AuditEvent): NewAuditEvent {
    return {
      occurred_at: this.clock.now(),
      realm: event.realm,
      type: event.type,
      outcome: event.error === undefined ? 'success' : 'failure',
      client_id: event.clientId ?? null,
      user_id: event.userId ?? null,
      session_id: event.sessionId ?? null,
      idp_alias: event.idpAlias ?? null,
      ip_address: event.ipAddress ?? null,
      tenant: event.tenant ?? null,
      error: event.error ?? null,
      details: withoutUndefined(event.details ?? {}),
    };
  }
}

/**
 * Who ended the session of a LOGOUT row ({@link AuditTrail.sessionEnded} always writes `by`): the
 * AuditEvent must name them, not the user (logout-attribution.ts).
 */
function logoutAttribution(row: NewAuditEvent, issuer: string): LogoutAttribution {
  const { by, actor, reason } = row.details;
  return {
    by: (by ?? 'user') as LogoutBy,
    issuer,
    actor: typeof actor === 'string' ? actor : undefined,
    idpAlias: row.idp_alias ?? undefined,
    reason: typeof reason === 'string' ? reason : undefined,
    address: row.ip_address ?? undefined,
  };
}

function withoutUndefined(details: AuditDetails): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
}
