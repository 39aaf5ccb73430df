import { X509Certificate } from 'node:crypto';
import { freePort } from '../support/free-port.js';
import { sampleValue, scrape } from '../support/prometheus.js';
import { SAML_FIXTURES, testServiceProviderConfig } from '../support/saml/saml-fixtures.js';
import { TestIdp } from '../support/saml/test-idp.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const DAY_SECONDS = 24 * 60 * 60;
/** When the test IdP's signing certificate (fixtures/saml/idp-signing.crt) expires. */
const NOT_AFTER = new X509Certificate(SAML_FIXTURES.idpSigningCertificate).validToDate;

/**
 * An IdP whose signing certificates run out is an outage on a date known in advance: its logins are
 * refused from that second (certificate-validity.ts). The operator hears of it at start, once a day
 * in the log, and at every scrape of /metrics, where an alert can watch it.
 */
describe('a SAML IdP signing certificate near its expiry', () => {
  const clock = new TestClock(new Date(NOT_AFTER.getTime() - 10 * DAY_SECONDS * 1000));
  let server: TestServer;

  beforeAll(async () => {
    const port = await freePort();
    const idp = await TestIdp.create({ realmIssuer: `http://127.0.0.1:${port}/realms/nemlogin`, alias: 'nemlog-in' });
    server = await startTestServer({
      port,
      overrides: { clock },
      patch: (raw) => {
        raw.realms[0].identityProviders = [idp.idpConfig('oiosaml3-citizen')];
        raw.realms[0].serviceProvider = testServiceProviderConfig();
      },
    });
  });
  afterAll(() => server.close());

  const expirySeconds = async () =>
    sampleValue(await scrape(`${server.baseUrl}/metrics`), 'federation_saml_idp_certificate_expiry_seconds', {
      realm: 'nemlogin',
      idp: 'nemlog-in',
    });

  it('is warned of at start, naming the realm, the IdP, the date and the days left', () => {
    const warnings = server.logs.filter((line) => line.includes('SAML identity provider signing certificates'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({
      level: 40,
      realm: 'nemlogin',
      idp: 'nemlog-in',
      reason: `every signing certificate valid now expires by ${NOT_AFTER.toISOString()} (in 10 days): its logins will be refused then unless a new one is configured or published`,
    });
  });

  it('is counted down on /metrics, and reads 0 once none is valid', async () => {
    expect(await expirySeconds()).toBe(10 * DAY_SECONDS);
    clock.advance(10 * DAY_SECONDS - 60);
    expect(await expirySeconds()).toBe(60);
    clock.advance(61);
    expect(await expirySeconds()).toBe(0);
  });
});
