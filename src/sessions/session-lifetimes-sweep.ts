import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { DATABASE, type Database } from '../storage/database.js';
import { SessionRepository } from '../storage/session.repository.js';
import { SsoSessionRepository } from '../storage/sso-session.repository.js';

/** Tries of one realm's caps when PostgreSQL rolls them back for a concurrent rotation (SQLSTATE class 40). */
const TRIES = 3;

/**
 * `sessionMax` is the hard cap of a session (README). A session's end is fixed when it opens, so one
 * lowered in the config would bind only the sessions opened after it, and an operator who shortens it
 * after an incident expects it of every session. Each start caps every live SSO session of a realm at
 * its `sessionMax` from the login, then each client session at that and at its own creation, as
 * Keycloak checks its SSO Session Max against a session's start. Nothing is capped when nothing was
 * lowered; the refresh token a client holds then fails at the new end, as at any session's end.
 */
@Injectable()
export class SessionLifetimesSweep implements OnApplicationBootstrap {
  private readonly logger = new Logger('SessionLifetimes');

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DATABASE) private readonly db: Database,
    private readonly ssoSessions: SsoSessionRepository,
    private readonly sessions: SessionRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const realm of this.config.realms) {
      const capped = await this.capRealm(realm.name, realm.sessionMax);
      if (capped.ssoSessions + capped.sessions > 0)
        this.logger.warn({ realm: realm.name, ...capped, sessionMax: realm.sessionMax }, 'sessions shortened to the realm’s sessionMax');
    }
  }

  private async capRealm(realm: string, maxSeconds: number): Promise<{ ssoSessions: number; sessions: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => ({
          ssoSessions: await this.ssoSessions.capLifetimes(realm, maxSeconds, tx),
          sessions: await this.sessions.capLifetimes(realm, maxSeconds, tx),
        }));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt === TRIES || typeof code !== 'string' || !code.startsWith('40')) throw error;
      }
    }
  }
}
