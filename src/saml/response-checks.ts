import type { AssertionData, ResponseEnvelope, SubjectConfirmationData } from './worker/saml-worker.mjs';

/**
 * The checks node-saml does not make, or makes against the real clock: applied to the envelope and
 * to the verified assertion, with the injected clock and a bounded skew. Pure, so each check has a
 * unit test; reasons are fixed wording (never a value from the document).
 */
export interface Expectations {
  acsUrl: string;
  spEntityId: string;
  idpEntityId: string;
  /** Seconds of tolerance for the IdP's clock. */
  skewSeconds: number;
  /** An AuthnInstant older than this (plus the skew) is a stale authentication (config `maxAuthenticationAgeSeconds`). */
  maxAuthenticationAgeSeconds: number;
}

export interface CheckedAssertion {
  /** The request it answers: the signed SubjectConfirmationData@InResponseTo. */
  inResponseTo: string;
  /** Until when the assertion ID must stay recorded: after this it fails the time checks anyway. */
  replayExpiresAt: Date;
  /** Its IssueInstant: an IdP LogoutRequest issued after it applies to it (SAML Core §3.7.3.2). */
  issuedAt: Date;
  authnInstant: Date;
  sessionIndex?: string;
  sessionNotOnOrAfter?: Date;
}

export class ResponseCheckError extends Error {}

/**
 * The Response's own Destination and Issuer. SAML Bindings §3.5.5.2: a signed Response names the
 * endpoint it was sent to (required for a login; an unsigned status answer may omit it). SAML
 * Profiles §4.1.4.2: Issuer, if present (required when signed or encrypted), is the IdP.
 */
export function checkEnvelope(
  envelope: Pick<ResponseEnvelope, 'destination' | 'issuer' | 'signed' | 'encrypted'>,
  expected: Pick<Expectations, 'acsUrl' | 'idpEntityId'>,
  { destinationRequired }: { destinationRequired: boolean },
): void {
  if (envelope.destination === undefined ? destinationRequired : envelope.destination !== expected.acsUrl) {
    throw new ResponseCheckError(envelope.destination ? 'Destination is not this ACS' : 'Destination missing');
  }
  if (envelope.issuer === undefined ? envelope.signed || envelope.encrypted : envelope.issuer !== expected.idpEntityId) {
    throw new ResponseCheckError('Response Issuer is not the configured IdP');
  }
}

