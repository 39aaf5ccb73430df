import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Realm } from '../realms/realm.js';
import { SsoSessionService } from '../sessions/sso-session.service.js';
import { AuditEventRepository } from '../storage/audit-event.repository.js';
import type { Queryable } from '../storage/database.js';
import { SessionRepository, type SessionRow } from '../storage/session.repository.js';
import { SsoSessionRepository } from '../storage/sso-session.repository.js';
import { UserRepository } from '../storage/user.repository.js';
import { adminAction } from './admin-action.js';

/** Keycloak's `UserSessionRepresentation`, as far as this service knows it (no user names here). */
export interface UserSessionRepresentation {
  id: string;
  userId: string;
  ipAddress?: string;
  /** Epoch milliseconds. */
  start: number;
  lastAccess: number;
  rememberMe: false;
  /** Keycloak maps client UUIDs to client ids; here the id is the client id. */
  clients: Record<string, string>;
}

const ENDED_BY_ADMIN = 'ended by an administrator';

/**
 * What an administrator may do with sessions: list a user's live sessions, end them all, end one.
 * Every ending writes a LOGOUT (`by: admin`) per session and the ADMIN_ACTION in the transaction that
 * ends them; the sessions' refresh tokens then fail and their access tokens introspect inactive,
 * on every instance, since liveness is read from the database (token-inspector.ts).
 */
