import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuditTrail, type LogoutFacts } from '../audit/audit-trail.service.js';
import { BackchannelLogoutService, type EndedSession } from '../backchannel/backchannel-logout.service.js';
import type { Realm } from '../realms/realm.js';
import {
  LOGOUT_PARTIAL,
  LOGOUT_SUCCESS,
  SamlLogoutService,
  type IdpLogoutRequest,
  type IdpLogoutResponse,
  type LogoutMessageInput,
  type LogoutReply,
} from '../saml/saml-logout.service.js';
import { SamlRejectedError, statusForLog } from '../saml/saml.errors.js';
import { IdpSubjects } from '../sessions/idp-subjects.service.js';
import { SsoSessionService } from '../sessions/sso-session.service.js';
import { presentedSsoSecret } from './sso-cookies.js';

/** What the broker endpoint does with a logout message; `clearCookies` when the browser's SSO session is over. */
export type LogoutOutcome = (
  | /** Answer the IdP: a signed LogoutResponse, by redirect or self-posting form. */
    { kind: 'idp'; reply: LogoutReply }
    /** Back to the client (a registered post_logout_redirect_uri, with its state). */
  | { kind: 'client'; url: string }
  | { kind: 'logged-out' }
  | { kind: 'refused' }
) & { clearCookies?: boolean };

const ENDED_AT_IDP = 'logout at the identity provider';

/**
 * IdP-initiated SAML single logout (SAML Profiles §4.4.3.2–4, §4.4.4.2) at the broker endpoint, and
 * the LogoutResponse that ends an SP-initiated one. A verified LogoutRequest ends every SSO session
 * that IdP opened for the NameID it names (only those of its SessionIndexes, if it names any; an SSO
 * session renewed by a later login is named by its earlier NameID and SessionIndex too) and
 * with each every client session in it, recording a LOGOUT (`by: idp`) per client session in the
 * same transaction; their clients' back-channel logout notifications are queued by that end, and
 * tried at once. The answer is Success, or PartialLogout when a client could not be told within
 * `backchannelLogout.sloWaitMs` (§3.7.3.2); a delivery still under way then goes on.
 * A request naming no session here is answered Success all the same: the IdP learns nothing.
 */
@Injectable()
export class SingleLogoutService {
  private readonly logger = new Logger('SingleLogout');

  constructor(
    private readonly saml: SamlLogoutService,
    private readonly subjects: IdpSubjects,
    private readonly ssoSessions: SsoSessionService,
    private readonly backchannel: BackchannelLogoutService,
    private readonly audit: AuditTrail,
  ) {}

  async receive(realm: Realm, alias: string, input: LogoutMessageInput, request: FastifyRequest): Promise<LogoutOutcome> {
    let message;
    try {
      message = await this.saml.read(realm, alias, input);
    } catch (error) {
      if (!(error instanceof SamlRejectedError)) throw error;
      this.logger.warn({ realm: realm.name, idp: alias, reason: error.reason }, 'SAML logout message refused');
      return { kind: 'refused' };
    }
    if (message.kind === 'response') {
      const returnTo = await this.saml.completeLogout(realm, alias, message);
      if (returnTo === undefined) this.logger.warn({ realm: realm.name, idp: alias }, 'LogoutResponse answers no pending logout');
      else if (!confirmsLogout(message.status))
        // The session here is over either way; the operator learns that the person's IdP session may not be.
        this.logger.warn(
          {
            realm: realm.name,
            idp: alias,
            status: statusForLog(message.status?.code ?? ''),
            subStatus: message.status?.subCode && statusForLog(message.status.subCode),
          },
          'IdP did not confirm the logout: its own session may go on',
        );
      return returnTo ? { kind: 'client', url: returnTo } : { kind: 'logged-out' };
    }
    const ended = await this.endNamedSessions(realm, alias, message, request.ip);
    const everyClientTold = await this.backchannel.deliverNow(ended);
    const reply = await this.saml.answer(realm, alias, message, everyClientTold ? LOGOUT_SUCCESS : LOGOUT_PARTIAL);
    const clearCookies = await this.browserSessionOver(realm, request);
    return reply ? { kind: 'idp', reply, clearCookies } : { kind: 'logged-out', clearCookies };
  }

