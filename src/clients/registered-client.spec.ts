import { ConfigError } from '../config/config.error.js';
import type { ClientConfig } from '../config/client-config.schema.js';
import { registerClient } from './registered-client.js';

describe('registerClient', () => {
  it('a jwksFile that cannot be read is a ConfigError naming the realm, client, file and reason', () => {
    const config = { clientId: 'xis', type: 'confidential', jwksFile: '/nonexistent/x.jwks.json' } as unknown as ClientConfig;
    expect(() => registerClient('nemlogin', config)).toThrow(
      new ConfigError('/nonexistent/x.jwks.json', [
        'realm nemlogin, client xis: jwksFile: cannot read /nonexistent/x.jwks.json: not found',
      ]),
    );
  });
});
