import { AGB_SYSTEM, parseOrganisationAgb } from './organisation-agb.js';

describe('parseOrganisationAgb', () => {
  it('accepts the system|code form and the bare code', () => {
    expect(parseOrganisationAgb(`${AGB_SYSTEM}|01234567`)).toEqual({ ok: true, code: '01234567' });
    expect(parseOrganisationAgb('01234567')).toEqual({ ok: true, code: '01234567' });
  });

  it.each([
    ['another system', 'http://fhir.nl/fhir/NamingSystem/ura|01234567', /AGB-Z/],
    ['seven digits', '1234567', /8 digits/],
    ['nine digits', '123456789', /8 digits/],
    ['letters', '0123456a', /8 digits/],
    ['empty code', `${AGB_SYSTEM}|`, /8 digits/],
    ['two values joined by a repeated header', '01234567, 07654321', /8 digits/],
    ['padding', ' 01234567', /8 digits/],
  ])('refuses %s', (_name, value, reason) => {
    const parsed = parseOrganisationAgb(value);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason);
  });
});
