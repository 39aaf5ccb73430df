import { chooseLocale } from './locale.js';

describe('the language of a page', () => {
  it('follows ui_locales first (OIDC Core §3.1.2.1), its first language we speak', () => {
    expect(chooseLocale('da', 'nl')).toBe('da');
    expect(chooseLocale('fr-CA nl-BE da', 'en')).toBe('nl');
    expect(chooseLocale('DA-dk', undefined)).toBe('da');
  });

  it('then Accept-Language by weight (RFC 9110 §12.5.4), the earlier on a tie', () => {
    expect(chooseLocale(undefined, 'nl-NL,nl;q=0.9,en;q=0.8')).toBe('nl');
    expect(chooseLocale('fr', 'en;q=0.5, da;q=0.9')).toBe('da');
    expect(chooseLocale(undefined, 'de, da, nl')).toBe('da');
    expect(chooseLocale(undefined, 'da;q=0, nl;q=0.1')).toBe('nl');
  });

  it('is English when nothing we speak is asked for, or the header is nonsense', () => {
    expect(chooseLocale(undefined, undefined)).toBe('en');
    expect(chooseLocale('', 'fr-FR, de;q=0.5')).toBe('en');
    expect(chooseLocale('<script>', ';;;q=abc,,')).toBe('en');
  });
});
