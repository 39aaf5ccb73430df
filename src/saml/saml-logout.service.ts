import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { digestsEqual, sha256 } from '../common/constant-time.js';
import type { IdpNameId } from '../identity/idp-name-id.js';
import type { Realm } from '../realms/realm.js';
import { DATABASE, type Database } from '../storage/database.js';
import { SamlAssertionRepository } from '../storage/saml-assertion.repository.js';
import { SamlRequestRepository } from '../storage/saml-request.repository.js';
import { IdpSettingsRegistry } from './idp-settings.registry.js';
import { logoutAnswerRoute, type LogoutAnswerRoute } from './logout-answer-route.js';
import { checkLogoutMessage, LogoutTimeWindowError } from './logout-checks.js';
import { decodeLogoutMessage, type LogoutMessageInput } from './logout-message-input.js';
import { LogoutRequestRefusedError, type RefusedLogoutRequest } from './logout-refusal.js';
import { instant, ResponseCheckError } from './response-checks.js';
import { lateAssertionWindowEnd } from './late-assertion-window.js';
import { SamlBusyError, SamlRejectedError } from './saml.errors.js';
import { MAX_CLOCK_SKEW_SECONDS, SAML_OPTIONS, type SamlOptions } from './saml-options.js';
import type { IdpSettings } from './saml-settings.js';
import { SamlWorkers } from './saml-workers.js';
import { rootAttributeAsWritten } from './xml-prechecks.js';
import type { LogoutBinding, LogoutReply, LogoutRequestData, ResponseStatus } from './worker/saml-worker.mjs';

export type { LogoutBinding, LogoutReply } from './worker/saml-worker.mjs';
export type { LogoutMessageInput } from './logout-message-input.js';

const STATUS = 'urn:oasis:names:tc:SAML:2.0:status:';

/** SAML Core §3.7.3.2: Success; PartialLogout (second level) when not every session participant confirmed. */
export const LOGOUT_SUCCESS: ResponseStatus = { code: `${STATUS}Success` };
export const LOGOUT_PARTIAL: ResponseStatus = { code: `${STATUS}Success`, subCode: `${STATUS}PartialLogout` };
/**
 * SAML Core §3.2.2.2: the answer to a genuine LogoutRequest refused as stale or replayed, which ended
 * nothing: Requester (the request's fault), RequestDenied ("able to process the request but has
 * chosen not to respond … concern about the security context of the request message or the sequence
 * of request messages").
 */
export const LOGOUT_REQUEST_DENIED: ResponseStatus = { code: `${STATUS}Requester`, subCode: `${STATUS}RequestDenied` };

/** A verified LogoutRequest of the IdP (SAML Core §3.7.1). */
export interface IdpLogoutRequest {
  kind: 'request';
  binding: LogoutBinding;
  id: string;
  nameId: IdpNameId;
  sessionIndexes: string[];
  /** Its IssueInstant: an assertion issued before it, for the NameID and a session it names, is refused (SAML Core §3.7.3.2). */
  issuedAt: Date;
  /** Until when it applies to an assertion arriving after it (late-assertion-window.ts). */
  appliesUntil: Date;
  relayState?: string;
}

/**
 * A verified LogoutResponse of the IdP (SAML Core §3.7.2); or, with neither `inResponseTo` nor
 * `status`, one set aside unverified because it answers no pending LogoutRequest of this SP.
 */
export interface IdpLogoutResponse {
  kind: 'response';
  inResponseTo?: string;
  status?: ResponseStatus;
  relayState?: string;
}

/** How long this SP waits for the LogoutResponse to its LogoutRequest. */
const PENDING_LOGOUT_SECONDS = 600;
/**
 * How long a refused LogoutRequest's ID stays answered: the same message again within it gets the
 * error page, not another signing (answerRefusal).
 */
const REFUSAL_ANSWERED_SECONDS = 3600;

/**
 * SAML single logout at a realm's broker endpoint (SAML Profiles §4.4), both directions. An IdP's
 * LogoutRequest is validated as an assertion is: size and shape before any parser (to a logout
 * profile of limits far tighter than a Response's), the signature with
 * that IdP's certificates only (in the worker pool, under the validation deadline), Issuer,
 * Destination, time window, and its ID used once (the replay table, shared by every instance).
 * Which sessions it ends is the caller's business; this answers it with a signed LogoutResponse, and
 * one refused as stale or replayed, though genuine, with a non-success one (answerRefusal). The
 * other way, a signed LogoutRequest for a session that ended here, and its LogoutResponse bound to
 * it by InResponseTo and RelayState (as an AuthnRequest's Response is).
 */
@Injectable()
export class SamlLogoutService {
  private readonly skewSeconds: number;

