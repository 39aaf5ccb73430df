/** Types of saml-worker.mjs: the contract between the main thread and the worker pool. */
import type { MessagePort } from 'node:worker_threads';
import type { IdpNameId } from '../../identity/idp-name-id.js';
import type { XmlLimits } from './xml-shape.mjs';

/** What the worker needs about one realm's SP and one IdP: plain strings (structured clone). */
export interface SamlWorkerSettings {
  spEntityId: string;
  /** `${realm.issuer}/broker/${alias}/endpoint` */
  acsUrl: string;
  ssoUrl: string;
  /** PEM certificates; several during a rollover. */
  idpCertificates: string[];
  /** PEM private key that signs AuthnRequests. */
  spSigningKey: string;
  /** PEM private key for encrypted assertions, when the realm has one. */
  decryptionKey?: string;
  /** The IdP's config accepts assertions encrypted with AES-CBC (content-encryption.mjs); else AES-GCM only. */
  acceptAesCbc?: boolean;
  /** NameIDPolicy Format; omitted lets the IdP choose. */
  nameIdFormat?: string;
  /** AuthnContextClassRef requested with Comparison="minimum". */
  requestedAuthnContext?: string;
}

export interface ResponseStatus {
  code: string;
  subCode?: string;
}

/** The unsigned envelope of a Response (SAML Core §3.2.2, §3.3.3). */
export interface ResponseEnvelope {
  id: string;
  destination?: string;
  inResponseTo?: string;
  issueInstant?: string;
  issuer?: string;
  status: ResponseStatus;
  /** The Response element itself carries a signature (verified when present). */
  signed: boolean;
  encrypted: boolean;
  assertionCount: number;
  assertionInPlace: boolean;
}

export interface SubjectConfirmationData {
  bearer: boolean;
  recipient?: string;
  notBefore?: string;
  notOnOrAfter?: string;
  inResponseTo?: string;
}

export interface ConditionsData {
  notBefore?: string;
  notOnOrAfter?: string;
  audienceRestrictions: string[][];
}

export interface AuthnStatementData {
  authnInstant?: string;
  sessionIndex?: string;
  sessionNotOnOrAfter?: string;
  authnContextClassRef?: string;
}

export interface AttributeData {
  name: string;
  values: string[];
}

/** Everything read from the verified assertion, and only from it. */
export interface AssertionData {
  id: string;
  issueInstant?: string;
  issuer?: string;
  nameId?: IdpNameId;
  subjectConfirmations: SubjectConfirmationData[];
  conditionsCount: number;
  conditions?: ConditionsData;
  authnStatements: AuthnStatementData[];
  attributes: AttributeData[];
}

export type ValidationResult =
  | { ok: true; kind: 'status'; envelope: ResponseEnvelope }
  | { ok: true; kind: 'assertion'; envelope: ResponseEnvelope; assertion: AssertionData }
  | { ok: false; reason: string };

export interface ValidateTask {
  settings: SamlWorkerSettings;
  xml: string;
  /** The shape limits the Response text was prechecked against; applied to a decrypted assertion too. */
  xmlLimits: XmlLimits;
  /** In the pool: told when the worker starts on this task, which starts its deadline (saml-workers.ts). */
  started?: MessagePort;
}

export interface AuthnRequestTask {
  settings: SamlWorkerSettings;
  requestId: string;
  relayState: string;
  /** ForceAuthn="true" (SAML Core §3.4.1). */
  forceAuthn?: boolean;
}

export function validateResponse(task: ValidateTask): Promise<ValidationResult>;
export function authnRequestUrl(task: AuthnRequestTask): Promise<string>;
export default validateResponse;

/** A logout message as it arrived (SAML Bindings §3.4 HTTP-Redirect, §3.5 HTTP-POST). */
export type LogoutBinding = 'redirect' | 'post';

/** The HTTP-Redirect query of a logout message: decoded values, and the signed octets rebuilt from the raw query. */
export interface RedirectQuery {
  parameter: 'SAMLRequest' | 'SAMLResponse';
  message: string;
  relayState?: string;
  sigAlg?: string;
  signature?: string;
  /** `SAMLRequest=…&RelayState=…&SigAlg=…&Signature=…` with each value exactly as received. */
  octets: string;
}

export interface VerifyLogoutTask {
  settings: SamlWorkerSettings;
  binding: LogoutBinding;
  /** The message's XML, prechecked (and inflated, for HTTP-Redirect). */
  xml: string;
  query?: RedirectQuery;
  started?: MessagePort;
}

interface LogoutMessageBase {
  id: string;
  issuer?: string;
  destination?: string;
  issueInstant?: string;
}

/** SAML Core §3.7.1, read from the verified message. */
export interface LogoutRequestData extends LogoutMessageBase {
  kind: 'request';
  notOnOrAfter?: string;
  nameId: IdpNameId;
  sessionIndexes: string[];
}

/** SAML Core §3.7.2, read from the verified message. */
export interface LogoutResponseData extends LogoutMessageBase {
  kind: 'response';
  inResponseTo?: string;
  status: ResponseStatus;
}

export type LogoutVerification = { ok: true; message: LogoutRequestData | LogoutResponseData } | { ok: false; reason: string };

export interface LogoutResponseTask {
  settings: SamlWorkerSettings;
  binding: LogoutBinding;
  id: string;
  issueInstant: string;
  destination: string;
  inResponseTo: string;
  status: ResponseStatus;
  relayState?: string;
}

/** How a logout message of this SP (a LogoutResponse, or a LogoutRequest) travels through the browser to the IdP. */
export type LogoutReply = { binding: 'redirect'; url: string } | { binding: 'post'; action: string; fields: Record<string, string> };

export interface LogoutRequestTask {
  settings: SamlWorkerSettings;
  /** The IdP's SingleLogoutService binding (IdpSettings.sloBinding). */
  binding: LogoutBinding;
  id: string;
  issueInstant: string;
  notOnOrAfter: string;
  destination: string;
  nameId: IdpNameId;
  sessionIndex?: string;
  relayState: string;
}

export function verifyLogoutMessage(task: VerifyLogoutTask): Promise<LogoutVerification>;
export function logoutResponse(task: LogoutResponseTask): Promise<LogoutReply>;
/** The LogoutRequest in `task.binding`; how it travels, as a LogoutResponse does. */
export function logoutRequest(task: LogoutRequestTask): Promise<LogoutReply>;
