import { randomUUID } from 'node:crypto';
import { isBsn, isCprShaped, isNationalIdentifierShaped } from './national-identifier-shape.js';

describe('national identifier shapes', () => {
  it.each([
    ['111222333', true],
    ['123456782', true],
    ['123456789', false],
    ['12345678', false],
    ['000000000', false],
    ['12345678a', false],
  ])('BSN eleven-test: %s → %s', (value, valid) => {
    expect(isBsn(value)).toBe(valid);
  });

  it.each([
    ['0101011234', true],
    ['3112991234', true],
    ['2902001234', true],
    ['2902011234', false],
    ['3204991234', false],
    ['0113991234', false],
    ['0001991234', false],
    ['010101123', false],
  ])('CPR shape (a date, then four digits): %s → %s', (value, shaped) => {
    expect(isCprShaped(value)).toBe(shaped);
  });

  it.each([
    '123456782',
    '123.456.782',
    '0101011234',
    '010101-1234',
    'cpr:010101-1234',
    'http://fhir.nl/fhir/NamingSystem/bsn|123456782',
    'urn:oid:1.2.208.176.1.2:0101011234',
    // The last segment of a URL path or a query value: a partner's person URL ending in the number.
    'https://idp.partner.example/persons/0101011234',
    'https://idp.partner.example/bsn/123.456.782',
    'https://idp.partner.example/person?cpr=010101-1234',
  ])('takes %s, whole, for one', (value) => {
    expect(isNationalIdentifierShaped(value)).toBe(true);
  });

  it.each([
    'user-123456782',
    '123456789',
    '9999999999',
    'partner-user-7',
    '1234567820',
    'cpr:',
    'https://idp.partner.example/persons/user-123456782',
    'https://idp.partner.example/persons/',
  ])('does not take %s for one', (value) => {
    expect(isNationalIdentifierShaped(value)).toBe(false);
  });

  it('takes no UUID for one (the log mask masks one in forty)', () => {
    for (let i = 0; i < 20_000; i++) {
      const uuid = randomUUID();
      expect([uuid, isNationalIdentifierShaped(uuid)]).toEqual([uuid, false]);
    }
  });
});
