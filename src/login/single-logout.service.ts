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
import { LogoutRequestRefusedError } from '../saml/logout-refusal.js';
import { SamlRejectedError, statusForLog } from '../saml/saml.errors.js';
import { IdpSubjects } from '../sessions/idp-subjects.service.js';
import { SsoSessionService } from '../sessions/sso-session.service.js';
import type { SsoSessionRow } from '../storage/sso-session.repository.js';
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
 * Either way it is kept while an assertion it covers could still arrive, and such an assertion is
 * refused (SAML Core §3.7.3.2; IdpSubjects.recordLogout).
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
      return this.refuse(realm, alias, error);
    }
    if (message.kind === 'response') {
      const returnTo = await this.saml.completeLogout(realm, alias, message);
      if (returnTo === undefined) {
        this.logger.warn({ realm: realm.name, idp: alias }, 'LogoutResponse answers no pending logout');
        // Set aside unverified, it tells nothing. Where this browser's session lives on, "you are logged
        // out" would be false (a forged answer, linked or posted to a person at a shared computer): the
        // invalid-link page. Where none does (a genuine answer replayed by the back button) it is true.
        const live = await this.browserSessionLive(realm, request);
        return live ? { kind: 'refused' } : { kind: 'logged-out', clearCookies: live === false };
      }
      if (!confirmsLogout(message.status))
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
      return returnTo !== '' ? { kind: 'client', url: returnTo } : { kind: 'logged-out' };
    }
    const ended = await this.endNamedSessions(realm, alias, message, request.ip);
    const everyClientTold = await this.backchannel.deliverNow(ended);
    const reply = await this.saml.answer(realm, alias, message, everyClientTold ? LOGOUT_SUCCESS : LOGOUT_PARTIAL);
    const clearCookies = await this.browserSessionOver(realm, request);
    return reply ? { kind: 'idp', reply, clearCookies } : { kind: 'logged-out', clearCookies };
  }

  /**
   * RP-initiated logout (OIDC RP-Initiated Logout 1.0 §2) of SSO session `ssoSessionId` and every
   * client session in it ({@link endSsoSessions}, reason `logout`), with the SP-initiated logout at
   * its IdP (SAML Profiles §4.4.3.1): `toIdp` is the LogoutRequest naming the login's NameID and
   * SessionIndex, on its way to the IdP's SingleLogoutService (a redirect, or a self-posting form for
   * an IdP that offers only HTTP-POST), when its login was at a SAML IdP with one and this call ended
   * the session; `returnTo` is where the browser goes once the IdP has
   * answered ('' for the logged-out page).
   *
   * The LogoutRequest is signed before anything here ends. Signing runs in the SAML worker pool, which
   * sheds a task at once when its queue is full (SamlBusyError). Ended first, a shed signing left the
   * person with an error page, cookies cleared, tokens dead and a LOGOUT in the trail, while their
   * session at the national IdP went on; a retry found nothing left to end, so the IdP was never
   * asked, and on a shared computer the next login in that browser could go through the IdP as them.
   * Signed first, a shed logout changes nothing (no session ended, no event, no pending request), the
   * caller can say so, and the same request again does the whole logout. Not signed inline on the
   * event loop instead: the pool's bound is what keeps a flood from slowing every login
   * (saml-workers.ts).
   */
  async endAtRp(realm: Realm, ssoSessionId: string, returnTo: string, facts: LogoutFacts): Promise<{ toIdp?: LogoutReply }> {
    const sso = await this.ssoSessions.find(ssoSessionId);
    // Only for a session this call can still end: one ended already was logged out at its IdP by
    // whoever ended it (or by the IdP itself), and a link replayed must not cost a signing each time.
    const toIdp = sso?.ended_at === null ? await this.logoutRequestAtIdp(realm, sso, returnTo) : undefined;
    const { ssoSessions } = await this.endSsoSessions([ssoSessionId], 'logout', facts);
    // A concurrent end won: its LogoutRequest is the one the IdP gets; this one stays unsent and expires.
    return { toIdp: ssoSessions.length > 0 ? toIdp : undefined };
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

  /** The LogoutRequest to `sso`'s login's IdP; undefined when it was not at a SAML IdP with a SingleLogoutService. */
  private async logoutRequestAtIdp(realm: Realm, sso: SsoSessionRow, returnTo: string): Promise<LogoutReply | undefined> {
    const nameId = await this.subjects.nameIdOf(sso.id);
    if (!nameId) return undefined;
    return this.saml.logoutRequest(realm, sso.idp_alias, nameId, sso.idp_session_index ?? undefined, returnTo);
  }

  /**
   * A refused logout message ends nothing. A genuine LogoutRequest refused only as stale or replayed
   * is answered with a signed non-success LogoutResponse when it can be (SamlLogoutService.answerRefusal:
   * once per ID, never beyond the logout lane), so that the IdP's logout of the person's other SPs
   * goes on (SAML Profiles §4.4.3.3–4); anything else gets the error page. `answered` tells the
   * operator which, for such a request.
   */
  private async refuse(realm: Realm, alias: string, error: SamlRejectedError): Promise<LogoutOutcome> {
    const answerable = error instanceof LogoutRequestRefusedError;
    const reply = answerable ? await this.saml.answerRefusal(realm, alias, error.request) : undefined;
    this.logger.warn(
      { realm: realm.name, idp: alias, reason: error.reason, ...(answerable ? { answered: reply !== undefined } : {}) },
      'SAML logout message refused',
    );
    return reply ? { kind: 'idp', reply } : { kind: 'refused' };
  }

  /** The browser's SSO cookie names no live session (any more): its cookies go, as at RP-initiated logout. */
  private async browserSessionOver(realm: Realm, request: FastifyRequest): Promise<boolean> {
    return (await this.browserSessionLive(realm, request)) === false;
  }

  /** Whether the browser's SSO cookie names a live session of `realm`; undefined when it sends none. */
  private async browserSessionLive(realm: Realm, request: FastifyRequest): Promise<boolean | undefined> {
    const secret = presentedSsoSecret(request);
    return secret === undefined ? undefined : (await this.ssoSessions.resume(realm, secret)) !== undefined;
  }

  /**
   * Ends the SSO sessions the request names and the client sessions in them; returns the client sessions
   * it ended. The request is recorded first, and committed, under the person's lock (SAML Core
   * §3.7.3.2; IdpSubjects.recordLogout): an assertion it covers that arrives later is refused
   * (LoginCompletionService), and a login already under way has committed its session before the
   * record did, so the search below finds it.
   */
  private async endNamedSessions(realm: Realm, alias: string, request: IdpLogoutRequest, ipAddress: string): Promise<EndedSession[]> {
    await this.subjects.recordLogout(realm, alias, request);
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
