import { SAML_FIXTURES, UNPUBLISHED_IDP_CERTIFICATE } from '../../../test/support/saml/saml-fixtures.js';
import { idpMetadataXml } from '../../../test/support/saml/idp-metadata-xml.js';
import { TestClock } from '../../../test/support/test-clock.js';
import type { IdpStaticSettings } from '../saml-settings.js';
import { MetadataError } from './metadata-error.js';
import { MetadataRefresher, MIN_SECONDS_BETWEEN_FAILURE_REFRESHES, type MetadataLog } from './metadata-refresher.js';

const F = SAML_FIXTURES;
const settings = {
  realm: { name: 'r' },
  idp: { alias: 'idp' },
  configured: {},
  metadata: { source: { url: 'https://idp.test/metadata' }, refreshSeconds: 3600 },
} as unknown as IdpStaticSettings & { metadata: NonNullable<IdpStaticSettings['metadata']> };
const document = (certificate: string) =>
  idpMetadataXml({ entityId: 'https://idp.test', ssoUrl: 'https://idp.test/sso', signingCertificates: [certificate] });

function setup(answers: (() => string)[], production = false, configured: IdpStaticSettings['configured'] = {}) {
  const clock = new TestClock(new Date('2031-03-14T09:26:53Z'));
  const lines: string[] = [];
  const log: MetadataLog = {
    log: (_facts, message) => lines.push(`log ${message}`),
    warn: (facts, message) => {
      const { endpoint, url, reason } = facts as { endpoint?: string; url?: string; reason: string };
      lines.push(`warn ${message}: ${endpoint === undefined ? '' : `${endpoint} ${url}: `}${reason}`);
    },
    error: (facts, message) => lines.push(`error ${message}: ${(facts as { reason: string }).reason}`),
  };
  let fetches = 0;
  const load = () => {
    const answer = answers[Math.min(fetches++, answers.length - 1)];
    return Promise.resolve().then(answer);
  };
  const refresher = new MetadataRefresher({ ...settings, configured }, clock, log, production, load);
  return { refresher, clock, lines, fetches: () => fetches };
}

const failing = (reason: string) => () => {
  throw new MetadataError(reason);
};

describe('IdP metadata refresh', () => {
  it('keeps the last good copy when a fetch fails or the document is refused', async () => {
    const { refresher, lines } = setup([
      () => document(F.idpSigningCertificate),
      failing('metadata fetch answered HTTP 500'),
      () => '<broken',
    ]);
    expect(await refresher.refresh('boot')).toBe(true);
    expect(await refresher.refresh('schedule')).toBe(false);
    expect(await refresher.refresh('schedule')).toBe(false);
    expect(refresher.metadata?.signingCertificates).toHaveLength(1);
    expect(refresher.lastError).toBe('metadata is not well-formed XML');
    expect(lines).toEqual([
      'log IdP metadata loaded',
      'warn IdP metadata refused or unreachable; keeping the last good copy: metadata fetch answered HTTP 500',
      'warn IdP metadata refused or unreachable; keeping the last good copy: metadata is not well-formed XML',
    ]);
  });

  it('says the IdP is unavailable when there is no good copy at all', async () => {
    const { refresher, lines } = setup([failing('metadata fetch timed out')]);
    expect(await refresher.refresh('boot')).toBe(false);
    expect(refresher.metadata).toBeUndefined();
    expect(lines).toEqual([
      'error IdP metadata refused or unreachable; the IdP is unavailable until a good copy arrives: metadata fetch timed out',
    ]);
  });

  it('reports a change only when the document says something new', async () => {
    const { refresher } = setup([
      () => document(F.idpSigningCertificate),
      () => document(F.idpSigningCertificate),
      () => document(F.nextIdpSigningCertificate),
    ]);
    expect(await refresher.refresh('boot')).toBe(true);
    expect(await refresher.refresh('schedule')).toBe(false);
    expect(await refresher.refresh('schedule')).toBe(true);
  });

  it('fetches after a signature failure at most once a minute, and joins an attempt under way', async () => {
    const { refresher, clock, fetches } = setup([() => document(F.idpSigningCertificate), () => document(F.nextIdpSigningCertificate)]);
    await refresher.refresh('boot');
    const [a, b] = await Promise.all([refresher.refreshAfterSignatureFailure(), refresher.refreshAfterSignatureFailure()]);
    expect([a, b, fetches()]).toEqual([true, true, 2]);
    expect(await refresher.refreshAfterSignatureFailure()).toBe(false);
    clock.advance(MIN_SECONDS_BETWEEN_FAILURE_REFRESHES - 1);
    expect(await refresher.refreshAfterSignatureFailure()).toBe(false);
    expect(fetches()).toBe(2);
    clock.advance(1);
    await refresher.refreshAfterSignatureFailure();
    expect(fetches()).toBe(3);
  });

  describe('plain http endpoints in production', () => {
    const plain = (certificate: string, ssoUrl = 'http://idp.test/sso') =>
      idpMetadataXml({
        entityId: 'https://idp.test',
        ssoUrl,
        sloUrl: 'http://idp.test/slo',
        signingCertificates: [certificate],
      });
    const clear = "plain http: the person's SAML messages to the IdP cross the network in the clear";

    it('warns of each one the SP would use, once for each new copy, and still uses the copy', async () => {
      const { refresher, lines } = setup(
        [
          () => plain(UNPUBLISHED_IDP_CERTIFICATE),
          () => plain(UNPUBLISHED_IDP_CERTIFICATE),
          () => plain(UNPUBLISHED_IDP_CERTIFICATE, 'http://idp.test/sso2'),
        ],
        true,
      );
      expect(await refresher.refresh('boot')).toBe(true);
      expect(await refresher.refresh('schedule')).toBe(false);
      expect(refresher.metadata?.ssoUrl).toBe('http://idp.test/sso');
      expect(await refresher.refresh('schedule')).toBe(true);
      const slo = [
        `warn IdP metadata names a plain http endpoint: SingleLogoutService http://idp.test/slo: ${clear}`,
        // Its HTTP-POST SingleLogoutService: where LogoutResponses to a LogoutRequest posted by the IdP go.
        `warn IdP metadata names a plain http endpoint: SingleLogoutService http://idp.test/slo/post: ${clear}`,
      ];
      expect(lines).toEqual([
        'log IdP metadata loaded',
        `warn IdP metadata names a plain http endpoint: SingleSignOnService http://idp.test/sso: ${clear}`,
        ...slo,
        'log IdP metadata loaded',
        `warn IdP metadata names a plain http endpoint: SingleSignOnService http://idp.test/sso2: ${clear}`,
        ...slo,
      ]);
    });

    it('says nothing of an endpoint the config overrides, of https ones, or outside production', async () => {
      const overridden = setup([() => plain(UNPUBLISHED_IDP_CERTIFICATE)], true, {
        ssoUrl: 'https://idp.test/sso',
        sloUrl: 'https://idp.test/slo',
      });
      const secure = setup([() => document(UNPUBLISHED_IDP_CERTIFICATE)], true);
      const development = setup([() => plain(UNPUBLISHED_IDP_CERTIFICATE)], false);
      for (const { refresher } of [overridden, secure, development]) expect(await refresher.refresh('boot')).toBe(true);
      for (const { lines } of [overridden, secure, development]) expect(lines).toEqual(['log IdP metadata loaded']);
    });
  });
});