  constructor(
    private readonly settings: IdpSettingsRegistry,
    private readonly workers: SamlWorkers,
    private readonly requests: SamlRequestRepository,
    private readonly messages: SamlAssertionRepository,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SAML_OPTIONS) private readonly options: SamlOptions,
  ) {
    this.skewSeconds = Math.min(Math.max(options.clockSkewSeconds, 0), MAX_CLOCK_SKEW_SECONDS);
  }

  /** Verifies a logout message of IdP `alias`; {@link SamlRejectedError} (fixed wording) for anything not verifiably right. */
  async read(realm: Realm, alias: string, input: LogoutMessageInput): Promise<IdpLogoutRequest | IdpLogoutResponse> {
    let settings = this.settings.find(realm, alias);
    if (!settings) throw new SamlRejectedError('unknown identity provider');
    const { xml, query, relayState, parameter } = decodeLogoutMessage(input, this.options.xmlLimits);
    if (parameter === 'SAMLResponse' && !(await this.answersPendingLogout(realm, alias, xml, relayState))) {
      return { kind: 'response', relayState };
    }
    let verified = await this.workers.verifyLogout({ settings: settings.worker, binding: input.binding, xml, query });
    if (!verified.ok && /signature/i.test(verified.reason) && (await this.settings.refreshAfterSignatureFailure(realm, alias))) {
      // As at the ACS: the IdP's metadata changed (a key rollover), so the message gets one more try.
      const refreshed = this.settings.find(realm, alias);
      if (!refreshed) throw new SamlRejectedError('identity provider unavailable');
      settings = refreshed;
      verified = await this.workers.verifyLogout({ settings: settings.worker, binding: input.binding, xml, query });
    }
    if (!verified.ok) throw new SamlRejectedError(verified.reason);
    const { message } = verified;
    const refused = { id: message.id, binding: input.binding, relayState };
    let replayExpiresAt: Date;
    try {
      replayExpiresAt = checkLogoutMessage(message, this.expectations(settings), this.clock.now());
    } catch (error) {
      // Genuine, for us, from the IdP, and only stale: a LogoutRequest so refused may be answered.
      if (error instanceof LogoutTimeWindowError && message.kind === 'request') throw new LogoutRequestRefusedError(error.message, refused);
      if (error instanceof ResponseCheckError) throw new SamlRejectedError(error.message);
      throw error;
    }
    if (message.kind === 'response') return { kind: 'response', inResponseTo: message.inResponseTo, status: message.status, relayState };
    // SAML Core §1.3.4: IDs are unique across the IdP's messages and assertions; one table catches a replay of either.
    if (!(await this.messages.consume(settings.idpEntityId, message.id, realm.name, replayExpiresAt))) {
      throw new LogoutRequestRefusedError('LogoutRequest ID already used (replay)', refused);
    }
    return { kind: 'request', binding: input.binding, ...this.requestFields(message), relayState };
  }

  /**
   * The signed LogoutResponse to `request`, with its RelayState (SAML Bindings §3.4.3, §3.5.3), to
   * the IdP's SingleLogoutService ResponseLocation, else its Location (SAML Metadata §2.2.2), in the
   * binding the request came by, or in the other when the IdP has no endpoint of that one
   * (logout-answer-route.ts); undefined when the IdP has no SingleLogoutService to answer to.
   */
  async answer(realm: Realm, alias: string, request: IdpLogoutRequest, status: ResponseStatus): Promise<LogoutReply | undefined> {
    const settings = this.settings.find(realm, alias);
    const route = settings && logoutAnswerRoute(settings.sloResponseUrls, request.binding);
    if (!settings || !route) return undefined;
    return this.signAnswer(settings, route, request, status, true);
  }

  /**
   * The answer to a genuine LogoutRequest refused as stale or replayed ({@link LogoutRequestRefusedError}),
   * which ended nothing: a signed LogoutResponse with {@link LOGOUT_REQUEST_DENIED}, routed as
   * {@link answer}'s, so that the IdP, carrying its logout from SP to SP through the browser (SAML
   * Profiles §4.4.3.3–4), learns it failed here and goes on to the next, where an error page stopped it.
   * Anyone holding a captured message can send it again, so the signing is bounded: once per message
   * ID (recorded with the replay table's IDs for {@link REFUSAL_ANSWERED_SECONDS}, before signing), and
   * shed, not owed, when the logout lane is full (saml-lanes.ts). Undefined, and the caller shows its
   * error page, when it was answered already, the lane is full, or the IdP has no SingleLogoutService.
   */
  async answerRefusal(realm: Realm, alias: string, request: RefusedLogoutRequest): Promise<LogoutReply | undefined> {
    const settings = this.settings.find(realm, alias);
    const route = settings && logoutAnswerRoute(settings.sloResponseUrls, request.binding);
    if (!settings || !route) return undefined;
    const until = new Date(this.clock.now().getTime() + REFUSAL_ANSWERED_SECONDS * 1000);
    // An xs:ID has no space (SAML Core §1.3.4): this key is no message ID of the IdP's.
    if (!(await this.messages.consume(settings.idpEntityId, `${request.id} refusal-answered`, realm.name, until))) return undefined;
    try {
      return await this.signAnswer(settings, route, request, LOGOUT_REQUEST_DENIED, false);
    } catch (error) {
      if (error instanceof SamlBusyError) return undefined;
      throw error;
    }
  }

  /** The signed LogoutResponse to `request`, with its RelayState (SAML Bindings §3.4.3, §3.5.3); `owed`: see SamlWorkers.logoutResponse. */
  private signAnswer(
    settings: IdpSettings,
    route: LogoutAnswerRoute,
    request: RefusedLogoutRequest,
    status: ResponseStatus,
    owed: boolean,
  ): Promise<LogoutReply> {
    const task = {
      settings: settings.worker,
      binding: route.binding,
      id: newMessageId(),
      issueInstant: this.clock.now().toISOString(),
      destination: route.destination,
      inResponseTo: request.id,
      status,
      relayState: request.relayState,
    };
    return this.workers.logoutResponse(task, { owed });
  }

  /**
   * SP-initiated logout (SAML Profiles §4.4.3.1): a signed LogoutRequest for the login's NameID and
   * SessionIndex to the IdP's SingleLogoutService, in the binding it offers (HTTP-Redirect, else
   * HTTP-POST: IdpSettings.sloBinding), recorded as pending with `returnTo` (where the browser goes
   * once the answer is in; '' for none). Undefined when the IdP has no SingleLogoutService. Signed
   * before it is recorded: a SamlBusyError (the worker queue full) leaves no pending request behind.
   */
  async logoutRequest(
    realm: Realm,
    alias: string,
    nameId: IdpNameId,
    sessionIndex: string | undefined,
    returnTo: string,
  ): Promise<LogoutReply | undefined> {
    const settings = this.settings.find(realm, alias);
    if (!settings?.sloUrl) return undefined;
    const id = newMessageId();
    const relayState = randomBytes(16).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + PENDING_LOGOUT_SECONDS * 1000);
    const message = await this.workers.logoutRequest({
      settings: settings.worker,
      binding: settings.sloBinding ?? 'redirect',
      id,
      issueInstant: now.toISOString(),
      notOnOrAfter: expiresAt.toISOString(),
      destination: settings.sloUrl,
      nameId,
      sessionIndex,
      relayState,
    });
    await this.requests.record({ requestId: id, realm: realm.name, idpAlias: alias, relayState, createdAt: now, expiresAt, returnTo });
    return message;
  }

  /**
   * The IdP's answer to this SP's LogoutRequest, whatever its status (the session here ended before it
   * was sent): takes the pending request it names, once, with its RelayState, and returns where the
   * browser goes next; undefined when it answers no pending LogoutRequest of this realm and IdP.
   */
  async completeLogout(realm: Realm, alias: string, response: IdpLogoutResponse): Promise<string | undefined> {
    const { inResponseTo, relayState } = response;
    if (!inResponseTo || relayState === undefined) return undefined;
    return this.db
      .transaction(async (tx) => {
        const pending = await this.requests.takeLogout(inResponseTo, realm.name, alias, this.clock.now(), tx);
        // A RelayState of someone else's rolls the take back: it must not end this logout's return.
        if (pending && !digestsEqual(sha256(pending.relayState), sha256(relayState))) throw new RelayStateMismatch();
        return pending?.returnTo;
      })
      .catch((error: unknown) => {
        if (error instanceof RelayStateMismatch) return undefined;
        throw error;
      });
  }

  /**
   * Whether a LogoutResponse could answer a live LogoutRequest of this SP (SAML Core §3.7.2: its
   * InResponseTo), with that request's RelayState: read from the prechecked text before its
   * signature is verified, since one that answers nothing ends nothing (completeLogout) and anyone
   * can send it. Our request IDs are plain `_hex`, so an InResponseTo written with entity references
   * cannot name one. The verified message is still what completeLogout takes the request by.
   */
  private async answersPendingLogout(realm: Realm, alias: string, xml: string, relayState: string | undefined): Promise<boolean> {
    const inResponseTo = rootAttributeAsWritten(xml, 'InResponseTo');
    if (!inResponseTo || relayState === undefined) return false;
    const pending = await this.requests.pendingLogoutRelayState(inResponseTo, realm.name, alias, this.clock.now());
    return pending !== undefined && digestsEqual(sha256(pending), sha256(relayState));
  }

  private expectations(settings: IdpSettings) {
    return { endpointUrl: settings.acsUrl, idpEntityId: settings.idpEntityId, skewSeconds: this.skewSeconds };
  }

  /** The fields of a checked LogoutRequest (its instants were parsed by checkLogoutMessage already). */
  private requestFields(message: LogoutRequestData): Omit<IdpLogoutRequest, 'kind' | 'binding' | 'relayState'> {
    const issuedAt = instant(message.issueInstant, 'IssueInstant');
    const notOnOrAfter = message.notOnOrAfter === undefined ? undefined : instant(message.notOnOrAfter, 'NotOnOrAfter');
    const appliesUntil = lateAssertionWindowEnd({ issuedAt, notOnOrAfter }, this.options.pendingRequestTtlSeconds, this.skewSeconds);
    return { id: message.id, nameId: message.nameId, sessionIndexes: message.sessionIndexes, issuedAt, appliesUntil };
  }
}

class RelayStateMismatch extends Error {}

/** SAML Core §1.3.4: an xs:ID with at least 128 bits of randomness; "_" makes it an NCName. */
function newMessageId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}
