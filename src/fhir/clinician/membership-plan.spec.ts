import type * as fhir4 from 'fhir/r4.js';
import { isActiveParticipant, isParticipantNow, newRole, planJoin, planLeave, planRole, planRoleEnd } from './membership-plan.js';
import { ROLE_CODE_SYSTEM, rolesOf } from './role-codes.js';

const ME = 'Practitioner/me';
const T0 = '2026-01-01T00:00:00.000Z';
const NOW = '2026-06-01T12:00:00.000Z';
const role = (code: string) => ({ coding: [{ system: ROLE_CODE_SYSTEM, code }] });
const team = (participant: fhir4.CareTeamParticipant[] = []): fhir4.CareTeam => ({ resourceType: 'CareTeam', id: 'ct', participant });
const other: fhir4.CareTeamParticipant = { member: { reference: 'Practitioner/other' }, period: { start: T0 } };

describe('planJoin', () => {
  it('adds the clinician with an open period starting now and their roles, keeping others', () => {
    const next = planJoin(team([other]), ME, ['urn:role:doctor'], NOW);
    expect(next?.participant).toEqual([other, { member: { reference: ME }, period: { start: NOW }, role: [role('urn:role:doctor')] }]);
  });

  it('plans nothing for an active member with the same roles', () => {
    const member = { member: { reference: ME }, period: { start: T0 }, role: [role('urn:role:doctor')] };
    expect(planJoin(team([other, member]), ME, ['urn:role:doctor'], NOW)).toBeUndefined();
  });

  it('updates the roles of an active membership in place, keeping its start', () => {
    const member = { member: { reference: ME }, period: { start: T0 }, role: [role('urn:role:doctor')] };
    const next = planJoin(team([member]), ME, ['urn:role:nurse'], NOW);
    expect(next?.participant).toEqual([{ member: { reference: ME }, period: { start: T0 }, role: [role('urn:role:nurse')] }]);
  });

  it('starts a new membership after an ended one, leaving the ended one as history', () => {
    const ended = { member: { reference: ME }, period: { start: T0, end: '2026-02-01T00:00:00.000Z' } };
    const next = planJoin(team([ended]), ME, [], NOW);
    expect(next?.participant).toEqual([ended, { member: { reference: ME }, period: { start: NOW } }]);
  });

  it('closes duplicate active memberships so one remains', () => {
    const a = { member: { reference: ME }, period: { start: T0 } };
    const b = { member: { reference: `http://fhir/${ME}` }, period: { start: T0 } };
    const next = planJoin(team([a, b]), ME, [], NOW);
    expect(next?.participant?.filter((p) => isActiveParticipant(p, ME))).toHaveLength(1);
    expect(next?.participant?.[1]?.period?.end).toBe(NOW);
  });
});

describe('isParticipantNow', () => {
  const now = Date.parse(NOW);
  it.each([
    ['an open period begun', { start: T0 }, true],
    ['no period', undefined, true],
    ['a period beginning at this instant', { start: NOW }, true],
    ['a partial date of a past year', { start: '2025' }, true],
    ['a period beginning within the clocks’ skew (another instance wrote it)', { start: '2026-06-01T12:00:59.000Z' }, true],
    ['a period beginning later', { start: '2026-06-01T12:01:01.000Z' }, false],
    ['a period beginning in a later year', { start: '2099' }, false],
    ['a start that is no dateTime', { start: 'soon' }, false],
    ['a start Date.parse reads but R4 does not (a bare 1, "June 1")', { start: '1' }, false],
    ['an instant with an offset', { start: '2026-06-01T13:30:00+02:00' }, true],
    ['an ended period', { start: T0, end: NOW }, false],
  ])('%s', (_case, period, expected) => {
    expect(isParticipantNow({ member: { reference: ME }, period }, ME, now)).toBe(expected);
  });

  it('is about the member named', () => {
    expect(isParticipantNow(other, ME, Date.parse(NOW))).toBe(false);
  });
});

describe('planLeave', () => {
  it('ends the active membership instead of deleting it', () => {
    const member = { member: { reference: ME }, period: { start: T0 } };
    expect(planLeave(team([other, member]), ME, NOW)?.participant).toEqual([
      other,
      { member: { reference: ME }, period: { start: T0, end: NOW } },
    ]);
  });

  it('plans nothing when the clinician is not an active member', () => {
    expect(planLeave(team([other, { member: { reference: ME }, period: { start: T0, end: T0 } }]), ME, NOW)).toBeUndefined();
  });
});

describe('PractitionerRole plans', () => {
  const base = newRole(ME, 'Organization/o', ['urn:role:doctor'], T0);

  it('creates an active role for the practitioner at the organisation', () => {
    expect(base).toEqual({
      resourceType: 'PractitionerRole',
      active: true,
      period: { start: T0 },
      practitioner: { reference: ME },
      organization: { reference: 'Organization/o' },
      code: [role('urn:role:doctor')],
    });
  });

  it('plans nothing for an active role with the same codes, and replaces changed codes', () => {
    expect(planRole(base, ['urn:role:doctor'], NOW)).toBeUndefined();
    const changed = planRole(base, ['urn:role:nurse', 'urn:role:doctor'], NOW);
    expect(rolesOf(changed?.code)).toEqual(['urn:role:doctor', 'urn:role:nurse']);
    expect(changed?.period).toEqual({ start: T0 });
  });

  it('ends a role once, and reopens it with a new period', () => {
    const ended = planRoleEnd(base, NOW);
    expect(ended).toMatchObject({ active: false, period: { start: T0, end: NOW } });
    expect(planRoleEnd(ended as fhir4.PractitionerRole, NOW)).toBeUndefined();
    expect(planRole(ended as fhir4.PractitionerRole, ['urn:role:doctor'], NOW)).toMatchObject({ active: true, period: { start: NOW } });
  });
});
