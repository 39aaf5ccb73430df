import { X509Certificate } from 'node:crypto';
import { isValidAt, withValidity, type TrustedCertificate } from '../certificate-validity.js';
import { childElements, parseStrictXml } from '../xml-dom.js';
import { precheckXml, XmlPrecheckError, type XmlLimits } from '../xml-prechecks.js';
import { MetadataError } from './metadata-error.js';
import { verifiedMetadataXml } from './metadata-signature.js';

/** What this SP takes from an IdP's metadata (SAML Metadata 2.0 §2.4.3 IDPSSODescriptor). */
export interface IdpMetadata {
  /** EntityDescriptor@entityID (§2.3.2). */
  entityId: string;
  /** SingleSignOnService with the HTTP-Redirect binding, the one AuthnRequests go by. */
  ssoUrl?: string;
  /** SingleLogoutService with the HTTP-Redirect binding (§2.4.2), when the IdP has one: where LogoutRequests go. */
  sloUrl?: string;
  /**
   * SingleLogoutService with the HTTP-POST binding: where LogoutRequests go, by a self-posting form
   * (SAML Bindings §3.5), when the IdP has no HTTP-Redirect one.
   */
  sloPostUrl?: string;
  /**
   * Where LogoutResponses go, per binding of the IdP's SingleLogoutService endpoints: §2.2.2 an
   * endpoint's ResponseLocation, when present, else its Location.
   */
  sloResponseUrls?: Partial<Record<'redirect' | 'post', string>>;
  /** KeyDescriptor use="signing" or without `use` (§2.4.1.1), in document order; expired ones too (filtered at use). */
  signingCertificates: TrustedCertificate[];
  /** The earliest validUntil on the way to the IDPSSODescriptor (§2.3.1, §2.3.2, §2.4.1): past it the copy is void. */
  validUntil?: Date;
}

export interface MetadataExpectations {
  /** Picks the EntityDescriptor of this entityID; without it the document must hold exactly one. */
  entityId?: string;
  /** When given, the document must be signed by it (§3) and only the signed content is read. */
  signingCertificate?: TrustedCertificate;
  now: Date;
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** A single IdP's metadata is a few KB (NemLog-in's ~10 KB); this leaves room for a small federation aggregate. */
export const MAX_METADATA_BYTES = 1_000_000;

/** The Response prechecks' rules (no DTD, no comment, no processing instruction), with room for an aggregate. */
export const METADATA_XML_LIMITS: XmlLimits = { maxElements: 20_000, maxDepth: 32, maxAttributesPerElement: 64 };

/**
 * Reads and checks an IdP metadata document: the same refusals as a SAML message before any parser
 * (size, DTD, comments, shape), a strict parse, the signature when a metadata signing certificate is
 * configured, then only the signed content. Throws {@link MetadataError} with fixed wording.
 */
export function readIdpMetadata(xml: string, expect: MetadataExpectations): IdpMetadata {
  if (Buffer.byteLength(xml, 'utf8') > MAX_METADATA_BYTES) throw new MetadataError('metadata larger than 1 MB');
  const parsed = parse(xml);
  let root = parsed.documentElement;
  if (expect.signingCertificate) {
    if (!isValidAt(expect.signingCertificate, expect.now))
      throw new MetadataError('metadataSigningCertificate is expired or not yet valid');
    root = parse(verifiedMetadataXml(xml, root, expect.signingCertificate.pem)).documentElement;
  }
  const { entity, validUntil: outer } = pickEntity(root, expect.entityId);
  const entityId = entity.getAttribute('entityID') ?? '';
  const idp = childElements(entity, 'IDPSSODescriptor', [MD]).find(supportsSaml2);
  if (!idp) throw new MetadataError('metadata has no IDPSSODescriptor for the SAML 2.0 protocol');
  const validUntil = earliest([outer, dateAttribute(entity, 'validUntil'), dateAttribute(idp, 'validUntil')]);
  if (validUntil && validUntil.getTime() <= expect.now.getTime()) throw new MetadataError('metadata is past its validUntil');
  return {
    entityId,
    ssoUrl: redirectLocation(idp, 'SingleSignOnService'),
    sloUrl: redirectLocation(idp, 'SingleLogoutService'),
    sloPostUrl: requestLocation(idp, 'SingleLogoutService', POST_BINDING),
    sloResponseUrls: {
      redirect: responseLocation(idp, REDIRECT_BINDING),
      post: responseLocation(idp, POST_BINDING),
    },
    signingCertificates: signingCertificates(idp),
    validUntil,
  };
}

function parse(xml: string): Document {
  try {
    precheckXml(xml, METADATA_XML_LIMITS);
  } catch (error) {
    if (error instanceof XmlPrecheckError) throw new MetadataError(`metadata refused: ${error.message}`);
    throw error;
  }
  const doc = parseStrictXml(xml);
  if (!doc) throw new MetadataError('metadata is not well-formed XML');
  return doc;
}

/**
 * §2.3.1: an EntitiesDescriptor groups EntityDescriptors (and nested groups); §2.3.2: one entity.
 * Returns the entity with the wanted entityID (or the only one) and the earliest validUntil above it.
 */
