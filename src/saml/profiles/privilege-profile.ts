import type { CareTeamPrivileges, OrganisationPrivileges } from '../../identity/principal.js';
import { childElements, parseEmbeddedXml } from '../xml-dom.js';
import { XmlPrecheckError, decodeBase64Xml } from '../xml-prechecks.js';

/**
 * OIOSAML Basic Privilege Profile (`dk:gov:saml:attribute:Privileges_intermediate`): base64 of
 * `<bpp:PrivilegeList><PrivilegeGroup Scope="…"><Privilege>role URN</Privilege>…`, one group per
 * scope. Scopes (DOMAIN.md):
 * - `urn:dk:gov:saml:sorIdentifier:{sor}` → organisation (SOR `urn:oid:1.2.208.176.1.1`, `{sor}`);
 * - `urn:dk:sundhed:ehealth:careteam:{id}` → care team `{id}`;
 * - `urn:dk:gov:saml:cvrNumberIdentifier:{cvr}` → ignored: the employing company is not a care
 *   organisation in FHIR, so privileges scoped to it grant nothing there, and no FHIR identifier
 *   system for CVR is settled for this service;
 * - anything else → ignored.
 * Groups of one scope are merged; roles keep their first-seen order without duplicates.
 */
export const BPP_NAMESPACE = 'http://itst.dk/oiosaml/basic_privilege_profile';
export const SOR_SYSTEM = 'urn:oid:1.2.208.176.1.1';
const SOR_SCOPE = 'urn:dk:gov:saml:sorIdentifier:';
const CARE_TEAM_SCOPE = 'urn:dk:sundhed:ehealth:careteam:';
/** A privilege list is small; this caps what one attribute value may make us parse. */
export const MAX_PRIVILEGE_XML_BYTES = 64_000;

/** The children of PrivilegeList are unqualified in the profile's examples; qualified is accepted too. */
const CHILD_NAMESPACES = [null, BPP_NAMESPACE] as const;

export interface PrivilegeProfile {
  organisations: OrganisationPrivileges[];
  careTeams: CareTeamPrivileges[];
}

export class PrivilegeProfileError extends Error {}

/** Parses every value of the attribute; any malformed value fails the whole login (fail closed). */
export function parsePrivilegeProfile(base64Values: readonly string[]): PrivilegeProfile {
  const organisations = new Map<string, string[]>();
  const careTeams = new Map<string, string[]>();
  for (const value of base64Values) {
    for (const group of privilegeGroups(value)) {
      const scope = group.getAttribute('Scope')?.trim() ?? '';
      const roles = childElements(group, 'Privilege', CHILD_NAMESPACES)
        .map((p) => (p.textContent ?? '').trim())
        .filter((role) => role !== '');
      if (scope.startsWith(SOR_SCOPE)) addRoles(organisations, scopeId(scope, SOR_SCOPE), roles);
      else if (scope.startsWith(CARE_TEAM_SCOPE)) addRoles(careTeams, scopeId(scope, CARE_TEAM_SCOPE), roles);
    }
  }
  return {
    organisations: [...organisations].map(([value, roles]) => ({ identifier: { system: SOR_SYSTEM, value }, roles })),
    careTeams: [...careTeams].map(([id, roles]) => ({ id, roles })),
  };
}

function privilegeGroups(base64: string): Element[] {
  let xml: string;
  try {
    xml = decodeBase64Xml(base64, MAX_PRIVILEGE_XML_BYTES);
  } catch (error) {
    throw new PrivilegeProfileError(`privilege attribute: ${error instanceof XmlPrecheckError ? error.message : 'undecodable'}`);
  }
  const root = parseEmbeddedXml(xml)?.documentElement;
  if (!root || root.localName !== 'PrivilegeList' || root.namespaceURI !== BPP_NAMESPACE) {
    throw new PrivilegeProfileError('privilege attribute: not a basic privilege profile PrivilegeList');
  }
  return childElements(root, 'PrivilegeGroup', CHILD_NAMESPACES);
}

function scopeId(scope: string, prefix: string): string {
  const id = scope.slice(prefix.length);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new PrivilegeProfileError('privilege attribute: malformed scope identifier');
  return id;
}

function addRoles(target: Map<string, string[]>, id: string, roles: string[]): void {
  const merged = target.get(id) ?? [];
  for (const role of roles) if (!merged.includes(role)) merged.push(role);
  target.set(id, merged);
}
