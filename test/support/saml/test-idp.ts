/**
 * An independent SAML identity provider for tests, built on samlify (never on node-saml, which the
 * service under test uses), so that both sides do not share one library's mistakes.
 *
 *   const idp = await TestIdp.create({ realmIssuer: realm.issuer, alias: 'nemlog-in' });
 *   // config: identityProviders: [idp.idpConfig('oiosaml3-citizen')], serviceProvider: testServiceProviderConfig()
 *   const location = await saml.authnRequestUrl(realm, 'nemlog-in', transactionId); // or the 302 Location
 *   const { form } = await idp.respondTo(location, { now: clock.now(), attributes: citizenAttributes(), encrypt: true });
 *   await saml.consume(realm, 'nemlog-in', form);      // or POST `new URLSearchParams(form)` to idp.acsUrl
 *
 * `respondTo` parses our AuthnRequest from the redirect URL (its ID, AssertionConsumerServiceURL and
 * RelayState) and verifies our SP signature over the query (SAML Bindings §3.4.4.1) with samlify.
 * Every field of the Response can be overridden (see {@link ResponseOptions}); `tamper` functions
 * (tamper.ts) edit the final, signed XML. `response()` builds one with no request at all.
 */
import samlify from 'samlify';
import { SAML_FIXTURES } from './saml-fixtures.js';
import { PERSISTENT, randomSamlId, responseXml, SUCCESS, type ResponseFields } from './response-xml.js';
import { TestIdpLogout } from './test-idp-logout.js';
import type { AuthnRequestInfo, ResponseOptions, TestIdpOptions, TestIdpResponse } from './test-idp-types.js';

export type { AuthnRequestInfo, ResponseOptions, TestIdpOptions, TestIdpResponse } from './test-idp-types.js';

// samlify insists on a schema validator; this test IdP deliberately accepts anything (permissive),
// because schema checks are not what these tests are about and no validator package is available.
samlify.setSchemaValidator({ validate: () => Promise.resolve('permissive test IdP: schema not checked') });

const POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const AES256_GCM = 'http://www.w3.org/2009/xmlenc11#aes256-gcm';
const RSA_OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';

type Entity = ReturnType<typeof samlify.IdentityProvider>;
type SpEntity = ReturnType<typeof samlify.ServiceProvider>;

export class TestIdp {
  readonly alias: string;
  readonly acsUrl: string;
  readonly ssoUrl: string;
  /** Its SingleLogoutService (config `sloUrl`): where the SP's LogoutRequests and LogoutResponses go. */
  readonly sloUrl: string;
  /** Single logout: LogoutRequests and LogoutResponses to the SP, and the SP's parsed and verified. */
  readonly logout: TestIdpLogout;
  private readonly signatureAlgorithm: string;

  private constructor(
    readonly entityId: string,
    readonly spEntityId: string,
    readonly signingCertificate: string,
    private readonly signingKey: string,
    private readonly idp: Entity,
    private readonly sp: SpEntity,
    options: TestIdpOptions,
  ) {
    this.alias = options.alias;
    this.acsUrl = `${options.realmIssuer}/broker/${options.alias}/endpoint`;
    this.ssoUrl = `https://idp.test/${options.alias}/sso`;
    this.sloUrl = `https://idp.test/${options.alias}/slo`;
    this.signatureAlgorithm = options.signatureAlgorithm ?? RSA_SHA256;
    const signRoot = (xml: string, root: string, key: string, certificate: string) =>
      signXml(xml, key, certificateBody(certificate), this.signatureAlgorithm, {
        isMessageSigned: true,
        after: `/*[local-name(.)='${root}']/*[local-name(.)='Issuer']`,
      });
    this.logout = new TestIdpLogout(entityId, this.acsUrl, signingKey, signingCertificate, idp, sp, signRoot);
  }

