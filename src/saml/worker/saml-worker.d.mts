/** Types of saml-worker.mjs: the contract between the main thread and the worker pool. */
import type { MessagePort } from 'node:worker_threads';
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
  nameId?: { value: string; format?: string };
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
