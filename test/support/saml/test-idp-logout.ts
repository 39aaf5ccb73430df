import { sign } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import samlify from 'samlify';
import { randomSamlId } from './response-xml.js';

/**
 * The test IdP's single logout (SAML Profiles §4.4), built on samlify and plain node:crypto, never on
 * node-saml: LogoutRequests and LogoutResponses from XML templates (every field can be made wrong),
 * signed in either binding; and the SP's LogoutResponses and LogoutRequests parsed and verified
 * against the SP's signing certificate by samlify.
 *
 *   const logout = idp.logout.request({ nameId, sessionIndex, binding: 'redirect' });
 *   await fetch(logout.url)                                   // HTTP-Redirect: GET the broker endpoint
 *   await fetch(idp.acsUrl, { method: 'POST', body: new URLSearchParams(logout.form) })   // HTTP-POST
 *   const answer = await idp.logout.parseResponse(theSpsReply);   // verified: InResponseTo, status, …
 */
export interface LogoutRequestOptions {
  binding: 'redirect' | 'post';
  nameId: string;
  nameIdFormat?: string;
  /** Each becomes a SessionIndex; none names every session of the NameID. */
  sessionIndexes?: string[];
  id?: string;
  /** The IdP's clock; default now. */
  now?: Date;
  /** Seconds from `now`; null omits it. Default +120. */
  notOnOrAfter?: number | null;
  /** null omits it. Default the IdP's entity id. */
  issuer?: string | null;
  /** null omits it. Default the SP's broker endpoint. */
  destination?: string | null;
  relayState?: string;
  /** Default true. */
  sign?: boolean;
  /** Sign with another key (another realm's IdP). PEM. */
  signingKey?: string;
  signingCertificate?: string;
}

export interface LogoutResponseOptions {
  binding: 'redirect' | 'post';
  inResponseTo: string;
  relayState?: string;
  status?: string;
  subStatus?: string;
  now?: Date;
  destination?: string;
  sign?: boolean;
}

/** A message to send: its URL (HTTP-Redirect) or its form (HTTP-POST to the broker endpoint). */
export interface OutgoingMessage {
  id: string;
  xml: string;
  url: string;
  form: Record<string, string>;
}

/** The SP's reply as the browser got it: a redirect's Location, or a self-posting form's fields. */
export type SpReply = { location: string } | { form: Record<string, string> };

export interface ParsedLogoutResponse {
  inResponseTo: string;
  destination: string;
  issuer: string;
  status: string;
  subStatus?: string;
  relayState?: string;
}

export interface ParsedLogoutRequest {
  id: string;
  destination: string;
  issuer: string;
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
  relayState: string;
}

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const NS = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"';

type IdpEntity = ReturnType<typeof samlify.IdentityProvider>;
type SpEntity = ReturnType<typeof samlify.ServiceProvider>;
type XmlSigner = (xml: string, root: string, key: string, certificate: string) => string;

export class TestIdpLogout {
  constructor(
    private readonly entityId: string,
    /** The SP's broker endpoint, where logout messages go. */
    private readonly endpoint: string,
    private readonly signingKey: string,
    private readonly signingCertificate: string,
    private readonly idp: IdpEntity,
    private readonly sp: SpEntity,
    private readonly signXml: XmlSigner,
  ) {}

  /** A LogoutRequest (SAML Core §3.7.1) to the SP. */
  request(options: LogoutRequestOptions): OutgoingMessage {
    const now = options.now ?? new Date();
    const id = options.id ?? randomSamlId();
    const notOnOrAfter = options.notOnOrAfter === undefined ? 120 : options.notOnOrAfter;
    const attributes = [
      `ID="${id}"`,
      'Version="2.0"',
      `IssueInstant="${now.toISOString()}"`,
      ...(options.destination === null ? [] : [`Destination="${esc(options.destination ?? this.endpoint)}"`]),
      ...(notOnOrAfter === null ? [] : [`NotOnOrAfter="${new Date(now.getTime() + notOnOrAfter * 1000).toISOString()}"`]),
    ];
    const issuer = options.issuer === null ? '' : `<saml:Issuer>${esc(options.issuer ?? this.entityId)}</saml:Issuer>`;
    const format = options.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
    const sessionIndexes = (options.sessionIndexes ?? []).map((index) => `<samlp:SessionIndex>${esc(index)}</samlp:SessionIndex>`).join('');
    const xml =
      `<samlp:LogoutRequest ${NS} ${attributes.join(' ')}>${issuer}` +
      `<saml:NameID Format="${esc(format)}">${esc(options.nameId)}</saml:NameID>${sessionIndexes}</samlp:LogoutRequest>`;
    return this.outgoing('SAMLRequest', 'LogoutRequest', id, xml, options);
  }

