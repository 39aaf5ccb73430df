import { formatScope, grantScopes, narrowScope, parseScope, selectScopes } from './scope.js';

describe('grantScopes', () => {
  const allowed = ['system/*.read', 'xis'];

  it('grants the registered scopes when none are requested', () => {
    expect(grantScopes(undefined, allowed)).toEqual(allowed);
  });

  it('grants a subset, once each', () => {
    expect(grantScopes('xis xis', allowed)).toEqual(['xis']);
  });

  it('grants a narrower SMART resource scope a registered one covers, in its context only', () => {
    expect(grantScopes('system/Patient.read system/Observation.rs', allowed)).toEqual(['system/Patient.read', 'system/Observation.rs']);
    for (const wider of ['system/Patient.write', 'system/*.cruds', 'patient/Patient.read', 'user/*.read']) {
      expect(() => grantScopes(wider, allowed)).toThrow(expect.objectContaining({ code: 'invalid_scope' }));
    }
  });

  it('refuses a scope outside the registered ones, case-sensitively', () => {
    expect(() => grantScopes('xis admin', allowed)).toThrow(expect.objectContaining({ code: 'invalid_scope' }));
    expect(() => grantScopes('XIS', allowed)).toThrow(expect.objectContaining({ code: 'invalid_scope' }));
  });

  it('refuses a scope of spaces only, which names nothing (RFC 6749 §3.3), rather than grant nothing', () => {
    for (const blank of [' ', '   ']) expect(() => grantScopes(blank, allowed)).toThrow(expect.objectContaining({ code: 'invalid_scope' }));
  });
});

describe('parseScope', () => {
  it('splits on spaces, drops empty values and duplicates, keeps case and order', () => {
    expect(parseScope(' openid  profile openid Profile ')).toEqual(['openid', 'profile', 'Profile']);
    expect(parseScope(undefined)).toEqual([]);
    expect(parseScope('')).toEqual([]);
  });

  it('formats back to the wire form', () => {
    expect(formatScope(parseScope('a  b'))).toBe('a b');
  });
});

describe('narrowScope', () => {
  const held = ['openid', 'profile', 'xis'];

  it('keeps everything held when nothing is requested', () => {
    expect(narrowScope(undefined, held)).toEqual(held);
  });

  it('narrows to the requested subset, once each', () => {
    expect(narrowScope('xis openid xis', held)).toEqual(['xis', 'openid']);
  });

  it('refuses a value not held, as invalid_scope', () => {
    expect(() => narrowScope('openid admin', held)).toThrow(expect.objectContaining({ code: 'invalid_scope' }));
  });

  it('refuses a scope of spaces only, rather than narrow to nothing', () => {
    expect(() => narrowScope(' ', held)).toThrow(expect.objectContaining({ code: 'invalid_scope' }));
  });

  it('takes a narrower SMART resource scope of one held (RFC 6749 §6: nothing not granted), never a wider or a search-narrowed one', () => {
    const smart = ['openid', 'patient/*.rs'];
    expect(narrowScope('patient/Observation.rs', smart)).toEqual(['patient/Observation.rs']);
    expect(narrowScope('openid patient/Observation.read', smart)).toEqual(['openid', 'patient/Observation.read']);
    for (const refused of ['patient/*.cruds', 'user/*.rs', 'patient/*.write', 'patient/Observation.rs?category=laboratory'])
      expect(() => narrowScope(refused, smart)).toThrow(expect.objectContaining({ code: 'invalid_scope' }));
  });
});

describe('selectScopes', () => {
  const rules = { known: (scope: string) => scope !== 'nonsense', allowed: (scope: string) => scope !== 'email' };

  it('grants what is known and allowed, in the order asked; ignores the unknown, drops the refused', () => {
    expect(selectScopes(['profile', 'nonsense', 'openid', 'email'], rules)).toEqual({
      granted: ['profile', 'openid'],
      unknown: ['nonsense'],
      refused: ['email'],
    });
  });

  it('grants nothing for nothing', () => {
    expect(selectScopes([], rules)).toEqual({ granted: [], unknown: [], refused: [] });
  });
});
