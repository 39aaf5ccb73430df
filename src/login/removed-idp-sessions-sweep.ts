import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { LogoutFacts } from '../audit/audit-trail.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { SsoSessionRepository } from '../storage/sso-session.repository.js';
import { MOCK_ALIAS } from './idp-redirector.js';
import { SingleLogoutService } from './single-logout.service.js';

/** SSO sessions ended per transaction. */
const PAGE = 100;

const ENDED = 'identity provider no longer configured';
const FACTS: LogoutFacts = { by: 'start', reason: 'identity_provider_not_configured' };

/**
 * A session lives on the trust in the IdP that logged its person in. An IdP taken out of a realm's
 * config (or renamed: sessions and the IdP's logout are found by its alias), or a realm taken out,
 * would leave its SSO sessions refreshing, answering `prompt=none` and exchanging tokens until
 * `sessionMax`, and the IdP's LogoutRequest for them would find nothing to end. So every start ends
 * the live SSO sessions of a login at an IdP (realm and alias) the config does not have, each with its
 * client sessions, LOGOUT (`by: start`, reason `identity_provider_not_configured`) and back-channel
 * logout, as the mocked users' sweep does in production (mocked-sessions-sweep.ts), which keeps those
 * of the mocked users there. A failure fails the start (fail closed); instances starting together each
 * end what the others have not.
 */
@Injectable()
export class RemovedIdpSessionsSweep implements OnApplicationBootstrap {
  private readonly logger = new Logger('RemovedIdpSessions');

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly ssoSessions: SsoSessionRepository,
    private readonly logout: SingleLogoutService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const ended = await this.sweep();
    if (ended.ssoSessions === 0) return;
    this.logger.warn({ ...ended, reason: FACTS.reason }, 'sessions of an identity provider the config no longer has ended');
  }

  /** Ends every live SSO session of a login the config no longer has; how many this call ended. */
  async sweep(): Promise<{ ssoSessions: number; sessions: number }> {
    const logins = this.configuredLogins();
    const ended = { ssoSessions: 0, sessions: 0 };
    // By id, each page after the last: one pass over the live rows, however many are ended.
    for (let after = ''; ;) {
      const page = await this.ssoSessions.liveOfLoginsBesides(logins, this.clock.now(), after, PAGE);
      if (page.length === 0) return ended;
      after = page.at(-1)!;
      const { ssoSessions, clientSessions } = await this.logout.endSsoSessions(page, ENDED, FACTS);
      ended.ssoSessions += ssoSessions.length;
      ended.sessions += clientSessions.length;
    }
  }

  /** Each realm's IdP aliases, and its mocked users' where it has some (in production, the other sweep's). */
  private configuredLogins(): { realm: string; alias: string }[] {
    return this.config.realms.flatMap((realm) => [
      ...realm.identityProviders.map((idp) => ({ realm: realm.name, alias: idp.alias })),
      ...(realm.mockUsers.length > 0 || this.config.environment === 'production' ? [{ realm: realm.name, alias: MOCK_ALIAS }] : []),
    ]);
  }
}
