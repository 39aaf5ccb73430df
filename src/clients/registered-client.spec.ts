import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
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

  it('verifies an Ed25519 key’s assertion signed as EdDSA or as Ed25519 (RFC 9864), whichever name the key was registered with', async () => {
    const { publicKey, privateKey } = await generateKeyPair('Ed25519');
    const jwk = await exportJWK(publicKey);
    for (const registered of ['EdDSA', 'Ed25519']) {
      const config = { clientId: 'app', type: 'confidential', jwks: { keys: [{ ...jwk, alg: registered }] } } as unknown as ClientConfig;
      const { jwks } = registerClient('nemlogin', config);
      for (const signed of ['EdDSA', 'Ed25519']) {
        const assertion = await new SignJWT({}).setProtectedHeader({ alg: signed }).setIssuer('app').sign(privateKey);
        await expect(jwtVerify(assertion, jwks!)).resolves.toMatchObject({ protectedHeader: { alg: signed } });
      }
    }
  });
});