function pickEntity(root: Element, entityId: string | undefined): { entity: Element; validUntil?: Date } {
  const found: { entity: Element; validUntil?: Date }[] = [];
  const walk = (element: Element, validUntil: Date | undefined): void => {
    if (element.namespaceURI === MD && element.localName === 'EntityDescriptor') {
      found.push({ entity: element, validUntil });
      return;
    }
    if (element.namespaceURI !== MD || element.localName !== 'EntitiesDescriptor') return;
    const own = earliest([validUntil, dateAttribute(element, 'validUntil')]);
    for (const child of [...childElements(element, 'EntitiesDescriptor', [MD]), ...childElements(element, 'EntityDescriptor', [MD])]) {
      walk(child, own);
    }
  };
  if (root.namespaceURI !== MD || !['EntityDescriptor', 'EntitiesDescriptor'].includes(root.localName)) {
    throw new MetadataError('metadata root is not an EntityDescriptor or EntitiesDescriptor');
  }
  walk(root, undefined);
  const matching = entityId === undefined ? found : found.filter(({ entity }) => entity.getAttribute('entityID') === entityId);
  if (matching.length === 0)
    throw new MetadataError(entityId === undefined ? 'metadata has no EntityDescriptor' : 'metadata has no EntityDescriptor for entityId');
  if (matching.length > 1) {
    throw new MetadataError(
      entityId === undefined
        ? 'metadata has several EntityDescriptors: set entityId'
        : 'metadata has several EntityDescriptors for entityId',
    );
  }
  if (!matching[0].entity.getAttribute('entityID')) throw new MetadataError('EntityDescriptor has no entityID');
  return matching[0];
}

/** §2.4.1: protocolSupportEnumeration is a whitespace-separated list of protocol URIs. */
function supportsSaml2(role: Element): boolean {
  return (role.getAttribute('protocolSupportEnumeration') ?? '').split(/\s+/).includes(SAML2_PROTOCOL);
}

/** §2.2.2 EndpointType: the first endpoint of this kind in the HTTP-Redirect binding (the one this SP uses). */
function redirectLocation(idp: Element, kind: 'SingleSignOnService' | 'SingleLogoutService'): string | undefined {
  return requestLocation(idp, kind, REDIRECT_BINDING);
}

/** §2.2.2 EndpointType: the Location of the first endpoint of this kind in `binding`. */
function requestLocation(idp: Element, kind: 'SingleSignOnService' | 'SingleLogoutService', binding: string): string | undefined {
  const endpoint = firstEndpoint(idp, kind, binding);
  return endpoint && httpUrl(endpoint.getAttribute('Location') ?? '', `${kind} Location`);
}

/**
 * §2.2.2: "ResponseLocation … specifies a different location to which response messages sent as part
 * of the protocol or profile should be sent"; without it, responses go to Location. Of the first
 * SingleLogoutService in `binding`, as the SSO and SLO request endpoints are chosen.
 */
function responseLocation(idp: Element, binding: string): string | undefined {
  const endpoint = firstEndpoint(idp, 'SingleLogoutService', binding);
  if (!endpoint) return undefined;
  const response = endpoint.getAttribute('ResponseLocation');
  if (response) return httpUrl(response, 'SingleLogoutService ResponseLocation');
  return httpUrl(endpoint.getAttribute('Location') ?? '', 'SingleLogoutService Location');
}

function firstEndpoint(idp: Element, kind: 'SingleSignOnService' | 'SingleLogoutService', binding: string): Element | undefined {
  return childElements(idp, kind, [MD]).find((e) => e.getAttribute('Binding') === binding);
}

/** An endpoint URL this SP may send a browser to; anything else refuses the metadata. */
function httpUrl(location: string, what: string): string {
  try {
    const url = new URL(location);
    if (url.protocol === 'https:' || url.protocol === 'http:') return location;
  } catch {
    // refused below
  }
  throw new MetadataError(`${what} is not an http(s) URL`);
}

/**
 * §2.4.1.1 KeyDescriptor: `use="signing"`, or no `use` (the key serves both purposes); its
 * ds:KeyInfo/ds:X509Data/ds:X509Certificate (XML-DSig §4.4.4) is a base64 DER certificate.
 */
function signingCertificates(idp: Element): TrustedCertificate[] {
  const pems = new Set<string>();
  for (const descriptor of childElements(idp, 'KeyDescriptor', [MD])) {
    const use = descriptor.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const keyInfo of childElements(descriptor, 'KeyInfo', [DS])) {
      for (const data of childElements(keyInfo, 'X509Data', [DS])) {
        for (const certificate of childElements(data, 'X509Certificate', [DS])) pems.add(toPem(certificate.textContent ?? ''));
      }
    }
  }
  return [...pems].map(withValidity);
}

function toPem(text: string): string {
  const body = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new MetadataError('X509Certificate is not base64');
  const pem = `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
  } catch {
    throw new MetadataError('X509Certificate is not a valid certificate');
  }
  return pem;
}

/** xs:dateTime (§2.3.1 validUntil); an unreadable one is refused rather than ignored. */
function dateAttribute(element: Element, name: string): Date | undefined {
  const value = element.getAttribute(name);
  if (!value) return undefined;
  const date = new Date(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) || Number.isNaN(date.getTime())) {
    throw new MetadataError(`${name} is not an xs:dateTime`);
  }
  return date;
}

function earliest(dates: (Date | undefined)[]): Date | undefined {
  return dates.reduce<Date | undefined>((min, date) => (date && (!min || date < min) ? date : min), undefined);
}
