import { SAML_FIXTURES } from '../../test/support/saml/saml-fixtures.js';
import { withValidity } from './certificate-validity.js';
import { resolveIdpSettings, unavailableReason } from './idp-settings-resolver.js';
import type { IdpMetadata } from './metadata/idp-metadata.js';
import type { IdpStaticSettings } from './saml-settings.js';

const NOW = new Date('2031-03-14T09:26:53Z');
const F = SAML_FIXTURES;
const current = withValidity(F.idpSigningCertificate);
const next = withValidity(F.nextIdpSigningCertificate);
const expired = withValidity(F.expiredIdpSigningCertificate);

const base = (configured: IdpStaticSettings['configured'] = {}): IdpStaticSettings =>
  ({
    where: 'realms.r.identityProviders.idp',
    configured,
    metadata: { source: { url: 'https://idp.test/metadata' }, refreshSeconds: 3600 },
    worker: { spEntityId: 'https://sp.test', acsUrl: 'https://sp.test/acs', spSigningKey: 'k' },
  }) as unknown as IdpStaticSettings;

const metadata: IdpMetadata = {
  entityId: 'https://idp.test',
  ssoUrl: 'https://idp.test/sso',
  sloUrl: 'https://idp.test/slo',
  signingCertificates: [current, next],
};

