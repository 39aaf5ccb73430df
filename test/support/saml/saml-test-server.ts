import type { AppOverrides } from '../../../src/app.module.js';
import type { Config } from '../../../src/config/config.schema.js';
import { freePort } from '../free-port.js';
import { startTestServer, type TestServer } from '../test-server.js';
import { testServiceProviderConfig } from './saml-fixtures.js';
import { TestIdp } from './test-idp.js';

export interface SamlTestServer {
  server: TestServer;
  idp: TestIdp;
  /** Realm `nemlogin`'s issuer. */
  issuer: string;
}

/**
 * The test server with realm `nemlogin` brokering to one test IdP (`nemlog-in`, the OIOSAML 3 citizen
 * profile), on a port chosen first: the IdP must know the realm's issuer before the server starts.
 * `slo` gives the IdP a SingleLogoutService; `patch` changes the config after that (`adjust`, as
 * startTestServer's, the parsed config). `port` is one the
 * caller chose, when it needs the realms' issuers first too.
 */
export async function startSamlTestServer(
  options: {
    slo?: boolean;
    patch?: (raw: Record<string, any>) => void;
    adjust?: (config: Config) => void;
    overrides?: Omit<AppOverrides, 'logDestination'>;
    port?: number;
  } = {},
): Promise<SamlTestServer> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}/realms/nemlogin`;
  const idp = await TestIdp.create({ realmIssuer: issuer, alias: 'nemlog-in' });
  const server = await startTestServer({
    port,
    overrides: options.overrides,
    adjust: options.adjust,
    patch: (raw) => {
      raw.realms[0].serviceProvider = testServiceProviderConfig();
      raw.realms[0].identityProviders = [idp.idpConfig('oiosaml3-citizen', options.slo ? { sloUrl: idp.sloUrl } : {})];
      options.patch?.(raw);
    },
  });
  return { server, idp, issuer };
}
