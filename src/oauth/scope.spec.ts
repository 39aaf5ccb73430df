import { grantScopes } from './scope.js';

describe('grantScopes', () => {
  const allowed = ['system/*.read', 'xis'];

  it('grants the registered scopes when none are requested', () => {
    expect(grantScopes(undefined, allowed)).toEqual(allowed);
  });

  it('grants a subset, once each', () => {
    expect(grantScopes('xis xis', allowed)).toEqual(['xis']);
  });

  it('refuses a scope outside the registered ones, case-sensitively', () => {
    expect(() => grantScopes('xis admin', allowed)).toThrow(expect.objectContaining({ code: 'invalid_scope' }));
    expect(() => grantScopes('XIS', allowed)).toThrow(expect.objectContaining({ code: 'invalid_scope' }));
  });
});
