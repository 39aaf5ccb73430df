import type * as fhir4 from 'fhir/r4.js';
import { FhirRequestError } from '../fhir.errors.js';
import type { FhirGateway } from '../fhir.gateway.js';
import type { Stored } from '../fhir-resources.js';
import { PractitionerRoleSync } from './practitioner-role-sync.js';
import { ROLE_CODE_SYSTEM } from './role-codes.js';

const BASE = 'http://fhir.test/fhir';
const ME = 'Practitioner/me';
const NOW = '2026-06-01T12:00:00.000Z';
const SOR = 'urn:oid:1.2.208.176.1.1';
const DOCTOR = 'urn:role:doctor';

const organization = (id: string, sor: string): Stored<fhir4.Organization> => ({
  resourceType: 'Organization',
  id,
  identifier: [{ system: SOR, value: sor }],
});
const roleOf = (id: string, practitioner: string, org: string): Stored<fhir4.PractitionerRole> => ({
  resourceType: 'PractitionerRole',
  id,
  meta: { versionId: '1' },
  active: true,
  practitioner: { reference: practitioner },
  organization: { reference: org },
  code: [{ coding: [{ system: ROLE_CODE_SYSTEM, code: 'urn:role:nurse' }] }],
});

/** A FHIR server whose PractitionerRole search answers `roles` (with their organisations), whatever was asked. */
function fakeServer(roles: Stored<fhir4.PractitionerRole>[], organizations: Stored<fhir4.Organization>[]) {
  const writes: string[] = [];
  const gateway = {
    searchAll: async (type: string) =>
      type === 'PractitionerRole' ? { matches: roles, included: organizations } : { matches: organizations, included: [] },
    createIfNoneExist: async (resource: fhir4.PractitionerRole) => {
      writes.push(`create ${resource.practitioner?.reference} at ${resource.organization?.reference}`);
      return { resource: { ...resource, id: 'new', meta: { versionId: '1' } }, created: true };
    },
    update: async (resource: Stored<fhir4.PractitionerRole>) => {
      writes.push(`update PractitionerRole/${resource.id}`);
      return resource;
    },
    readResource: async () => {
      throw new Error('no re-read expected');
    },
    absoluteUrl: (reference: string) => `${BASE}/${reference}`,
  } as unknown as FhirGateway;
  return { gateway, writes };
}

describe('PractitionerRoleSync', () => {
  const orgA = organization('org-A', '111');
  const orgB = organization('org-B', '222');
  const privileges = [{ identifier: { system: SOR, value: '111' }, roles: [DOCTOR] }];

  it('refuses, writing nothing, when the search returned roles of another practitioner (parameter ignored)', async () => {
    const { gateway, writes } = fakeServer(
      [
        roleOf('role-other-A', 'Practitioner/other', 'Organization/org-A'),
        roleOf('role-other-B', 'Practitioner/other', 'Organization/org-B'),
      ],
      [orgA, orgB],
    );
    const refusal = new PractitionerRoleSync(gateway).sync(ME, privileges, NOW, {});
    await expect(refusal).rejects.toBeInstanceOf(FhirRequestError);
    await expect(refusal).rejects.toThrow('FHIR search PractitionerRole: a match lacks the searched practitioner');
    expect(writes).toEqual([]);
  });

  it('refuses when one role among the clinician’s own belongs to someone else', async () => {
    const { gateway, writes } = fakeServer(
      [roleOf('role-me-A', ME, 'Organization/org-A'), roleOf('role-other-B', 'Practitioner/other', 'Organization/org-B')],
      [orgA, orgB],
    );
    await expect(new PractitionerRoleSync(gateway).sync(ME, privileges, NOW, {})).rejects.toBeInstanceOf(FhirRequestError);
    expect(writes).toEqual([]);
  });

  it('counts a role whose practitioner is an absolute or versioned reference to the clinician (R4 references.html#literal)', async () => {
    const { gateway, writes } = fakeServer(
      [roleOf('role-me-A', `${BASE}/${ME}`, 'Organization/org-A'), roleOf('role-me-B', `${ME}/_history/3`, 'Organization/org-B')],
      [orgA, orgB],
    );
    const linked = await new PractitionerRoleSync(gateway).sync(ME, privileges, NOW, {});
    expect(linked).toEqual([{ organization: `${BASE}/Organization/org-A`, roles: [DOCTOR] }]);
    // The role at A gets the asserted code; the one at B, no longer asserted, is ended.
    expect(writes.sort()).toEqual(['update PractitionerRole/role-me-A', 'update PractitionerRole/role-me-B']);
  });

  it('keeps the role in force at an organisation, not an ended one beside it, and ends other roles still in force there', async () => {
    const ended = { ...roleOf('role-ended-A', ME, 'Organization/org-A'), active: false, period: { end: '2025-01-01' } };
    const current = roleOf('role-current-A', ME, 'Organization/org-A');
    const duplicate = roleOf('role-duplicate-A', ME, 'Organization/org-A');
    const { gateway, writes } = fakeServer([ended, current, duplicate], [orgA]);
    const linked = await new PractitionerRoleSync(gateway).sync(ME, privileges, NOW, {});
    expect(linked).toEqual([{ organization: `${BASE}/Organization/org-A`, roles: [DOCTOR] }]);
    // The role in force gets the asserted code; the duplicate, left in force with the code the
    // assertion no longer names, is ended; the ended one stays as it is.
    expect(writes.sort()).toEqual(['update PractitionerRole/role-current-A', 'update PractitionerRole/role-duplicate-A']);
  });

  it('takes an Organization marked inactive (R4 Organization.active, a modifier) for none: its role is ended, and a record in force with its identifier is taken', async () => {
    const closed = { ...orgA, active: false };
    const alone = fakeServer([roleOf('role-me-A', ME, 'Organization/org-A')], [closed]);
    expect(await new PractitionerRoleSync(alone.gateway).sync(ME, privileges, NOW, {})).toEqual([]);
    expect(alone.writes).toEqual(['update PractitionerRole/role-me-A']);

    const successor = organization('org-A2', '111');
    const replaced = fakeServer([roleOf('role-me-A', ME, 'Organization/org-A')], [closed, successor]);
    const linked = await new PractitionerRoleSync(replaced.gateway).sync(ME, privileges, NOW, {});
    expect(linked).toEqual([{ organization: `${BASE}/Organization/org-A2`, roles: [DOCTOR] }]);
    expect(replaced.writes.sort()).toEqual(['create Practitioner/me at Organization/org-A2', 'update PractitionerRole/role-me-A']);
  });
});
