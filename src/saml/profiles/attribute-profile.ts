import type { LevelOfAssurance } from '../../config/shared-values.schema.js';
import type { IdentityProviderConfig } from '../../config/idp-config.schema.js';
import type { Principal } from '../../identity/principal.js';
import type { Realm } from '../../realms/realm.js';

export const PERSISTENT_NAME_ID = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const TRANSIENT_NAME_ID = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/** What a profile sees of a verified assertion: its subject and attributes, nothing else. */
export interface AssertionAttributes {
  nameId?: { value: string; format?: string };
  /** Attribute Name → values, repeated Attribute elements merged (SAML Core §2.7.3.1). */
  attributes: ReadonlyMap<string, readonly string[]>;
}

export interface ProfileContext {
  realm: Realm;
  idp: IdentityProviderConfig;
}

/** Turns one IdP's attribute vocabulary into the typed Principal (src/login/principal.ts). */
export interface AttributeProfile {
  /** NameIDPolicy Format of the AuthnRequest (SAML Core §3.4.1.1); undefined lets the IdP choose. */
  readonly nameIdFormat?: string;
  /** Whether the AuthnRequest asks for the realm's minimum NSIS level (OIOSAML 3 RequestedAuthnContext). */
  readonly requestsNsisLoa: boolean;
  /** Who the profile's Principals are: a citizen realm requires Substantial unless it says otherwise (realms/minimum-loa.ts). */
  readonly kind: Principal['kind'];
  /**
   * How the IdP speaks of levels of assurance, for profiles whose IdP does: the AuthnContextClassRef
   * the AuthnRequest asks for as the minimum (SAML Core §3.3.2.2.1, Comparison="minimum"), and
   * whether the assertion states its level in the AuthnContextClassRef rather than in an attribute.
   */
  readonly assurance?: { requestedClasses: Readonly<Record<LevelOfAssurance, string>>; statedInAuthnContext: boolean };
  /** The Principal without `loa`, which the service checks and sets for every profile alike. */
  toPrincipal(assertion: AssertionAttributes, context: ProfileContext): Principal;
}

/** A profile's refusal; its message is fixed wording or attribute names, never a value. */
export class ProfileError extends Error {}

/** The one value of a required single-valued attribute. */
export function requireSingle(assertion: AssertionAttributes, name: string): string {
  const value = optionalSingle(assertion, name);
  if (value === undefined) throw new ProfileError(`missing attribute ${name}`);
  return value;
}

/** The value of a single-valued attribute, undefined when absent or empty; refused when repeated. */
export function optionalSingle(assertion: AssertionAttributes, name: string): string | undefined {
  const values = (assertion.attributes.get(name) ?? []).filter((v) => v !== '');
  if (values.length > 1) throw new ProfileError(`attribute ${name} has more than one value`);
  return values[0];
}

/** The NameID as a stable external id: present, not transient, persistent when `persistent` is set. */
export function stableNameId(assertion: AssertionAttributes, persistent: boolean): string {
  const nameId = assertion.nameId;
  if (!nameId || nameId.value === '') throw new ProfileError('missing NameID');
  if (nameId.format === TRANSIENT_NAME_ID) throw new ProfileError('transient NameID cannot identify a person');
  if (persistent && nameId.format !== PERSISTENT_NAME_ID) throw new ProfileError('NameID is not persistent');
  return nameId.value;
}

/**
 * One assertion names one person. Where the NameID itself carries a national identifier (the first
 * group of `carrier`, e.g. DigiD's `s00000000:{BSN}`), it must be the one in the identifier attribute,
 * which is what the FHIR link follows; otherwise `sub` (from the NameID) and the linked record would
 * belong to two people, as when an IdP names a representative in the NameID and the person
 * represented in the attribute. Refused with fixed wording: neither value reaches a log.
 */
export function requireNameIdAgrees(nameId: string, carrier: RegExp, identifier: string, what: string): void {
  const carried = carrier.exec(nameId)?.[1];
  if (carried !== undefined && carried !== identifier) throw new ProfileError(`NameID and the ${what} attribute name different persons`);
}

/** given/family/text without empty members, undefined when nothing is known. */
export function personName(given: string | undefined, family: string | undefined, text?: string): Principal['name'] {
  const name = { ...(given ? { given: [given] } : {}), ...(family ? { family } : {}), ...(text ? { text } : {}) };
  return Object.keys(name).length > 0 ? name : undefined;
}
