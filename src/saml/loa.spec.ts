import { checkLoa, compareLoa, isLevelOfAssurance, loaOfContextClass } from './loa.js';

describe('NSIS level of assurance', () => {
  it('orders Low < Substantial < High', () => {
    expect(compareLoa('Low', 'Substantial')).toBeLessThan(0);
    expect(compareLoa('High', 'Substantial')).toBeGreaterThan(0);
    expect(compareLoa('Substantial', 'Substantial')).toBe(0);
  });

  it('knows only the three NSIS values, case-sensitively', () => {
    expect(['Low', 'Substantial', 'High'].every(isLevelOfAssurance)).toBe(true);
    expect(isLevelOfAssurance('substantial')).toBe(false);
    expect(isLevelOfAssurance('https://data.gov.dk/concept/core/nsis/loa/High')).toBe(false);
  });

  it.each([
    [['Substantial'], 'Substantial', 'Substantial'],
    [['High'], 'Substantial', 'High'],
    [['Low'], undefined, 'Low'],
  ] as const)('accepts %j against minimum %s', (values, minimum, loa) => {
    expect(checkLoa(values, minimum)).toEqual({ ok: true, loa });
  });

  it('accepts no level when the realm sets no minimum', () => {
    expect(checkLoa(undefined, undefined)).toEqual({ ok: true, loa: undefined });
  });

  it.each([
    [['Low'], 'Substantial', 'below the realm minimum'],
    [['Substantial'], 'High', 'below the realm minimum'],
    [undefined, 'Substantial', 'missing'],
    [[], 'Low', 'missing'],
    [['High', 'Low'], undefined, 'more than one'],
    [['Very High'], undefined, 'unknown'],
  ] as const)('refuses %j against minimum %s (%s)', (values, minimum, reason) => {
    const outcome = checkLoa(values, minimum);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok === false && outcome.reason).toContain(reason);
  });

  it.each([
    ['https://data.gov.dk/concept/core/nsis/loa/High', 'High'],
    ['http://eidas.europa.eu/LoA/substantial', 'Substantial'],
    ['urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard', 'Substantial'],
    ['urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI', 'High'],
    ['urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract', 'Low'],
    ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport', 'Low'],
  ])('reads the level of AuthnContextClassRef %s as %s', (classRef, level) => {
    expect(loaOfContextClass(classRef)).toBe(level);
  });

  it('reads no level from a class that states none', () => {
    expect(loaOfContextClass('urn:oasis:names:tc:SAML:2.0:ac:classes:X509')).toBeUndefined();
    expect(loaOfContextClass('https://data.gov.dk/concept/core/nsis/loa/substantial')).toBeUndefined();
    expect(loaOfContextClass(undefined)).toBeUndefined();
  });
});
