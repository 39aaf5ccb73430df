import { escapeSearchValue, hasIdentifier, pointsTo, referenceTo, searchToken, resourceUrl } from './fhir-references.js';

describe('FHIR references and search tokens', () => {
  it('builds system|value tokens, escaping the characters FHIR search gives a meaning', () => {
    expect(searchToken({ system: 'urn:oid:1.2.208.176.1.2', value: '0101011234' })).toBe('urn:oid:1.2.208.176.1.2|0101011234');
    expect(escapeSearchValue('a,b|c$d\\e')).toBe('a\\,b\\|c\\$d\\\\e');
    expect(searchToken({ system: 'x', value: 'a,b' })).toBe('x|a\\,b');
  });

  it('matches a reference whether relative, absolute or versioned, but not a longer id', () => {
    expect(pointsTo({ reference: 'Practitioner/p1' }, 'Practitioner/p1')).toBe(true);
    expect(pointsTo({ reference: 'http://fhir.example/fhir/Practitioner/p1' }, 'Practitioner/p1')).toBe(true);
    expect(pointsTo({ reference: 'Practitioner/p1/_history/3' }, 'Practitioner/p1')).toBe(true);
    expect(pointsTo({ reference: 'Practitioner/p10' }, 'Practitioner/p1')).toBe(false);
    expect(pointsTo({ reference: 'Practitioner/xp1' }, 'Practitioner/p1')).toBe(false);
    expect(pointsTo({ display: 'Dr. P' }, 'Practitioner/p1')).toBe(false);
    expect(pointsTo(undefined, 'Practitioner/p1')).toBe(false);
  });

  it('names a resource by type and id, and finds identifiers by system and value', () => {
    expect(referenceTo({ resourceType: 'CareTeam', id: 'ct1' })).toBe('CareTeam/ct1');
    const org = { identifier: [{ system: 'urn:oid:1.2.208.176.1.1', value: '123' }] };
    expect(hasIdentifier(org, { system: 'urn:oid:1.2.208.176.1.1', value: '123' })).toBe(true);
    expect(hasIdentifier(org, { system: 'http://fhir.nl/fhir/NamingSystem/agb-z', value: '123' })).toBe(false);
  });
});

describe('resourceUrl: the resource a literal reference names, as a context carries it', () => {
  const base = 'https://fhir.example/R4';
  it.each([
    ['Organization/o-1', `${base}/Organization/o-1`],
    ['Organization/o-1/_history/3', `${base}/Organization/o-1`],
    [`${base}/Organization/o-1`, `${base}/Organization/o-1`],
    [`${base}/Organization/o-1/_history/3`, `${base}/Organization/o-1`],
  ])('%s → %s', (reference, url) => {
    expect(resourceUrl(reference, base)).toBe(url);
  });

  it.each([
    undefined,
    '',
    '#org',
    'o-1',
    'urn:uuid:0b5e6f0e-0000-4000-8000-000000000000',
    'x/Organization/o-1',
    'Organization/',
    'https://other.example/fhir/Organization/o-1',
    'https://fhir.example/R4x/Organization/o-1',
  ])('names no resource on this server: %s', (reference) => {
    expect(resourceUrl(reference, base)).toBeUndefined();
  });
});
