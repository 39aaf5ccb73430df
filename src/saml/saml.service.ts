import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { digestsEqual, sha256 } from '../common/constant-time.js';
import type { IdpNameId } from '../identity/idp-name-id.js';
import type { Principal } from '../identity/principal.js';
import type { Realm } from '../realms/realm.js';
import { DATABASE, type Database } from '../storage/database.js';
import { SamlAssertionRepository } from '../storage/saml-assertion.repository.js';
import { SamlRequestRepository } from '../storage/saml-request.repository.js';
import { minimumLoa } from '../realms/minimum-loa.js';
import { checkLoa, loaOfContextClass, NSIS_LOA_ATTRIBUTE } from './loa.js';
import { ProfileError, type AssertionAttributes } from './profiles/attribute-profile.js';
import { checkAssertion, checkEnvelope, ResponseCheckError, type CheckedAssertion } from './response-checks.js';
import { SamlIdpUnavailableError, SamlRejectedError, SamlRepostError, SamlStatusError } from './saml.errors.js';
import { IdpSettingsRegistry } from './idp-settings.registry.js';
import type { IdpSettings } from './saml-settings.js';
import { MAX_CLOCK_SKEW_SECONDS, SAML_OPTIONS, type SamlOptions } from './saml-options.js';
import { SamlWorkers } from './saml-workers.js';
import { serviceProviderMetadata } from './sp-metadata.js';
import { decodeBase64Xml, MAX_XML_BYTES, XmlPrecheckError } from './xml-prechecks.js';
import type { AssertionData } from './worker/saml-worker.mjs';

export { SamlBusyError, SamlIdpUnavailableError, SamlRejectedError, SamlRepostError, SamlStatusError } from './saml.errors.js';

/** A verified login at a SAML IdP. */
export interface SamlLogin {
  relayState: string;
  principal: Principal;
  /** The assertion's Subject NameID: whom the IdP's LogoutRequests will name (SAML Core §3.7.1). */
  nameId?: IdpNameId;
  sessionIndex?: string;
  /** SAML Core §2.7.2: the IdP's session ends here; ours must not outlive it. */
  sessionNotOnOrAfter?: Date;
  authnInstant?: Date;
  /** The assertion's IssueInstant: whether an IdP LogoutRequest came after it (SAML Core §3.7.3.2). */
  issuedAt?: Date;
}

/** A worker's reason that may mean the IdP signs with a key this SP does not know yet (saml-worker.mjs). */
const SIGNATURE_FAILURE = /signature/i;

/** SAML Bindings §3.4.3 / §3.5.3: RelayState MUST NOT exceed 80 bytes. */
const MAX_RELAY_STATE_BYTES = 80;

/**
 * The SAML service provider side of a browser login (SAML Profiles §4.1, Web Browser SSO):
 * AuthnRequests out, Responses in. Signatures and decryption run in the worker pool; every check
 * that needs shared state (pending requests, used assertions) or time (the injected Clock) runs here.
 */
@Injectable()
export class SamlService {
  private readonly skewSeconds: number;

