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
    expect((error as ConfigError).problems).toEqual([`signingKeyFile: ${file} is not a PKCS#8 PEM private key for ES256`]);
    expect((error as Error).message).not.toContain(pem.split('\n')[1]);
  });
});
