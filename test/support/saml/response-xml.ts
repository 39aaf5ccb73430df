import { randomBytes } from 'node:crypto';
import type { SamlAttributes } from './saml-attributes.js';

/**
 * The unsigned SAML Response the test IdP starts from: an XML template (not samlify's, whose
 * template cannot express a wrong Destination, a missing Conditions and the like), filled with
 * escaped values. Signing and encryption follow in test-idp.ts with samlify's libsaml.
 */
export const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
export const RESPONDER = 'urn:oasis:names:tc:SAML:2.0:status:Responder';
export const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

export interface ResponseFields {
  responseId: string;
  assertionId: string;
  issueInstant: Date;
  /** Response@Issuer; null omits it. */
  issuer: string | null;
  assertionIssuer: string;
  /** null omits the attribute. */
  destination: string | null;
  inResponseTo: string | null;
  status: { code: string; subCode?: string; message?: string };
  nameId: string | null;
  nameIdFormat: string;
  recipient: string | null;
  subjectInResponseTo: string | null;
  subjectNotOnOrAfter: Date | null;
  /** null omits the Conditions element. */
  conditions: { notBefore: Date | null; notOnOrAfter: Date | null; audiences: string[] | null } | null;
  authnInstant: Date;
  sessionIndex: string | null;
  sessionNotOnOrAfter: Date | null;
  authnContextClassRef: string;
  attributes: SamlAttributes;
}

export function randomSamlId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

export function responseXml(f: ResponseFields): string {
  const success = f.status.code === SUCCESS;
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"` +
    ` ID="${esc(f.responseId)}" Version="2.0" IssueInstant="${time(f.issueInstant)}"` +
    optionalAttr('Destination', f.destination) +
    optionalAttr('InResponseTo', f.inResponseTo) +
    '>' +
    (f.issuer === null ? '' : `<saml:Issuer>${esc(f.issuer)}</saml:Issuer>`) +
    statusXml(f.status) +
    (success ? assertionXml(f) : '') +
    '</samlp:Response>'
  );
}

function statusXml(status: ResponseFields['status']): string {
  const sub = status.subCode ? `<samlp:StatusCode Value="${esc(status.subCode)}"/>` : '';
  const message = status.message ? `<samlp:StatusMessage>${esc(status.message)}</samlp:StatusMessage>` : '';
  return `<samlp:Status><samlp:StatusCode Value="${esc(status.code)}">${sub}</samlp:StatusCode>${message}</samlp:Status>`;
}

export function assertionXml(f: ResponseFields): string {
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema"` +
    ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${esc(f.assertionId)}" Version="2.0" IssueInstant="${time(f.issueInstant)}">` +
    `<saml:Issuer>${esc(f.assertionIssuer)}</saml:Issuer>` +
    subjectXml(f) +
    conditionsXml(f.conditions) +
    `<saml:AuthnStatement AuthnInstant="${time(f.authnInstant)}"` +
    optionalAttr('SessionIndex', f.sessionIndex) +
    optionalAttr('SessionNotOnOrAfter', f.sessionNotOnOrAfter && time(f.sessionNotOnOrAfter)) +
    `><saml:AuthnContext><saml:AuthnContextClassRef>${esc(f.authnContextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    attributesXml(f.attributes) +
    '</saml:Assertion>'
  );
}

function subjectXml(f: ResponseFields): string {
  const nameId = f.nameId === null ? '' : `<saml:NameID Format="${esc(f.nameIdFormat)}">${esc(f.nameId)}</saml:NameID>`;
  const data =
    '<saml:SubjectConfirmationData' +
    optionalAttr('NotOnOrAfter', f.subjectNotOnOrAfter && time(f.subjectNotOnOrAfter)) +
    optionalAttr('Recipient', f.recipient) +
    optionalAttr('InResponseTo', f.subjectInResponseTo) +
    '/>';
  return `<saml:Subject>${nameId}<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">${data}</saml:SubjectConfirmation></saml:Subject>`;
}

function conditionsXml(c: ResponseFields['conditions']): string {
  if (c === null) return '';
  const audiences =
    c.audiences === null
      ? ''
      : `<saml:AudienceRestriction>${c.audiences.map((a) => `<saml:Audience>${esc(a)}</saml:Audience>`).join('')}</saml:AudienceRestriction>`;
  return (
    '<saml:Conditions' +
    optionalAttr('NotBefore', c.notBefore && time(c.notBefore)) +
    optionalAttr('NotOnOrAfter', c.notOnOrAfter && time(c.notOnOrAfter)) +
    `>${audiences}</saml:Conditions>`
  );
}

function attributesXml(attributes: SamlAttributes): string {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return '';
  const body = entries
    .map(([name, value]) => {
      const values = (Array.isArray(value) ? value : [value]).map(
        (v) => `<saml:AttributeValue xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`,
      );
      return `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values.join('')}</saml:Attribute>`;
    })
    .join('');
  return `<saml:AttributeStatement>${body}</saml:AttributeStatement>`;
}

function optionalAttr(name: string, value: string | null | undefined): string {
  return value === null || value === undefined ? '' : ` ${name}="${esc(value)}"`;
}

function time(date: Date): string {
  return date.toISOString();
}

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