  /** A LogoutResponse (SAML Core §3.7.2) to the SP's LogoutRequest. */
  response(options: LogoutResponseOptions): OutgoingMessage {
    const now = options.now ?? new Date();
    const id = randomSamlId();
    const sub = options.subStatus ? `<samlp:StatusCode Value="${esc(options.subStatus)}"/>` : '';
    const xml =
      `<samlp:LogoutResponse ${NS} ID="${id}" Version="2.0" IssueInstant="${now.toISOString()}" ` +
      `Destination="${esc(options.destination ?? this.endpoint)}" InResponseTo="${esc(options.inResponseTo)}">` +
      `<saml:Issuer>${esc(this.entityId)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="${esc(options.status ?? SUCCESS)}">${sub}</samlp:StatusCode></samlp:Status></samlp:LogoutResponse>`;
    return this.outgoing('SAMLResponse', 'LogoutResponse', id, xml, options);
  }

  /**
   * The SP's LogoutResponse, parsed and its signature verified by samlify against the SP's
   * certificate. samlify's flow refuses a non-Success one before it checks the signature, so that one
   * is verified by samlify's own signature checks directly ({@link verifiedNonSuccess}).
   */
  async parseResponse(reply: SpReply): Promise<ParsedLogoutResponse> {
    const xml =
      'form' in reply
        ? Buffer.from(reply.form.SAMLResponse ?? '', 'base64').toString('utf8')
        : inflateRedirectMessage(reply.location, 'SAMLResponse');
    if (/<samlp:StatusCode Value="([^"]+)"/.exec(xml)?.[1] !== SUCCESS) return this.verifiedNonSuccess(reply, xml);
    const { parsed, relayState } = await this.parse(reply, 'SAMLResponse', (binding, request) =>
      this.idp.parseLogoutResponse(this.sp, binding, request),
    );
    const response = parsed.extract.response as Record<string, string>;
    const status = [...parsed.samlContent.matchAll(/StatusCode Value="([^"]+)"/g)].map((match) => match[1]);
    return {
      inResponseTo: response.inResponseTo,
      destination: response.destination,
      issuer: parsed.extract.issuer as string,
      status: status[0],
      subStatus: status[1],
      relayState,
    };
  }

  /** A non-Success LogoutResponse: its signature (query or enveloped) verified with samlify's SamlLib, its fields read. */
  private verifiedNonSuccess(reply: SpReply, xml: string): ParsedLogoutResponse {
    let relayState: string | undefined;
    if ('form' in reply) {
      const [verified] = samlify.SamlLib.verifySignature(xml, { metadata: this.sp.entityMeta, signatureAlgorithm: RSA_SHA256 });
      if (!verified) throw new Error('LogoutResponse signature does not verify');
      relayState = reply.form.RelayState;
    } else {
      const url = new URL(reply.location);
      const raw = url.search.slice(1).split('&');
      const octetString = ['SAMLResponse', 'RelayState', 'SigAlg']
        .map((name) => raw.find((pair) => pair.startsWith(`${name}=`)))
        .filter(Boolean)
        .join('&');
      const signature = Buffer.from(url.searchParams.get('Signature') ?? '', 'base64');
      if (!samlify.SamlLib.verifyMessageSignature(this.sp.entityMeta, octetString, signature, url.searchParams.get('SigAlg') ?? '')) {
        throw new Error('LogoutResponse signature does not verify');
      }
      relayState = url.searchParams.get('RelayState') ?? undefined;
    }
    const issuer = /<saml:Issuer>([^<]*)<\/saml:Issuer>/.exec(xml)?.[1];
    if (!/^(<\?xml[^>]*\?>)?<samlp:LogoutResponse[\s>]/.test(xml) || issuer !== this.sp.entityMeta.getEntityID())
      throw new Error('not the SP’s LogoutResponse');
    const status = [...xml.matchAll(/StatusCode Value="([^"]+)"/g)].map((match) => match[1]);
    return {
      inResponseTo: /InResponseTo="([^"]+)"/.exec(xml)![1],
      destination: /Destination="([^"]+)"/.exec(xml)![1],
      issuer,
      status: status[0],
      subStatus: status[1],
      relayState,
    };
  }

  /**
   * The SP's LogoutRequest, parsed and verified by samlify against the SP's certificate: from the
   * redirect's Location (HTTP-Redirect), or from the fields its self-posting form posts (HTTP-POST).
   */
  async parseRequest(reply: string | SpReply): Promise<ParsedLogoutRequest> {
    const { parsed, relayState } = await this.parse(
      typeof reply === 'string' ? { location: reply } : reply,
      'SAMLRequest',
      (binding, request) => this.idp.parseLogoutRequest(this.sp, binding, request),
    );
    const request = parsed.extract.request as Record<string, string>;
    return {
      id: request.id,
      destination: request.destination,
      issuer: parsed.extract.issuer as string,
      nameId: parsed.extract.nameID as string,
      nameIdFormat: /NameID[^>]*Format="([^"]+)"/.exec(parsed.samlContent)?.[1],
      sessionIndex: (parsed.extract.sessionIndex as string | undefined) ?? undefined,
      relayState: relayState ?? '',
    };
  }

  private async parse(
    reply: SpReply,
    parameter: 'SAMLRequest' | 'SAMLResponse',
    flow: (binding: string, request: Record<string, unknown>) => Promise<{ samlContent: string; extract: Record<string, unknown> }>,
  ) {
    if ('form' in reply) {
      const parsed = await flow('post', { body: reply.form });
      return { parsed, relayState: reply.form.RelayState };
    }
    const url = new URL(reply.location);
    const raw = url.search.slice(1).split('&');
    // SAML Bindings §3.4.4.1: the signature covers the message, RelayState and SigAlg, in that order, as sent.
    const octetString = [parameter, 'RelayState', 'SigAlg']
      .map((name) => raw.find((pair) => pair.startsWith(`${name}=`)))
      .filter(Boolean)
      .join('&');
    const parsed = await flow('redirect', { query: Object.fromEntries(url.searchParams), octetString });
    return { parsed, relayState: url.searchParams.get('RelayState') ?? undefined };
  }

  /** HTTP-Redirect: DEFLATE, base64, RSA-SHA256 over the query (§3.4.4.1). HTTP-POST: an enveloped XML signature (§3.5.4). */
  private outgoing(
    parameter: 'SAMLRequest' | 'SAMLResponse',
    root: string,
    id: string,
    xml: string,
    options: { binding: 'redirect' | 'post'; relayState?: string; sign?: boolean; signingKey?: string; signingCertificate?: string },
  ): OutgoingMessage {
    const key = options.signingKey ?? this.signingKey;
    const certificate = options.signingCertificate ?? this.signingCertificate;
    const relay: Record<string, string> = options.relayState === undefined ? {} : { RelayState: options.relayState };
    if (options.binding === 'post') {
      const signed = options.sign === false ? xml : this.signXml(xml, root, key, certificate);
      const form = { [parameter]: Buffer.from(signed, 'utf8').toString('base64'), ...relay };
      return { id, xml: signed, url: this.endpoint, form };
    }
    const pairs = [`${parameter}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`];
    if (options.relayState !== undefined) pairs.push(`RelayState=${encodeURIComponent(options.relayState)}`);
    if (options.sign !== false) {
      pairs.push(`SigAlg=${encodeURIComponent(RSA_SHA256)}`);
      const signature = sign('RSA-SHA256', Buffer.from(pairs.join('&'), 'utf8'), key).toString('base64');
      pairs.push(`Signature=${encodeURIComponent(signature)}`);
    }
    return { id, xml, url: `${this.endpoint}?${pairs.join('&')}`, form: {} };
  }
}

/** The XML inside a HTTP-Redirect message (for assertions on what the SP sent). */
export function inflateRedirectMessage(location: string, parameter: 'SAMLRequest' | 'SAMLResponse'): string {
  return inflateRawSync(Buffer.from(new URL(location).searchParams.get(parameter)!, 'base64')).toString('utf8');
}

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