  constructor(
    private readonly settings: IdpSettingsRegistry,
    private readonly workers: SamlWorkers,
    private readonly requests: SamlRequestRepository,
    private readonly assertions: SamlAssertionRepository,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SAML_OPTIONS) private readonly options: SamlOptions,
  ) {
    this.skewSeconds = Math.min(Math.max(options.clockSkewSeconds, 0), MAX_CLOCK_SKEW_SECONDS);
  }

  /**
   * IdP SSO URL carrying a signed AuthnRequest (HTTP-Redirect binding, SAML Bindings §3.4), with
   * RelayState = relayState. The request ID is recorded first (persistent, shared, expiring), bound
   * to realm, IdP alias and relayState. With `forceAuthn` the IdP must authenticate the person anew
   * rather than rely on its session (SAML Core §3.4.1; asked for an OIDC max_age). Throws Error for
   * an unknown alias (a programming error).
   */
  async authnRequestUrl(realm: Realm, alias: string, relayState: string, options: { forceAuthn?: boolean } = {}): Promise<string> {
    const settings = this.usable(realm, alias);
    if (relayState === '' || Buffer.byteLength(relayState, 'utf8') > MAX_RELAY_STATE_BYTES) {
      throw new Error(`RelayState must be 1–${MAX_RELAY_STATE_BYTES} bytes (SAML Bindings §3.4.3)`);
    }
    // SAML Core §1.3.4: an xs:ID with at least 128 bits of randomness; "_" makes it an NCName.
    const requestId = `_${randomBytes(20).toString('hex')}`;
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.options.pendingRequestTtlSeconds * 1000);
    await this.requests.record({ requestId, realm: realm.name, idpAlias: alias, relayState, createdAt: now, expiresAt });
    return this.workers.authnRequestUrl({ settings: settings.worker, requestId, relayState, forceAuthn: options.forceAuthn === true });
  }

  /** SP metadata (SAML Metadata §2.4.4) for `/realms/{realm}/broker/{alias}/endpoint/descriptor`. */
  metadata(realm: Realm, alias: string): string {
    const settings = this.settings.configured(realm, alias);
    if (!settings) throw new Error(`realm ${realm.name} has no SAML identity provider "${alias}"`);
    return serviceProviderMetadata(settings);
  }

  /**
   * Validates an ACS HTTP-POST body (SAML Bindings §3.5; form values as received). Fails closed:
   * {@link SamlRejectedError} for anything not verifiably right, {@link SamlStatusError} for an
   * IdP's non-Success answer to a pending request.
   */
  async consume(realm: Realm, alias: string, form: Record<string, unknown>): Promise<SamlLogin> {
    let settings = this.settings.find(realm, alias);
    if (!settings)
      throw new SamlRejectedError(this.settings.isConfigured(realm, alias) ? 'identity provider unavailable' : 'unknown identity provider');
    if (form === null || typeof form !== 'object') throw new SamlRejectedError('no form body');
    const samlResponse = singleField(form, 'SAMLResponse');
    const relayState = singleField(form, 'RelayState');
    if (Buffer.byteLength(relayState, 'utf8') > MAX_RELAY_STATE_BYTES) throw new SamlRejectedError('RelayState too long');
    let xml: string;
    try {
      xml = decodeBase64Xml(samlResponse, MAX_XML_BYTES, this.options.xmlLimits);
    } catch (error) {
      throw new SamlRejectedError(error instanceof XmlPrecheckError ? error.message : 'undecodable SAMLResponse');
    }

    let result = await this.workers.validateResponse({ settings: settings.worker, xml, xmlLimits: this.options.xmlLimits });
    if (!result.ok && SIGNATURE_FAILURE.test(result.reason) && (await this.settings.refreshAfterSignatureFailure(realm, alias))) {
      // The IdP's metadata changed (a key rollover, SAML Metadata 2.0 §2.4.1.1): this Response gets one
      // more try under the new settings. Nothing was used up by the failed try.
      settings = this.settings.find(realm, alias);
      if (!settings) throw new SamlRejectedError('identity provider unavailable');
      result = await this.workers.validateResponse({ settings: settings.worker, xml, xmlLimits: this.options.xmlLimits });
    }
    if (!result.ok) throw new SamlRejectedError(result.reason);
    if (result.kind === 'status') {
      const { envelope } = result;
      try {
        checkEnvelope(envelope, this.expectations(settings), { destinationRequired: false });
      } catch (error) {
        if (error instanceof ResponseCheckError) throw new SamlRejectedError(error.message);
        throw error;
      }
      if (!envelope.inResponseTo) throw new SamlRejectedError('unsolicited status response');
      // An error Response is usually unsigned; it is trusted only to end the pending request it
      // names, and only when it comes back with that request's RelayState.
      if (!(await this.takePendingRequest(settings, envelope.inResponseTo, relayState))) {
        throw new SamlRejectedError('status response for no pending request');
      }
      throw new SamlStatusError(relayState, envelope.status.code, envelope.status.subCode);
    }

    let checked: CheckedAssertion;
    try {
      checked = checkAssertion(result.envelope, result.assertion, this.expectations(settings), this.clock.now());
    } catch (error) {
      if (error instanceof ResponseCheckError) throw new SamlRejectedError(error.message);
      throw error;
    }
    await this.bindToPendingRequest(settings, result.assertion, checked, relayState);
    // From here on the pending request is used up: a refusal is the end of this login.
    const principal = this.principal(settings, result.assertion, relayState);
    return { relayState, principal, nameId: result.assertion.nameId, ...sessionFields(checked) };
  }

  /**
   * Both single-use checks in one transaction: the pending request (this realm, this IdP, this
   * RelayState) is taken and the assertion ID recorded, or neither happens. A Response that fails
   * either leaves the pending request for the honest Response that may still arrive.
   */
  private async bindToPendingRequest(
    settings: IdpSettings,
    assertion: AssertionData,
    checked: CheckedAssertion,
    relayState: string,
  ): Promise<void> {
    const now = this.clock.now();
    try {
      await this.db.transaction(async (tx) => {
        const recorded = await this.requests.take(checked.inResponseTo, settings.realm.name, settings.idp.alias, now, tx);
        if (recorded === undefined) throw new SamlRejectedError('InResponseTo names no pending request of this realm and IdP');
        if (!sameRelayState(recorded, relayState)) throw new SamlRejectedError('RelayState does not match the request');
        const fresh = await this.assertions.consume(
          settings.idpEntityId,
          assertion.id,
          settings.realm.name,
          checked.replayExpiresAt,
          tx,
          relayState,
        );
        if (!fresh) throw new SamlRejectedError('assertion ID already used (replay)');
      });
    } catch (error) {
      // This very assertion, accepted for this very login by another post: that post completes it.
      if (
        error instanceof SamlRejectedError &&
        (await this.assertions.acceptedFor(settings.idpEntityId, assertion.id, settings.realm.name, relayState))
      )
        throw new SamlRepostError(`${error.reason}: the same Response was accepted for this login by another post`);
      throw error;
    }
  }

  /**
   * Whether a Response for the login `relayState` was accepted already (its assertion bound to that
   * login's request, which it took): no other can be, so a post to that login is refused before the
   * worker looks at it, and leaves the login to the post that is completing it.
   */
  answered(realm: Realm, relayState: string): Promise<boolean> {
    return this.assertions.answered(realm.name, relayState);
  }

  /** A status Response ends its pending request when the RelayState matches; otherwise the delete is rolled back. */
  private async takePendingRequest(settings: IdpSettings, requestId: string, relayState: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const recorded = await this.requests.take(requestId, settings.realm.name, settings.idp.alias, this.clock.now(), tx);
      if (recorded === undefined) return false;
      // A mismatch rolls the delete back: someone else's error page must not end this login.
      if (!sameRelayState(recorded, relayState)) throw new SamlRejectedError('RelayState does not match the request');
      return true;
    });
  }

  private principal(settings: IdpSettings, assertion: AssertionData, relayState: string): Principal {
    const view = attributeView(assertion);
    const loa = checkLoa(statedLoa(settings, view, assertion), minimumLoa(settings.realm, settings.profile.kind));
    if (!loa.ok) throw new SamlRejectedError(loa.reason, relayState, 'loa_too_low');
    try {
      const principal = settings.profile.toPrincipal(view, { realm: settings.realm, idp: settings.idp });
      return loa.loa === undefined ? principal : { ...principal, loa: loa.loa };
    } catch (error) {
      if (error instanceof ProfileError) throw new SamlRejectedError(error.message, relayState, 'invalid_identity_attributes');
      throw error;
    }
  }

  /** The IdP's settings now: Error for an alias the realm does not have (a programming error), 503 when it is unusable now. */
  private usable(realm: Realm, alias: string): IdpSettings {
    const settings = this.settings.find(realm, alias);
    if (settings) return settings;
    if (this.settings.isConfigured(realm, alias)) throw new SamlIdpUnavailableError();
    throw new Error(`realm ${realm.name} has no SAML identity provider "${alias}"`);
  }

  private expectations(settings: IdpSettings) {
    return {
      acsUrl: settings.acsUrl,
      spEntityId: settings.spEntityId,
      idpEntityId: settings.idpEntityId,
      skewSeconds: this.skewSeconds,
      maxAuthenticationAgeSeconds: settings.idp.maxAuthenticationAgeSeconds,
    };
  }
}