  static async create(options: TestIdpOptions): Promise<TestIdp> {
    const entityId = options.entityId ?? `https://idp.test/${options.alias}`;
    const spEntityId = options.spEntityId ?? options.realmIssuer;
    const signingKey = options.signingKey ?? SAML_FIXTURES.idpSigningKey;
    const signingCertificate = options.signingCertificate ?? SAML_FIXTURES.idpSigningCertificate;
    const ssoUrl = `https://idp.test/${options.alias}/sso`;
    const idp = samlify.IdentityProvider({
      entityID: entityId,
      privateKey: signingKey,
      signingCert: certificateBody(signingCertificate),
      wantAuthnRequestsSigned: true,
      wantLogoutRequestSigned: true,
      wantLogoutResponseSigned: true,
      isAssertionEncrypted: true,
      singleSignOnService: [{ Binding: REDIRECT_BINDING, Location: ssoUrl }],
      singleLogoutService: (options.sloBindings ?? ['redirect', 'post']).map((binding) => ({
        Binding: binding === 'redirect' ? REDIRECT_BINDING : POST_BINDING,
        Location: `https://idp.test/${options.alias}/slo`,
      })),
      ...{
        dataEncryptionAlgorithm: options.dataEncryptionAlgorithm ?? AES256_GCM,
        keyEncryptionAlgorithm: options.keyEncryptionAlgorithm ?? RSA_OAEP,
      },
    });
    const sp = options.spMetadata
      ? samlify.ServiceProvider({ metadata: options.spMetadata })
      : samlify.ServiceProvider({
          entityID: spEntityId,
          authnRequestsSigned: true,
          wantAssertionsSigned: true,
          signingCert: certificateBody(options.spSigningCertificate ?? SAML_FIXTURES.spSigningCertificate),
          encryptCert: certificateBody(options.spEncryptionCertificate ?? SAML_FIXTURES.spEncryptionCertificate),
          assertionConsumerService: [{ Binding: POST_BINDING, Location: `${options.realmIssuer}/broker/${options.alias}/endpoint` }],
        });
    return new TestIdp(entityId, spEntityId, signingCertificate, signingKey, idp, sp, options);
  }

  /** The realm config entry for this IdP. */
  idpConfig(profile: 'oiosaml3-citizen' | 'dk-clinician' | 'nl-citizen' | 'generic', extra: Record<string, unknown> = {}) {
    return {
      alias: this.alias,
      profile,
      entityId: this.entityId,
      ssoUrl: this.ssoUrl,
      signingCertificates: [this.signingCertificate],
      ...extra,
    };
  }

  /** Parses and verifies (samlify, SP signature over the query string) our AuthnRequest. */
  async parseAuthnRequest(redirectUrl: string): Promise<AuthnRequestInfo> {
    const url = new URL(redirectUrl);
    const raw = url.search.slice(1).split('&');
    const param = (name: string) => raw.find((p) => p.startsWith(`${name}=`));
    // SAML Bindings §3.4.4.1: the signature covers SAMLRequest, RelayState, SigAlg, in that order, as sent.
    const octetString = ['SAMLRequest', 'RelayState', 'SigAlg'].map(param).filter(Boolean).join('&');
    const query = Object.fromEntries(url.searchParams);
    const parsed = await this.idp.parseLoginRequest(this.sp, 'redirect', { query, octetString });
    const request = parsed.extract.request as Record<string, string>;
    return {
      id: request.id,
      acsUrl: request.assertionConsumerServiceUrl,
      destination: request.destination,
      issuer: parsed.extract.issuer as string,
      relayState: url.searchParams.get('RelayState') ?? '',
      xml: parsed.samlContent,
    };
  }

  /** A Response to the AuthnRequest in `redirectUrl`. */
  async respondTo(redirectUrl: string, options: ResponseOptions = {}): Promise<TestIdpResponse & { request: AuthnRequestInfo }> {
    const request = await this.parseAuthnRequest(redirectUrl);
    const response = await this.response({
      inResponseTo: request.id,
      recipient: request.acsUrl,
      destination: request.acsUrl,
      relayState: request.relayState,
      ...options,
    });
    return { ...response, request };
  }

