import { namesFhirServer } from './smart-audience.js';

describe('namesFhirServer (SMART App Launch 2.x aud)', () => {
  const base = 'https://fhir.example/R4';

  it.each([
    ['the base itself', 'https://fhir.example/R4'],
    ['a trailing slash', 'https://fhir.example/R4/'],
    ['an upper-case host and the default port', 'https://FHIR.example:443/R4'],
  ])('accepts %s', (_name, aud) => expect(namesFhirServer(aud, base)).toBe(true));

  it.each([
    ['another server', 'https://evil.example/R4'],
    ['another path', 'https://fhir.example/R5'],
    ['a path in another case', 'https://fhir.example/r4'],
    ['another scheme', 'http://fhir.example/R4'],
    ['a query', 'https://fhir.example/R4?x=1'],
    ['a resource below the base', 'https://fhir.example/R4/Patient'],
    ['not a URL', 'fhir'],
  ])('refuses %s', (_name, aud) => expect(namesFhirServer(aud, base)).toBe(false));
});