/** One string value: a missing or repeated form field is refused (SAML Bindings §3.5.4). */
function singleField(form: Record<string, unknown>, name: string): string {
  const value = Object.hasOwn(form, name) ? form[name] : undefined;
  if (typeof value !== 'string' || value === '') throw new SamlRejectedError(Array.isArray(value) ? `${name} repeated` : `${name} missing`);
  return value;
}

function sameRelayState(recorded: string, posted: string): boolean {
  return digestsEqual(sha256(recorded), sha256(posted));
}

function attributeView(assertion: AssertionData): AssertionAttributes {
  const attributes = new Map<string, string[]>();
  for (const { name, values } of assertion.attributes) attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
  return { nameId: assertion.nameId, attributes };
}

/**
 * The level the signed assertion states, whatever the IdP was asked: the LoA attribute (NSIS's, or
 * the one `attributes.loa` names); absent that, for a profile whose IdP states it there (DigiD), each
 * AuthnStatement's AuthnContextClassRef (SAML Core §2.7.2.2) whose level is known.
 */
function statedLoa(settings: IdpSettings, view: AssertionAttributes, assertion: AssertionData): readonly string[] | undefined {
  const attribute = view.attributes.get(settings.idp.attributes?.loa ?? NSIS_LOA_ATTRIBUTE);
  if (attribute?.length || !settings.profile.assurance?.statedInAuthnContext) return attribute;
  return [...new Set(assertion.authnStatements.flatMap((statement) => loaOfContextClass(statement.authnContextClassRef) ?? []))];
}

function sessionFields(checked: CheckedAssertion): Omit<SamlLogin, 'relayState' | 'principal'> {
  const { sessionIndex, sessionNotOnOrAfter, authnInstant, issuedAt } = checked;
  return { sessionIndex, sessionNotOnOrAfter, authnInstant, issuedAt };
}
