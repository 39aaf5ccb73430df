import { isUnderBase } from './fhir-request-parts.js';

describe('isUnderBase', () => {
  const base = 'https://fhir.example/fhir/nemlogin';
  it.each([
    ['the base itself, paging HAPI’s way', 'https://fhir.example/fhir/nemlogin?_getpages=abc', true],
    ['a search under it', 'https://fhir.example/fhir/nemlogin/Patient?_count=2&page=2', true],
    ['the base with a trailing slash', 'https://fhir.example/fhir/nemlogin/', true],
    ['another realm’s base on the same origin', 'https://fhir.example/fhir/ehealth/Patient?page=2', false],
    ['a path that only begins like the base', 'https://fhir.example/fhir/nemlogin-other/Patient', false],
    ['the parent path', 'https://fhir.example/fhir/Patient', false],
    ['another origin', 'https://elsewhere.example/fhir/nemlogin/Patient', false],
    ['another scheme', 'http://fhir.example/fhir/nemlogin/Patient', false],
  ])('%s', (_case, url, expected) => {
    expect(isUnderBase(new URL(url), base)).toBe(expected);
  });

  it('takes a base written with a trailing slash as the same base', () => {
    expect(isUnderBase(new URL('https://fhir.example/fhir/nemlogin/Patient'), `${base}/`)).toBe(true);
    expect(isUnderBase(new URL('https://fhir.example/fhir/ehealth/Patient'), `${base}/`)).toBe(false);
  });

  it('takes the whole origin for a base at its root, with or without the slash', () => {
    expect(isUnderBase(new URL('https://fhir.example/Patient'), 'https://fhir.example')).toBe(true);
    expect(isUnderBase(new URL('https://fhir.example/Patient'), 'https://fhir.example/')).toBe(true);
  });
});
