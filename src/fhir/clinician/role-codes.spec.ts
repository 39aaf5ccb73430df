import { normaliseRoles, ROLE_CODE_SYSTEM, rolesOf, sameRoles, withRoles } from './role-codes.js';

describe('role codes', () => {
  it('compares role sets regardless of order and repeats', () => {
    expect(sameRoles(['b', 'a', 'a'], ['a', 'b'])).toBe(true);
    expect(sameRoles(['a'], ['a', 'b'])).toBe(false);
    expect(sameRoles([], [])).toBe(true);
    expect(normaliseRoles(['b', 'a', 'b'])).toEqual(['a', 'b']);
  });

  it('reads back only the roles coded in our system', () => {
    const concepts = [
      { coding: [{ system: ROLE_CODE_SYSTEM, code: 'urn:role:b' }] },
      { coding: [{ system: 'http://snomed.info/sct', code: '158965000' }] },
      { coding: [{ system: ROLE_CODE_SYSTEM, code: 'urn:role:a' }] },
    ];
    expect(rolesOf(concepts)).toEqual(['urn:role:a', 'urn:role:b']);
    expect(rolesOf(undefined)).toEqual([]);
  });

  it('replaces our roles but keeps concepts other writers coded elsewhere', () => {
    const foreign = { coding: [{ system: 'http://snomed.info/sct', code: '158965000' }] };
    const existing = [{ coding: [{ system: ROLE_CODE_SYSTEM, code: 'urn:role:old' }] }, foreign];
    const next = withRoles(existing, ['urn:role:new']);
    expect(next).toEqual([{ coding: [{ system: ROLE_CODE_SYSTEM, code: 'urn:role:new' }] }, foreign]);
    expect(rolesOf(next)).toEqual(['urn:role:new']);
    expect(withRoles(undefined, [])).toBeUndefined();
  });
});
