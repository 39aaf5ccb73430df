import { needsPatientContext, parseSmartResourceScope, scopeCovers, scopesTheSubjectBears, splitSearchNarrowing } from './smart-scope.js';

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
  it('separates the resource scope from its search parameters', () => {
    expect(splitSearchNarrowing('patient/Observation.rs?category=laboratory')).toEqual({
      resourceScope: { context: 'patient', resource: 'Observation', permissions: 'rs' },
      search: 'category=laboratory',
    });
    expect(splitSearchNarrowing('user/*.read')).toEqual({
      resourceScope: { context: 'user', resource: '*', permissions: 'rs' },
      search: undefined,
    });
  });

  it.each(['patient/Observation.rs?', 'patient/observation.rs?category=x', 'openid?x=y', 'launch/patient?x'])(
    'reads no resource scope in %s',
    (scope) => {
      expect(splitSearchNarrowing(scope)).toBeUndefined();
    },
  );

  it('is covered by the resource scope it narrows, and by any wider one of its context', () => {
    for (const held of ['patient/Observation.rs', 'patient/*.rs', 'patient/*.read', 'patient/*.cruds'])
      expect(scopeCovers(held, 'patient/Observation.rs?category=laboratory')).toBe(true);
  });

  it('is not covered by fewer permissions, another resource type, another context, or another narrowing', () => {
    expect(scopeCovers('patient/Observation.r', 'patient/Observation.rs?category=laboratory')).toBe(false);
    expect(scopeCovers('patient/Condition.rs', 'patient/Observation.rs?category=laboratory')).toBe(false);
    expect(scopeCovers('user/*.rs', 'patient/Observation.rs?category=laboratory')).toBe(false);
    expect(scopeCovers('patient/Observation.rs?category=vital-signs', 'patient/Observation.rs?category=laboratory')).toBe(false);
  });

  it('held, covers only itself: which other searches stay inside it is the FHIR server’s to say', () => {
    const held = 'patient/Observation.rs?category=laboratory';
    expect(scopeCovers(held, held)).toBe(true);
    expect(scopeCovers(held, 'patient/Observation.r?category=laboratory')).toBe(false);
    expect(scopeCovers(held, 'patient/Observation.rs?category=laboratory&code=x')).toBe(false);
    expect(scopeCovers(held, 'patient/Observation.rs')).toBe(false);
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
