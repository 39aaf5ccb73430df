import type { ClientConfig } from '../config/client-config.schema.js';
import { ScopeCatalogue } from './scope-catalogue.js';

describe("ScopeCatalogue (a realm's scopes, as Keycloak client scopes)", () => {
  const catalogue = new ScopeCatalogue(['xis']);

  it("knows the OIDC and SMART scopes, patient and user resource scopes in both syntaxes, and the realm's own", () => {
    for (const scope of ['openid', 'profile', 'launch/patient', 'fhirUser', 'xis']) expect(catalogue.knows(scope)).toBe(true);
    for (const scope of ['patient/*.rs', 'patient/Observation.cruds', 'user/Patient.read', 'user/*.*', 'patient/*.write'])
      expect(catalogue.knows(scope)).toBe(true);
  });

  it('does not know system scopes (client credentials only), launch/encounter, email (no IdP gives one), offline_access, or anything else', () => {
    for (const scope of ['system/*.read', 'launch', 'launch/encounter', 'email', 'offline_access', 'admin', 'patient/*.x', 'OPENID'])
      expect(catalogue.knows(scope)).toBe(false);
  });

  it('lists the OIDC, SMART and own scopes for discovery', () => {
    expect(catalogue.listing()).toEqual(
      expect.arrayContaining(['openid', 'launch/patient', 'fhirUser', 'patient/*.rs', 'user/*.cruds', 'xis']),
    );
  });

  it('grants a search-narrowed scope only to a client registered for it word for word, never under a wider one or from the catalogue', () => {
    const lab = 'patient/Observation.rs?category=laboratory';
    const registered: Pick<ClientConfig, 'scopes' | 'grantTypes'> = {
      scopes: ['openid', 'patient/*.rs', lab],
      grantTypes: ['authorization_code'],
    };
    expect(catalogue.selectForLogin(registered, ['openid', lab, 'patient/Observation.rs?category=vital-signs'])).toEqual({
      granted: ['openid', lab],
      unknown: ['patient/Observation.rs?category=vital-signs'],
      refused: [],
    });
    expect(catalogue.selectForLogin({ scopes: [], grantTypes: ['authorization_code'] }, ['openid', lab])).toEqual({
      granted: ['openid'],
      unknown: [lab],
      refused: [],
    });
  });

  it('counts a value the client is registered for as known, even outside the catalogue', () => {
    expect(new ScopeCatalogue([]).selectForLogin({ scopes: ['legacy'], grantTypes: ['authorization_code'] }, ['legacy', 'other'])).toEqual({
      granted: ['legacy'],
      unknown: ['other'],
      refused: [],
    });
  });

  it('never gives a login a system/… scope, even to a client registered for it (for its client credentials)', () => {
    const app: Pick<ClientConfig, 'scopes' | 'grantTypes'> = {
      scopes: ['openid', 'system/*.rs', 'system/Observation.rs?category=laboratory'],
      grantTypes: ['authorization_code', 'client_credentials'],
    };
    expect(
      catalogue.selectForLogin(app, ['openid', 'system/*.rs', 'system/Patient.r', 'system/Observation.rs?category=laboratory']),
    ).toEqual({
      granted: ['openid'],
      unknown: [],
      refused: ['system/*.rs', 'system/Patient.r', 'system/Observation.rs?category=laboratory'],
    });
  });

  it('allows online_access to a client that gets refresh tokens, whatever its list, and to no other', () => {
    const app: Pick<ClientConfig, 'scopes' | 'grantTypes'> = {
      scopes: ['openid', 'profile', 'patient/*.read'],
      grantTypes: ['authorization_code', 'refresh_token'],
    };
    expect(catalogue.selectForLogin(app, ['openid', 'patient/*.read', 'online_access', 'offline_access'])).toEqual({
      granted: ['openid', 'patient/*.read', 'online_access'],
      unknown: ['offline_access'],
      refused: [],
    });
    expect(catalogue.selectForLogin({ ...app, grantTypes: ['authorization_code'] }, ['openid', 'online_access'])).toEqual({
      granted: ['openid'],
      unknown: [],
      refused: ['online_access'],
    });
  });

  it('never grants offline_access (OIDC Core §11: no refresh token here outlives its session), even to a client registered for it', () => {
    const app: Pick<ClientConfig, 'scopes' | 'grantTypes'> = { scopes: ['openid', 'offline_access'], grantTypes: ['authorization_code'] };
    expect(catalogue.selectForLogin(app, ['openid', 'offline_access'])).toEqual({
      granted: ['openid'],
      unknown: [],
      refused: ['offline_access'],
    });
    // A client that gets refresh tokens gets online_access in its place: what its refresh token is.
    const refreshing: Pick<ClientConfig, 'scopes' | 'grantTypes'> = { ...app, grantTypes: ['authorization_code', 'refresh_token'] };
    expect(catalogue.selectForLogin(refreshing, ['openid', 'offline_access'])).toEqual({
      granted: ['openid', 'online_access'],
      unknown: [],
      refused: ['offline_access'],
    });
    expect(catalogue.selectForLogin(refreshing, ['offline_access', 'online_access'])).toEqual({
      granted: ['online_access'],
      unknown: [],
      refused: ['offline_access'],
    });
    // A client without a list may get the catalogue, which does not hold offline_access.
    const unlisted: Pick<ClientConfig, 'scopes' | 'grantTypes'> = { scopes: [], grantTypes: ['authorization_code', 'refresh_token'] };
    expect(catalogue.selectForLogin(unlisted, ['openid', 'offline_access'])).toEqual({
      granted: ['openid', 'online_access'],
      unknown: ['offline_access'],
      refused: [],
    });
  });

  it('allows openid only to a client that may log people in', () => {
    expect(catalogue.selectForLogin({ scopes: ['xis'], grantTypes: ['client_credentials'] }, ['openid'])).toEqual({
      granted: [],
      unknown: [],
      refused: ['openid'],
    });
  });
});