  /**
   * SP-initiated logout (SAML Profiles §4.4.3.1) of SSO session `ssoSessionId`, which has just ended
   * here: the IdP's SingleLogoutService URL with a LogoutRequest naming its login's NameID and
   * SessionIndex; `returnTo` is where the browser goes once the IdP has answered ('' for the
   * logged-out page). Undefined when its login was not at a SAML IdP with a SingleLogoutService.
   */
  async logoutAtIdp(realm: Realm, ssoSessionId: string, returnTo: string): Promise<string | undefined> {
    const sso = await this.ssoSessions.find(ssoSessionId);
    const nameId = sso && (await this.subjects.nameIdOf(sso.id));
    if (!sso || !nameId) return undefined;
    return this.saml.logoutRequestUrl(realm, sso.idp_alias, nameId, sso.idp_session_index ?? undefined, returnTo);
  }

  /**
   * Ends these SSO sessions and every client session in them, with a LOGOUT per client session (or of
   * the SSO session, when none was live: AuditTrail.ssoSessionEnded), in one transaction; returns the SSO sessions this call ended and their client sessions (those of a
   * session someone else ended first are not counted twice).
   */
  async endSsoSessions(
    ssoSessionIds: readonly string[],
    reason: string,
    facts: LogoutFacts,
  ): Promise<{ ssoSessions: string[]; clientSessions: EndedSession[] }> {
    return this.audit.transaction(async (tx) => {
      const ended = { ssoSessions: [] as string[], clientSessions: [] as EndedSession[] };
      // One by one in the order given, but locked first all together in a rotation's order.
      await this.ssoSessions.lockForEnding(ssoSessionIds, tx);
      for (const ssoSessionId of ssoSessionIds) {
        // Exactly the client sessions the ending UPDATE ended get their LOGOUT (SsoSessionService).
        const endedSso = await this.ssoSessions.endWithClientSessions(ssoSessionId, reason, tx);
        if (endedSso === undefined) continue;
        ended.ssoSessions.push(ssoSessionId);
        await this.audit.ssoSessionEnded(endedSso, facts, tx);
        for (const session of endedSso.clientSessions)
          ended.clientSessions.push({ id: session.id, realm: session.realm, clientId: session.client_id });
      }
      return ended;
    });
  }

  /** The browser's SSO cookie names no live session (any more): its cookies go, as at RP-initiated logout. */
  private async browserSessionOver(realm: Realm, request: FastifyRequest): Promise<boolean> {
    const secret = presentedSsoSecret(request);
    return secret !== undefined && !(await this.ssoSessions.resume(realm, secret));
  }

  /** Ends the SSO sessions the request names and the client sessions in them; returns the client sessions it ended. */
  private async endNamedSessions(realm: Realm, alias: string, request: IdpLogoutRequest, ipAddress: string): Promise<EndedSession[]> {
    const named = await this.subjects.liveSsoSessions(realm, alias, request.nameId, request.sessionIndexes);
    const { clientSessions: ended } = await this.endSsoSessions(named, ENDED_AT_IDP, { by: 'idp', ipAddress });
    this.logger.log(
      { realm: realm.name, idp: alias, ssoSessions: named.length, clientSessions: ended.length, by: 'idp' },
      'logout at the IdP',
    );
    return ended;
  }
}

/** SAML Core §3.7.3.2: Success, without the PartialLogout that says some session participant was not logged out. */
function confirmsLogout(status: IdpLogoutResponse['status']): boolean {
  return status?.code === LOGOUT_SUCCESS.code && status.subCode === undefined;
}
