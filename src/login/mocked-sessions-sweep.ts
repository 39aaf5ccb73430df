import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AuditTrail, type LogoutFacts } from '../audit/audit-trail.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { SessionRepository } from '../storage/session.repository.js';
import { SsoSessionRepository } from '../storage/sso-session.repository.js';
import { SingleLogoutService } from './single-logout.service.js';

/** SSO sessions (or sessions outside one) ended per transaction. */
const PAGE = 100;

/** The end reason of the sessions, and what their LOGOUTs say. */
const ENDED = 'mocked user in production';
const FACTS: LogoutFacts = { by: 'start', reason: 'mocked_user_in_production' };

/** What one sweep ended. */
export interface MockedSessionsEnded {
  ssoSessions: number;
  /**
   * Client sessions: those in the SSO sessions, the ones delegated from them by token exchange
   * included, and those outside one (whose delegated sessions end with them, uncounted).
   */
  sessions: number;
}

/**
 * Mocked users log in only outside production (broker.controller.ts; the config schema refuses them in
 * production), but their sessions are in the database: one that a development or test instance filled
 * and that is then started with `environment: production` would go on refreshing, introspecting and
 * exchanging made-up people's tokens until `sessionMax`. So a production start ends them before the
 * service answers anyone: every live SSO session of a mocked login with every client session in it
 * (SingleLogoutService.endSsoSessions), and a session of a release before SSO sessions with those
 * delegated from it (AuditTrail.endSession), each with its LOGOUT (`by: start`, reason
 * `mocked_user_in_production`) in the transaction that ends it, and its clients' back-channel logout
 * (migration 013). A session records the IdP of its login, and `mock`, that of mocked users, is no
 * IdP's alias in any environment (realm-config.schema.ts): no real login's session is touched. A
 * failure fails the start (fail closed); instances starting together each end what the others have
 * not (every end is conditional), and the next start goes on with what a failed one left.
 *
 * At start, not on each refresh: only an instance outside production opens such sessions, and one
 * that shares this database with a production instance also holds its signing keys (it decrypts them
 * with the same `keys.encryptionKey`, or does not start), so it could mint any token production
 * accepts; no check on the token paths would stop that. An access token already issued stays valid
 * for a resource server that verifies it offline until its `exp` (`accessTokenTtl`); introspection
 * and UserInfo answer it inactive, as for any ended session.
 */
@Injectable()
export class MockedSessionsSweep implements OnApplicationBootstrap {
  private readonly logger = new Logger('MockedSessions');

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly ssoSessions: SsoSessionRepository,
    private readonly sessions: SessionRepository,
    private readonly logout: SingleLogoutService,
    private readonly audit: AuditTrail,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.environment !== 'production') return;
    const ended = await this.sweep();
    if (ended.ssoSessions + ended.sessions === 0) return;
    // Counts only: no user, name or identifier (a mocked citizen's may be a real-looking CPR or BSN).
    this.logger.warn(
      { ...ended, reason: FACTS.reason },
      'sessions of mocked users ended: this database was used by a non-production instance',
    );
  }

  /** Ends every live session of a mocked user, in every realm; what this call ended. */
  async sweep(): Promise<MockedSessionsEnded> {
    const ended: MockedSessionsEnded = { ssoSessions: 0, sessions: 0 };
    // Each page leaves the live set, ended by this call or a concurrent one (an end is conditional on
    // the row not having ended), so each loop comes to its end.
    for (;;) {
      const page = await this.ssoSessions.liveOfMockedUsers(this.clock.now(), PAGE);
      if (page.length === 0) break;
      const { ssoSessions, clientSessions } = await this.logout.endSsoSessions(page, ENDED, FACTS);
      ended.ssoSessions += ssoSessions.length;
      ended.sessions += clientSessions.length;
    }
    for (;;) {
      const page = await this.sessions.liveOfMockedUsersOutsideSso(this.clock.now(), PAGE);
      if (page.length === 0) break;
      for (const id of page) {
        if (await this.audit.endSession(id, FACTS, (tx) => this.sessions.end(id, ENDED, this.clock.now(), tx))) ended.sessions++;
      }
    }
    return ended;
  }
}
