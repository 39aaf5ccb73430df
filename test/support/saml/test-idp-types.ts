import type { SamlAttributes } from './saml-attributes.js';

/** Options and results of the test IdP (test-idp.ts). */
export interface TestIdpOptions {
  /** `{publicUrl}/realms/{realm}`: ACS and default SP entity ID derive from it. */
  realmIssuer: string;
  alias: string;
  /** Default `https://idp.test/{alias}`. */
  entityId?: string;
  /** Default the realm issuer (the service's default SP entity ID). */
  spEntityId?: string;
  /** The service's SP metadata (SamlService.metadata): when given, samlify takes the SP's keys and ACS from it. */
  spMetadata?: string;
  /** PEM; defaults to fixtures/saml/idp-signing.*. */
  signingKey?: string;
  signingCertificate?: string;
  /** PEM; defaults to the fixtures. */
  spSigningCertificate?: string;
  spEncryptionCertificate?: string;
  /** The block algorithm of encrypted assertions (XML Encryption URI); default AES-256-GCM. */
  dataEncryptionAlgorithm?: string;
  /** The key transport of encrypted assertions (XML Encryption URI); default RSA-OAEP. */
  keyEncryptionAlgorithm?: string;
  /** The XML Signature SignatureMethod of what it signs (its digest follows it); default RSA-SHA256. */
  signatureAlgorithm?: string;
  /** The bindings of its SingleLogoutService (at `sloUrl`); default both HTTP-Redirect and HTTP-POST. */
  sloBindings?: ('redirect' | 'post')[];
}

export interface ResponseOptions {
  /** The IdP's clock: IssueInstant, AuthnInstant and every window derive from it. Default: now. */
  now?: Date;
  /** When the IdP authenticated the person (AuthnStatement@AuthnInstant). Default: `now`. */
  authnInstant?: Date;
  attributes?: SamlAttributes;
  /** null omits the NameID. Default: a persistent pseudonym. */
  nameId?: string | null;
  nameIdFormat?: string;
  /** Non-Success: a Response with no assertion, e.g. { code: RESPONDER, subCode: '…:AuthnFailed' }. */
  status?: { code: string; subCode?: string; message?: string };
  /** Overrides of what the request dictates; null omits. Both InResponseTo (Response and SubjectConfirmationData) by default. */
  inResponseTo?: string | null;
  subjectInResponseTo?: string | null;
  destination?: string | null;
  recipient?: string | null;
  audiences?: string[] | null;
  /** Response Issuer (null omits) and Assertion Issuer. */
  issuer?: string | null;
  assertionIssuer?: string;
  assertionId?: string;
  /** Offsets in seconds from `now`; null omits. Defaults: -5, +300, +300, +3600. */
  notBefore?: number | null;
  notOnOrAfter?: number | null;
  subjectNotOnOrAfter?: number | null;
  sessionNotOnOrAfter?: number | null;
  sessionIndex?: string | null;
  /** AuthnStatement's AuthnContextClassRef. Default: NSIS Substantial. */
  authnContextClassRef?: string;
  omitConditions?: boolean;
  /** What carries a signature. Default 'both' (as NemLog-in). */
  sign?: 'assertion' | 'response' | 'both' | 'none';
  /** Encrypt the assertion for the SP's encryption certificate (after signing it). */
  encrypt?: boolean;
  /** Sign with another key (e.g. another realm's IdP). PEM. */
  signingKey?: string;
  signingCertificate?: string;
  /** Posted RelayState; default the request's. */
  relayState?: string;
  /** Applied to the final XML, after signing and encryption. */
  tamper?: (xml: string) => string;
  /** Applied to the XML before it is signed: what a sloppy IdP would sign. */
  beforeSigning?: (xml: string) => string;
}

export interface AuthnRequestInfo {
  id: string;
  acsUrl: string;
  issuer: string;
  destination: string;
  relayState: string;
  xml: string;
}

export interface TestIdpResponse {
  /** Base64, as the HTTP-POST binding carries it (SAML Bindings §3.5.4). */
  samlResponse: string;
  relayState: string;
  /** The ACS form body. */
  form: { SAMLResponse: string; RelayState: string };
  xml: string;
  assertionId: string;
}