@Injectable()
export class SessionAdminService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly ssoSessions: SsoSessionRepository,
    private readonly ssoSessionService: SsoSessionService,
    private readonly events: AuditEventRepository,
    private readonly users: UserRepository,
    private readonly audit: AuditTrail,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Keycloak's `GET /users/{id}/sessions`; undefined for a user the realm does not have (404, as Keycloak's "User not found"). */
  async userSessions(request: FastifyRequest, userId: string): Promise<UserSessionRepresentation[] | undefined> {
    const realm = request.oauthRealm!;
    const live = await this.sessions.findLiveOfUser(realm.name, userId, this.clock.now());
    if (live.length === 0 && !(await this.users.exists(realm.name, userId))) {
      await this.audit.failed(adminAction(request, 'READ', `users/${userId}/sessions`, { userId }), 'not_found');
      return undefined;
    }
    const logins = await this.events.loginsOf(
      realm.name,
      userId,
      live.map((session) => session.id),
    );
    const addressOf = new Map(logins.map((login) => [login.session_id, login.ip_address]));
    await this.audit.record(adminAction(request, 'READ', `users/${userId}/sessions`, { userId }));
    return live.map((session) => representation(realm, session, addressOf.get(session.id) ?? undefined));
  }

  /**
   * Keycloak's `POST /users/{id}/logout`: every live client session of the user ends, and every SSO
   * session of theirs, so no browser of theirs gets a new code without logging in again; returns how
   * many client sessions ended, or undefined for a user the realm does not have (404, as Keycloak).
   */
  async logoutUser(request: FastifyRequest, userId: string): Promise<number | undefined> {
    const realm = request.oauthRealm!;
    if (!(await this.users.exists(realm.name, userId))) {
      await this.audit.failed(adminAction(request, 'ACTION', `users/${userId}/logout`, { userId }), 'not_found');
      return undefined;
    }
    return this.audit.transaction(async (tx) => {
      const now = this.clock.now();
      // The sessions end before the SSO sessions: locked first in the order a rotation locks them.
      await this.sessions.lockAllOfUser(realm.name, userId, tx);
      const ended = await this.sessions.endAllOfUser(realm.name, userId, ENDED_BY_ADMIN, now, tx);
      const browsers = await this.ssoSessions.endAllOfUser(realm.name, userId, ENDED_BY_ADMIN, now, tx);
      for (const { id } of ended) await this.audit.sessionEnded(id, this.logoutFacts(request), tx);
      // An SSO session none of whose client sessions was still live opens new ones without the IdP until
      // it ends: its end is a LOGOUT of its own, as every other end of an SSO session records
      // (AuditTrail.ssoSessionEnded), not only a count in the ADMIN_ACTION.
      const withClientSessions = new Set(ended.map((session) => session.sso_session_id));
      for (const sso of browsers) {
        if (!withClientSessions.has(sso.id)) await this.audit.ssoSessionEnded({ sso, clientSessions: [] }, this.logoutFacts(request), tx);
      }
      const details = { sessions: ended.length, sso_sessions: browsers.length };
      await this.audit.record(adminAction(request, 'ACTION', `users/${userId}/logout`, { userId, details }), tx);
      return ended.length;
    });
  }

  /**
   * Keycloak's `DELETE /sessions/{id}`, which removes the user session, that is the browser's SSO
   * session (OIDC Core §3.1.2.3: the OP answers from it, so ending only the client session would let
   * the same browser get a new code at once, `prompt=none` included): a session opened in an SSO
   * session ends with it and every client session in it. A session delegated by token exchange
   * (RFC 8693, `parent_id`) is no browser's: it ends on its own. Sessions delegated from an ended one
   * end explicitly too: they would die silently with their parent (session.statements.ts), without
   * their LOGOUT and their clients' back-channel logout (OIDC Back-Channel Logout 1.0 §2.5), which
   * the end of each row queues (migration 013). False when the realm has no such live session.
   */
  async endSession(request: FastifyRequest, sessionId: string): Promise<boolean> {
    const realm = request.oauthRealm!;
    const now = this.clock.now();
    const session = await this.sessions.findLive(sessionId, now);
    if (!session || session.realm !== realm.name) {
      await this.audit.failed(adminAction(request, 'DELETE', `sessions/${sessionId}`, { sessionId }), 'not_found');
      return false;
    }
    return this.audit.transaction(async (tx) => {
      // It, those delegated from it and its SSO session, locked first (session.statements.ts). A browser's session ends
      // its whole SSO session too: held, that keeps rotations of the other client sessions in it waiting.
      await this.sessions.lockWithDelegated(session.id, tx);
      const { ended, ssoSessions } = await this.endWithBrowser(session, now, tx);
      for (const id of [...ended]) ended.push(...(await this.sessions.endDelegatedFrom(id, ENDED_BY_ADMIN, now, tx)));
      for (const id of ended) await this.audit.sessionEnded(id, this.logoutFacts(request), tx);
      const details = { sessions: ended.length, sso_sessions: ssoSessions };
      const event = adminAction(request, 'DELETE', `sessions/${sessionId}`, { userId: session.user_id, sessionId, details });
      // Another request ended it since it was looked up: the answer is a 404, and so is its event.
      const endedIt = ended.includes(sessionId);
      await this.audit.record(endedIt ? event : { ...event, error: 'not_found' }, tx);
      return endedIt;
    });
  }

  /**
   * Ends `session` and, when it was opened in a browser's SSO session, that SSO session and every
   * client session in it; returns the sessions this call ended and how many SSO sessions (0 or 1).
   * A delegated session carries its parent's `sso_session_id` (SessionService.openDelegated), but
   * revoking a portal's delegation must not log the patient out of their browser and apps.
   */
  private async endWithBrowser(session: SessionRow, now: Date, tx: Queryable): Promise<{ ended: string[]; ssoSessions: number }> {
    if (!session.sso_session_id || session.parent_id !== null) return { ended: await this.endOne(session.id, now, tx), ssoSessions: 0 };
    // Exactly the client sessions the ending UPDATE ended get their LOGOUT (SsoSessionService).
    const inSso = await this.ssoSessionService.endWithClientSessions(session.sso_session_id, ENDED_BY_ADMIN, tx);
    return { ended: inSso?.clientSessions.map((ended) => ended.id) ?? [], ssoSessions: inSso ? 1 : 0 };
  }

  private async endOne(sessionId: string, now: Date, tx: Queryable): Promise<string[]> {
    return (await this.sessions.end(sessionId, ENDED_BY_ADMIN, now, tx)) ? [sessionId] : [];
  }

  private logoutFacts(request: FastifyRequest) {
    return { by: 'admin', actor: request.oauthClient!.clientId, ipAddress: request.ip } as const;
  }
}

/**
 * `lastAccess` is not stored: a session's idle end is set `sessionIdle` after its last refresh, so the
 * last refresh is that end minus `sessionIdle` (earlier when `sessionMax` capped the idle end).
 */
function representation(realm: Realm, session: SessionRow, ipAddress: string | undefined): UserSessionRepresentation {
  const start = session.created_at.getTime();
  const lastAccess = Math.max(start, session.idle_expires_at.getTime() - realm.config.sessionIdle * 1000);
  return {
    id: session.id,
    userId: session.user_id,
    ...(ipAddress ? { ipAddress } : {}),
    start,
    lastAccess,
    rememberMe: false,
    clients: { [session.client_id]: session.client_id },
  };
}
