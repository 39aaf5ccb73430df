import { needsPatientContext, parseSmartResourceScope, scopeCovers, scopesTheSubjectBears } from './smart-scope.js';

describe('parseSmartResourceScope (SMART App Launch 2.x scopes)', () => {
  it.each([
    ['patient/*.rs', { context: 'patient', resource: '*', permissions: 'rs' }],
    ['user/Observation.cruds', { context: 'user', resource: 'Observation', permissions: 'cruds' }],
    ['patient/Patient.r', { context: 'patient', resource: 'Patient', permissions: 'r' }],
    ['system/*.read', { context: 'system', resource: '*', permissions: 'rs' }],
    ['patient/*.write', { context: 'patient', resource: '*', permissions: 'cud' }],
    ['user/*.*', { context: 'user', resource: '*', permissions: 'cruds' }],
  ])('reads %s', (scope, parts) => {
    expect(parseSmartResourceScope(scope)).toEqual(parts);
  });

  it.each([
    ['no permission', 'patient/*.'],
    ['letters out of cruds order', 'patient/*.sr'],
    ['a repeated letter', 'patient/*.rr'],
    ['another context', 'group/*.rs'],
    ['a lower-case resource type', 'patient/observation.rs'],
    ['a v2 query', 'patient/Observation.rs?category=laboratory'],
    ['an OIDC scope', 'openid'],
    ['launch context', 'launch/patient'],
  ])('refuses %s', (_name, scope) => {
    expect(parseSmartResourceScope(scope)).toBeUndefined();
  });
});

describe('scopeCovers', () => {
  it('covers the same value, and narrower resource scopes of the same context', () => {
    expect(scopeCovers('xis', 'xis')).toBe(true);
    expect(scopeCovers('patient/*.rs', 'patient/*.rs')).toBe(true);
    expect(scopeCovers('patient/*.rs', 'patient/Observation.r')).toBe(true);
    expect(scopeCovers('patient/*.rs', 'patient/*.read')).toBe(true);
    expect(scopeCovers('patient/*.read', 'patient/Observation.rs')).toBe(true);
    expect(scopeCovers('user/*.cruds', 'user/Patient.write')).toBe(true);
  });

  it('does not cover more permissions, another resource type or another context', () => {
    expect(scopeCovers('patient/*.rs', 'patient/*.cruds')).toBe(false);
    expect(scopeCovers('patient/*.read', 'patient/*.write')).toBe(false);
    expect(scopeCovers('patient/Observation.rs', 'patient/Patient.r')).toBe(false);
    expect(scopeCovers('patient/Observation.rs', 'patient/*.r')).toBe(false);
    expect(scopeCovers('patient/*.rs', 'user/*.rs')).toBe(false);
    expect(scopeCovers('xis', 'xis-archive')).toBe(false);
  });
});

describe('search-narrowed scopes (SMART 2.x, finer-grained constraints using search parameters)', () => {
  it('cover only themselves, held or asked for: a search is free text, and a wider scope does not admit it', () => {
    const lab = 'patient/Observation.rs?category=laboratory';
    expect(scopeCovers(lab, lab)).toBe(true);
    for (const held of ['patient/Observation.rs', 'patient/*.rs', 'patient/*.cruds']) expect(scopeCovers(held, lab)).toBe(false);
    expect(scopeCovers('patient/*.rs', 'patient/Patient.read?identifier=urn%3Aoid%3A1.2.208.176.1.2%7C0101011234')).toBe(false);
    expect(scopeCovers(lab, 'patient/Observation.rs')).toBe(false);
    expect(scopeCovers(lab, 'patient/Observation.rs?category=laboratory&code=x')).toBe(false);
  });
});

describe('needsPatientContext', () => {
  it.each(['launch/patient', 'patient/*.rs', 'patient/Observation.read', 'patient/Observation.rs?category=laboratory'])(
    '%s does',
    (scope) => {
      expect(needsPatientContext(scope)).toBe(true);
    },
  );

  it.each(['openid', 'launch', 'patient', 'patient/x', 'user/*.rs', 'user/Observation.rs?category=laboratory', 'system/*.rs'])(
    '%s does not',
    (scope) => {
      expect(needsPatientContext(scope)).toBe(false);
    },
  );

  it('keeps of a subject’s scopes those its token can bear: patient-level ones beside a patient, system ones for a machine', () => {
    const scopes = [
      'openid',
      'launch/patient',
      'patient/*.rs',
      'patient/Observation.rs?category=laboratory',
      'user/*.rs',
      'system/*.rs',
      'xis',
    ];
    expect(scopesTheSubjectBears(scopes, { person: true, hasPatient: false })).toEqual(['openid', 'user/*.rs', 'xis']);
    expect(scopesTheSubjectBears(scopes, { person: true, hasPatient: true })).toEqual(scopes.filter((scope) => scope !== 'system/*.rs'));
    expect(scopesTheSubjectBears(scopes, { person: false, hasPatient: false })).toEqual(['openid', 'user/*.rs', 'system/*.rs', 'xis']);
  });
});