export function checkAssertion(envelope: ResponseEnvelope, assertion: AssertionData, expected: Expectations, now: Date): CheckedAssertion {
  const fail = (reason: string): never => {
    throw new ResponseCheckError(reason);
  };
  const skewMs = expected.skewSeconds * 1000;
  const notYet = (instant: Date) => instant.getTime() > now.getTime() + skewMs;
  const over = (notOnOrAfter: Date) => now.getTime() - skewMs >= notOnOrAfter.getTime();

  checkEnvelope(envelope, expected, { destinationRequired: true });
  if (assertion.issuer !== expected.idpEntityId) fail('Assertion Issuer is not the configured IdP');
  // Unsolicited (IdP-initiated) responses are not accepted: every login starts with our AuthnRequest.
  if (!envelope.inResponseTo) fail('InResponseTo missing: unsolicited responses are refused');
  const issuedAt = instant(assertion.issueInstant, 'IssueInstant');
  if (notYet(issuedAt)) fail('assertion issued in the future');

  const confirmation = bearerConfirmation(assertion.subjectConfirmations, envelope.inResponseTo!, expected.acsUrl, notYet, over);

  // SAML Core §2.5.1: at most one Conditions; we require it (assertions without Conditions are a
  // known failure mode of peers, DOMAIN.md), with an audience restriction naming us (§2.5.1.4).
  if (assertion.conditionsCount !== 1 || !assertion.conditions) fail('Conditions missing or repeated');
  const conditions = assertion.conditions!;
  if (conditions.notBefore !== undefined && notYet(instant(conditions.notBefore, 'NotBefore'))) fail('assertion not yet valid');
  const conditionsEnd = conditions.notOnOrAfter === undefined ? undefined : instant(conditions.notOnOrAfter, 'NotOnOrAfter');
  if (conditionsEnd && over(conditionsEnd)) fail('assertion expired');
  if (conditions.audienceRestrictions.length === 0) fail('AudienceRestriction missing');
  if (!conditions.audienceRestrictions.every((audiences) => audiences.includes(expected.spEntityId))) fail('Audience is not this SP');

  // SAML Profiles §4.1.4.2: at least one AuthnStatement; its SessionNotOnOrAfter bounds our session.
  if (assertion.authnStatements.length === 0) fail('AuthnStatement missing');
  const authnInstant = instant(assertion.authnStatements[0].authnInstant, 'AuthnInstant');
  if (notYet(authnInstant)) fail('AuthnInstant in the future');
  // SAML Core §2.7.2: AuthnInstant is when the IdP authenticated the person; an IdP session may be
  // days old. Past the maximum age the login is not a fresh authentication, and is refused.
  if (now.getTime() - authnInstant.getTime() > expected.maxAuthenticationAgeSeconds * 1000 + skewMs) {
    fail('AuthnInstant older than the maximum authentication age');
  }
  const sessionEnds = assertion.authnStatements
    .filter((s) => s.sessionNotOnOrAfter !== undefined)
    .map((s) => instant(s.sessionNotOnOrAfter, 'SessionNotOnOrAfter'));
  const sessionNotOnOrAfter = sessionEnds.length > 0 ? new Date(Math.min(...sessionEnds.map((d) => d.getTime()))) : undefined;
  // Judged without the skew: this instant becomes our session's own maximum as it stands
  // (sso-session.service.ts), so one at or before now would start a session already over, whose code
  // could never be redeemed. Judged again when the session is made, after FHIR (login-completion.service.ts).
  if (sessionNotOnOrAfter && now.getTime() >= sessionNotOnOrAfter.getTime()) fail('IdP session already over (SessionNotOnOrAfter)');

  const validUntil = Math.min(confirmation.getTime(), conditionsEnd?.getTime() ?? Infinity);
  return {
    inResponseTo: envelope.inResponseTo!,
    replayExpiresAt: new Date(validUntil + skewMs),
    issuedAt,
    authnInstant,
    sessionIndex: assertion.authnStatements[0].sessionIndex,
    sessionNotOnOrAfter,
  };
}

/**
 * SAML Profiles §4.1.4.3: at least one bearer SubjectConfirmation whose data names this ACS as
 * Recipient, answers this request (InResponseTo) and is still within NotOnOrAfter. Returns that
 * NotOnOrAfter; the reason of the first bearer confirmation that fails otherwise.
 */
function bearerConfirmation(
  confirmations: SubjectConfirmationData[],
  inResponseTo: string,
  acsUrl: string,
  notYet: (d: Date) => boolean,
  over: (d: Date) => boolean,
): Date {
  const bearers = confirmations.filter((c) => c.bearer);
  if (bearers.length === 0) throw new ResponseCheckError('no bearer SubjectConfirmation');
  const reasons = bearers.map((c): string | Date => {
    if (c.recipient !== acsUrl) return 'SubjectConfirmationData Recipient is not this ACS';
    if (c.inResponseTo !== inResponseTo) return 'SubjectConfirmationData InResponseTo does not match the Response';
    if (c.notOnOrAfter === undefined) return 'SubjectConfirmationData NotOnOrAfter missing';
    const end = instant(c.notOnOrAfter, 'NotOnOrAfter');
    if (over(end)) return 'SubjectConfirmationData expired';
    if (c.notBefore !== undefined && notYet(instant(c.notBefore, 'NotBefore'))) return 'SubjectConfirmationData not yet valid';
    return end;
  });
  const satisfied = reasons.find((r): r is Date => r instanceof Date);
  if (!satisfied) throw new ResponseCheckError(reasons[0] as string);
  return satisfied;
}

/** SAML Core §1.3.3: xs:dateTime in UTC; an explicit offset other than Z is refused. */
export function instant(value: string | undefined, what: string): Date {
  const match = value === undefined ? null : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z?$/.exec(value);
  const parsed = match ? Date.parse(value!.endsWith('Z') ? value! : `${value}Z`) : NaN;
  if (Number.isNaN(parsed)) throw new ResponseCheckError(`${what} missing or not a UTC dateTime`);
  return new Date(parsed);
}