describe('IdP settings from config and metadata', () => {
  it('takes every IdP value from the metadata when the config has none', () => {
    const settings = resolveIdpSettings(base(), metadata, NOW)!;
    expect(settings.idpEntityId).toBe('https://idp.test');
    expect(settings.sloUrl).toBe('https://idp.test/slo');
    expect(settings.worker.ssoUrl).toBe('https://idp.test/sso');
    expect(settings.worker.idpCertificates).toEqual([current.pem, next.pem]);
  });

  it('lets each hand-written value win over the metadata', () => {
    const settings = resolveIdpSettings(
      base({ entityId: 'urn:own', ssoUrl: 'https://own.test/sso', sloUrl: 'https://own.test/slo', signingCertificates: [next] }),
      metadata,
      NOW,
    )!;
    expect(settings.idpEntityId).toBe('urn:own');
    expect(settings.sloUrl).toBe('https://own.test/slo');
    expect(settings.worker.ssoUrl).toBe('https://own.test/sso');
    expect(settings.worker.idpCertificates).toEqual([next.pem]);
  });

  it("answers LogoutRequests at the metadata's ResponseLocation of the binding used (SAML Metadata §2.2.2); the config's sloUrl wins", () => {
    const split = {
      ...metadata,
      sloResponseUrls: { redirect: 'https://idp.test/slo/response', post: 'https://idp.test/slo/post-response' },
    };
    const settings = resolveIdpSettings(base(), split, NOW)!;
    expect(settings.sloUrl).toBe('https://idp.test/slo');
    expect(settings.sloResponseUrls).toEqual({ redirect: 'https://idp.test/slo/response', post: 'https://idp.test/slo/post-response' });
    // An IdP without an HTTP-POST endpoint has none to be posted to: its HTTP-POST requests are answered by
    // HTTP-Redirect (logout-answer-route.ts), not by a form posted to its HTTP-Redirect endpoint (§2.2.2).
    const redirectOnly = { ...metadata, sloResponseUrls: { redirect: 'https://idp.test/slo/response' } };
    expect(resolveIdpSettings(base(), redirectOnly, NOW)!.sloResponseUrls).toEqual({ redirect: 'https://idp.test/slo/response' });
    expect(resolveIdpSettings(base({ sloUrl: 'https://own.test/slo' }), split, NOW)!.sloResponseUrls).toEqual({
      redirect: 'https://own.test/slo',
      post: 'https://own.test/slo',
    });
    expect(resolveIdpSettings(base(), { ...metadata, sloUrl: undefined }, NOW)!.sloResponseUrls).toEqual({});
  });

  it('sends LogoutRequests by HTTP-Redirect when the IdP offers it, by HTTP-POST when its metadata lists only that; a hand-written sloUrl is HTTP-Redirect', () => {
    const both = { ...metadata, sloPostUrl: 'https://idp.test/slo/post' };
    expect(resolveIdpSettings(base(), both, NOW)).toMatchObject({ sloUrl: 'https://idp.test/slo', sloBinding: 'redirect' });
    const postOnly = { ...metadata, sloUrl: undefined, sloPostUrl: 'https://idp.test/slo/post' };
    expect(resolveIdpSettings(base(), postOnly, NOW)).toMatchObject({ sloUrl: 'https://idp.test/slo/post', sloBinding: 'post' });
    expect(resolveIdpSettings(base({ sloUrl: 'https://own.test/slo' }), postOnly, NOW)).toMatchObject({
      sloUrl: 'https://own.test/slo',
      sloBinding: 'redirect',
    });
    const none = resolveIdpSettings(base(), { ...metadata, sloUrl: undefined }, NOW)!;
    expect([none.sloUrl, none.sloBinding]).toEqual([undefined, undefined]);
  });

  it('sends LogoutRequests to a hand-written sloUrl in its configured sloBinding, and answers there only in that binding when it is HTTP-POST', () => {
    const postOnly = { ...metadata, sloUrl: undefined, sloPostUrl: 'https://idp.test/slo/post' };
    const configured = { entityId: 'urn:own', ssoUrl: 'https://own.test/sso', signingCertificates: [current] };
    const byHand = resolveIdpSettings(base({ ...configured, sloUrl: 'https://own.test/slo', sloBinding: 'post' }), undefined, NOW)!;
    expect(byHand).toMatchObject({ sloUrl: 'https://own.test/slo', sloBinding: 'post' });
    // An HTTP-POST-only endpoint takes no HTTP-Redirect answer (SAML Metadata §2.2.2: an endpoint is of one binding).
    expect(byHand.sloResponseUrls).toEqual({ post: 'https://own.test/slo' });
    // It wins over the metadata's, as sloUrl does.
    expect(resolveIdpSettings(base({ sloUrl: 'https://own.test/slo', sloBinding: 'post' }), postOnly, NOW)).toMatchObject({
      sloUrl: 'https://own.test/slo',
      sloBinding: 'post',
      sloResponseUrls: { post: 'https://own.test/slo' },
    });
    const redirect = resolveIdpSettings(base({ sloUrl: 'https://own.test/slo', sloBinding: 'redirect' }), postOnly, NOW)!;
    expect(redirect).toMatchObject({
      sloBinding: 'redirect',
      sloResponseUrls: { redirect: 'https://own.test/slo', post: 'https://own.test/slo' },
    });
  });

  it('never hands an expired or not yet valid certificate to the workers, from metadata or config', () => {
    expect(resolveIdpSettings(base(), { ...metadata, signingCertificates: [expired, current] }, NOW)!.worker.idpCertificates).toEqual([
      current.pem,
    ]);
    expect(resolveIdpSettings(base({ signingCertificates: [expired, current] }), undefined, NOW)).toBeUndefined();
    const configured = base({ entityId: 'e', ssoUrl: 'https://s.test', signingCertificates: [expired, current] });
    expect(resolveIdpSettings(configured, undefined, NOW)!.worker.idpCertificates).toEqual([current.pem]);
    // Before the fixture's notBefore (2026-11-22) it is not yet valid.
    expect(resolveIdpSettings(configured, undefined, new Date('2025-01-01T00:00:00Z'))).toBeUndefined();
    expect(unavailableReason(configured, undefined, new Date('2025-01-01T00:00:00Z'))).toBe('no signing certificate valid now');
  });

  it('fails closed without metadata, past its validUntil, or without an SSO endpoint', () => {
    expect(resolveIdpSettings(base(), undefined, NOW)).toBeUndefined();
    expect(unavailableReason(base(), undefined, NOW)).toBe('no good metadata yet');
    const stale = { ...metadata, validUntil: new Date(NOW.getTime() - 1) };
    expect(resolveIdpSettings(base(), stale, NOW)).toBeUndefined();
    expect(unavailableReason(base(), stale, NOW)).toBe('metadata past its validUntil');
    expect(resolveIdpSettings(base(), { ...metadata, ssoUrl: undefined }, NOW)).toBeUndefined();
    expect(resolveIdpSettings(base({ ssoUrl: 'https://own.test/sso' }), { ...metadata, ssoUrl: undefined }, NOW)).toBeDefined();
  });
});
