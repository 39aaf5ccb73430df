import { parseConfig } from './config.loader.js';
import { configProblems as problemsOf, configWithIdp } from '../../test/support/config-problems.js';

const raw = configWithIdp;

describe('IdP metadata config', () => {
  it('lets metadataUrl or metadataFile stand in for entityId, ssoUrl and signingCertificates, refreshed hourly by default', () => {
    const idp = parseConfig(raw({ metadataUrl: 'https://idp.example/metadata' }), 'test', {}).realms[0].identityProviders[0];
    expect(idp).toMatchObject({ metadataUrl: 'https://idp.example/metadata', metadataRefreshSeconds: 3600 });
    expect(
      problemsOf(raw({ metadataFile: 'idp.xml', entityId: 'urn:idp', metadataRefreshSeconds: 60, metadataSigningCertificate: 'c' })),
    ).toEqual([]);
  });

  it('names the key and the reason of each problem', () => {
    expect(problemsOf(raw({}))).toEqual([
      'realms[0].identityProviders[0].entityId: required without metadataUrl or metadataFile',
      'realms[0].identityProviders[0].ssoUrl: required without metadataUrl or metadataFile',
      'realms[0].identityProviders[0].signingCertificates: required without metadataUrl or metadataFile',
    ]);
    expect(
      problemsOf(
        raw({ metadataUrl: 'https://idp.example/m', metadataFile: 'idp.xml', metadataRefreshSeconds: 0, signingCertificates: [] }),
      ),
    ).toEqual([
      'realms[0].identityProviders[0].signingCertificates: Too small: expected array to have >=1 items',
      'realms[0].identityProviders[0].metadataRefreshSeconds: must be a whole number of seconds from 1 to 604800 (a week)',
      'realms[0].identityProviders[0].metadataFile: give either metadataUrl or metadataFile, not both',
    ]);
    expect(
      problemsOf(raw({ entityId: 'e', ssoUrl: 'https://idp.example/sso', signingCertificates: ['c'], metadataSigningCertificate: 'c' })),
    ).toEqual(['realms[0].identityProviders[0].metadataSigningCertificate: only with metadataUrl or metadataFile']);
  });

  it('in production, wants plain-http metadata signed', () => {
    expect(problemsOf(raw({ metadataUrl: 'http://idp.example/metadata' }, 'production'))).toEqual([
      'realms[0].identityProviders[0].metadataUrl: an http (not https) metadataUrl needs metadataSigningCertificate in production',
    ]);
    expect(problemsOf(raw({ metadataUrl: 'http://idp.example/metadata', metadataSigningCertificate: 'c' }, 'production'))).toEqual([]);
    expect(problemsOf(raw({ metadataUrl: 'https://idp.example/metadata' }, 'production'))).toEqual([]);
  });
});
