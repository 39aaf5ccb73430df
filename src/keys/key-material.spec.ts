import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/config.error.js';
import { loadKeyMaterial } from './key-material.js';

/** A signing key file that cannot be used stops boot with a ConfigError naming the key and file, never the material. */
describe('loadKeyMaterial', () => {
  const dir = mkdtempSync(join(tmpdir(), 'key-material-'));

  it('a missing file: the key, the file and "not found"', async () => {
    await expect(loadKeyMaterial('/nonexistent/key.pem', 'ES256')).rejects.toThrow(
      new ConfigError('/nonexistent/key.pem', ['signingKeyFile: cannot read /nonexistent/key.pem: not found']),
    );
  });

  it('a PEM private key of another algorithm, without its contents', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const file = join(dir, 'ed25519.pem');
    writeFileSync(file, pem);
    const error = await loadKeyMaterial(file, 'ES256').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([`signingKeyFile: ${file} is not a key for ES256 (RFC 7518 §3.4: EC on P-256)`]);
    expect((error as Error).message).not.toContain(pem.split('\n')[1]);
  });

  it('takes the SEC1 and PKCS#1 PEM forms openssl writes by default, as the config check does', async () => {
    const sec1 = join(dir, 'sec1.pem');
    writeFileSync(sec1, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }));
    expect(await loadKeyMaterial(sec1, 'ES256')).toMatchObject({ alg: 'ES256', publicJwk: { kty: 'EC', crv: 'P-256' } });
    const pkcs1 = join(dir, 'pkcs1.pem');
    writeFileSync(pkcs1, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs1' }));
    expect(await loadKeyMaterial(pkcs1, 'RS256')).toMatchObject({ alg: 'RS256', publicJwk: { kty: 'RSA' } });
  });

  it('a file that is no PEM private key, without its contents', async () => {
    const file = join(dir, 'public.pem');
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    writeFileSync(file, pem);
    const error = await loadKeyMaterial(file, 'ES256').catch((e: unknown) => e);
    expect((error as ConfigError).problems).toEqual([`signingKeyFile: ${file} is not a PEM private key or a private JWK`]);
  });
});