  /** A Response built from the options alone (no request): InResponseTo and RelayState as given. */
  async response(options: ResponseOptions & { relayState?: string }): Promise<TestIdpResponse> {
    const now = options.now ?? new Date();
    const at = (seconds: number | null | undefined, fallback: number) =>
      seconds === null ? null : new Date(now.getTime() + (seconds ?? fallback) * 1000);
    const fields: ResponseFields = {
      responseId: randomSamlId(),
      assertionId: options.assertionId ?? randomSamlId(),
      issueInstant: now,
      issuer: options.issuer === undefined ? this.entityId : options.issuer,
      assertionIssuer: options.assertionIssuer ?? this.entityId,
      destination: options.destination === undefined ? this.acsUrl : options.destination,
      inResponseTo: options.inResponseTo ?? null,
      status: options.status ?? { code: SUCCESS },
      nameId:
        options.nameId === undefined
          ? 'https://data.gov.dk/model/core/eid/person/uuid/6a3b0e0c-0d1f-4c2a-9f3e-1b2c3d4e5f60'
          : options.nameId,
      nameIdFormat: options.nameIdFormat ?? PERSISTENT,
      recipient: options.recipient === undefined ? this.acsUrl : options.recipient,
      subjectInResponseTo: options.subjectInResponseTo === undefined ? (options.inResponseTo ?? null) : options.subjectInResponseTo,
      subjectNotOnOrAfter: at(options.subjectNotOnOrAfter, 300),
      conditions: options.omitConditions
        ? null
        : {
            notBefore: at(options.notBefore, -5),
            notOnOrAfter: at(options.notOnOrAfter, 300),
            audiences: options.audiences === undefined ? [this.spEntityId] : options.audiences,
          },
      authnInstant: options.authnInstant ?? now,
      sessionIndex: options.sessionIndex === undefined ? randomSamlId() : options.sessionIndex,
      sessionNotOnOrAfter: at(options.sessionNotOnOrAfter, 3600),
      authnContextClassRef: options.authnContextClassRef ?? 'https://data.gov.dk/concept/core/nsis/loa/Substantial',
      attributes: options.attributes ?? {},
    };
    const unsigned = responseXml(fields);
    const xml = await this.signAndEncrypt(options.beforeSigning ? options.beforeSigning(unsigned) : unsigned, fields, options);
    const final = options.tamper ? options.tamper(xml) : xml;
    const samlResponse = Buffer.from(final, 'utf8').toString('base64');
    const relayState = options.relayState ?? '';
    return {
      samlResponse,
      relayState,
      form: { SAMLResponse: samlResponse, RelayState: relayState },
      xml: final,
      assertionId: fields.assertionId,
    };
  }

  /** Assertion signature, then encryption, then Response signature (the order NemLog-in uses). */
  private async signAndEncrypt(xml: string, fields: ResponseFields, options: ResponseOptions): Promise<string> {
    const sign = options.sign ?? 'both';
    const key = options.signingKey ?? this.signingKey;
    const certificate = certificateBody(options.signingCertificate ?? this.signingCertificate);
    const hasAssertion = fields.status.code === SUCCESS;
    let out = xml;
    if (hasAssertion && (sign === 'assertion' || sign === 'both')) {
      out = signXml(out, key, certificate, this.signatureAlgorithm, {
        referenceTagXPath: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']",
        after: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']",
      });
    }
    if (hasAssertion && options.encrypt) {
      out = Buffer.from(await samlify.SamlLib.encryptAssertion(this.idp, this.sp, out), 'base64').toString('utf8');
    }
    if (sign === 'response' || sign === 'both') {
      out = signXml(out, key, certificate, this.signatureAlgorithm, {
        isMessageSigned: true,
        after: fields.issuer === null ? undefined : "/*[local-name(.)='Response']/*[local-name(.)='Issuer']",
      });
    }
    return out;
  }
}

function signXml(
  xml: string,
  privateKey: string,
  certificate: string,
  signatureAlgorithm: string,
  where: { referenceTagXPath?: string; isMessageSigned?: boolean; after?: string },
): string {
  return samlify.SamlLib.constructSAMLSignature({
    rawSamlMessage: xml,
    referenceTagXPath: where.referenceTagXPath,
    isMessageSigned: where.isMessageSigned ?? false,
    privateKey,
    signingCert: certificate,
    signatureAlgorithm,
    isBase64Output: false,
    signatureConfig: {
      prefix: 'ds',
      // SAML Core §5.4.1 / schema order: ds:Signature follows the Issuer, else comes first.
      location: where.after
        ? { reference: where.after, action: 'after' }
        : { reference: "/*[local-name(.)='Response']", action: 'prepend' },
    },
  });
}

/** samlify wants the base64 body of a certificate, without PEM armour. */
export function certificateBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
