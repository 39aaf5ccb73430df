import { parseConfig } from './config.loader.js';
import { configProblems as problemsOf, configWithIdp } from '../../test/support/config-problems.js';

/** An IdP written by hand, with `idp`'s keys besides. */
const raw = (idp: Record<string, unknown>) =>
  configWithIdp({ entityId: 'urn:idp', ssoUrl: 'https://idp.example/sso', signingCertificates: ['c'], ...idp });

const idpOf = (idp: Record<string, unknown>) => parseConfig(raw(idp), 'test', {}).realms[0].identityProviders[0];

/** The binding of a hand-written sloUrl (SAML Bindings §3.4 HTTP-Redirect, §3.5 HTTP-POST). */
describe('IdP single logout config', () => {
  it('takes sloBinding redirect or post beside a hand-written sloUrl; without it the sloUrl is HTTP-Redirect, as before', () => {
    expect(idpOf({ sloUrl: 'https://idp.example/slo', sloBinding: 'post' })).toMatchObject({ sloBinding: 'post' });
    expect(idpOf({ sloUrl: 'https://idp.example/slo', sloBinding: 'redirect' })).toMatchObject({ sloBinding: 'redirect' });
    expect(idpOf({ sloUrl: 'https://idp.example/slo' }).sloBinding).toBeUndefined();
  });

  it('refuses another binding, naming the key and the choices', () => {
    expect(problemsOf(raw({ sloUrl: 'https://idp.example/slo', sloBinding: 'soap' }))).toEqual([
      'realms[0].identityProviders[0].sloBinding: must be redirect or post (the SAML binding the sloUrl takes)',
    ]);
    expect(problemsOf(raw({ sloUrl: 'https://idp.example/slo', sloBinding: 'HTTP-POST' }))).toHaveLength(1);
  });

  it('refuses sloBinding without a hand-written sloUrl: the metadata names the binding of each of its endpoints', () => {
    expect(problemsOf(raw({ sloBinding: 'post' }))).toEqual([
      'realms[0].identityProviders[0].sloBinding: only with sloUrl (metadata names the binding of its own SingleLogoutService)',
    ]);
  });
});
