import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, generateKeyPair } from 'jose';
import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { TestClock } from '../../test/support/test-clock.js';
import { ConfigError } from '../config/config.error.js';
import { parseConfig } from '../config/config.loader.js';
import { realmFromConfig, type Realm } from '../realms/realm.js';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';
import { KeyEncryption } from './key-encryption.js';
import { KEY_PREPUBLICATION_MS, SigningKeyService } from './signing-key.service.js';
import { PublishedKeys } from './published-keys.js';

/**
 * A key from `signingKeyFile` is one realm's key of one algorithm (RFC 8725 §3.1: a key is used with
 * exactly one algorithm; `kid`, its thumbprint, is the primary key of signing_keys across realms).
 * A config that would give it another algorithm or another realm stops the start with the key and the
 * reason, and changes nothing.
 */
describe.each(engines)('signing keys from a file on $name', (engine) => {
  const storage = migratedScratch(engine);
  const dir = mkdtempSync(join(tmpdir(), 'signing-key-file-'));
  const clock = new TestClock();
  let keys: SigningKeyService;
  let n = 0;

  beforeAll(() => {
    const repository = new SigningKeyRepository(storage.db);
    keys = new SigningKeyService(
      repository,
      new KeyEncryption('test-only-key-encryption-key-0123456789'),
      clock,
      new PublishedKeys(repository, clock),
    );
  });

  const rsaKeyFile = async () => {
    const { privateKey } = await generateKeyPair('PS256', { extractable: true });
    const file = join(dir, `rsa-${++n}.pem`);
    writeFileSync(file, await exportPKCS8(privateKey));
    return file;
  };
  const realm = (name: string, signingAlg: string, signingKeyFile: string): Realm => {
    const raw = { environment: 'development', publicUrl: 'https://auth.example', keys: { encryptionKey: 'x'.repeat(32) } };
    const config = parseConfig({ ...raw, realms: [{ name, signingAlg, signingKeyFile }] }, 'test', {});
    return realmFromConfig(config.publicUrl, config.realms[0]!);
  };
  const rows = async (name: string) =>
    (
      await storage.db.query<{ kid: string; alg: string; active: boolean }>(
        'SELECT kid, alg, retired_at IS NULL AS active FROM signing_keys WHERE realm = $1 ORDER BY created_at, alg',
        [name],
      )
    ).rows;
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems;
      },
    );

  it('signingAlg RS256 → PS256 on the same key file: refused with the key and the reason, the RS256 key still active', async () => {
    const file = await rsaKeyFile();
    const rs256 = realm('alg-change', 'RS256', file);
    await keys.ensureActiveKeys(rs256);
    const { kid } = await keys.activeKey(rs256);
    const before = await rows('alg-change');
    expect(before).toEqual([{ kid, alg: 'RS256', active: true }]);

    const ps256 = realm('alg-change', 'PS256', file);
    expect(await refusal(keys.ensureActiveKeys(ps256))).toEqual([
      `realms.alg-change.signingKeyFile: ${file} holds the key this realm signed RS256 tokens with, and a key signs with one algorithm only (RFC 8725 §3.1): give PS256 a key file of its own`,
    ]);
    expect(await refusal(keys.activeKey(ps256, 'PS256'))).toHaveLength(1);
    expect(await rows('alg-change')).toEqual(before);
  });

  it('signingAlg RS256 → PS256 with a new key file: PS256 signs, the RS256 key stays published as RS256 until its tokens have expired', async () => {
    const rs256 = realm('alg-moved', 'RS256', await rsaKeyFile());
    await keys.ensureActiveKeys(rs256);
    const old = await keys.activeKey(rs256);

    const ps256 = realm('alg-moved', 'PS256', await rsaKeyFile());
    await keys.ensureActiveKeys(ps256);
    const current = await keys.activeKey(ps256);
    expect(current).toMatchObject({ alg: 'PS256' });
    expect(current.kid).not.toBe(old.kid);
    expect((await keys.publishedKeys(ps256)).map(({ kid, alg }) => ({ kid, alg }))).toEqual([
      { kid: current.kid, alg: 'PS256' },
      { kid: old.kid, alg: 'RS256' },
    ]);
  });

  it('a key file back after another: its own retired row signs again, in its algorithm', async () => {
    const [one, two] = [await rsaKeyFile(), await rsaKeyFile()];
    await keys.ensureActiveKeys(realm('file-back', 'PS256', one));
    const first = (await rows('file-back'))[0]!.kid;
    await keys.ensureActiveKeys(realm('file-back', 'PS256', two));
    await keys.ensureActiveKeys(realm('file-back', 'PS256', one));
    const now = await rows('file-back');
    expect(now).toHaveLength(2);
    expect(now.filter((row) => row.active)).toEqual([{ kid: first, alg: 'PS256', active: true }]);
  });

  it('a key file that does not fit signingAlg (a JWK of another type, an RSA key under 2048 bits): refused with the key and the reason, the old key still active', async () => {
    const rs256 = realm('misfit', 'RS256', await rsaKeyFile());
    await keys.ensureActiveKeys(rs256);
    const before = await rows('misfit');

    const ecJwk = join(dir, 'ec.jwk.json');
    writeFileSync(ecJwk, JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })));
    const smallRsa = join(dir, 'rsa-1024.pem');
    writeFileSync(smallRsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
    for (const file of [ecJwk, smallRsa]) {
      expect(await refusal(keys.ensureActiveKeys(realm('misfit', 'RS256', file)))).toEqual([
        `realms.misfit.signingKeyFile: ${file} is not a key for RS256 (RFC 7518 §3.3: RSA of 2048 bits or more)`,
      ]);
      expect(await rows('misfit')).toEqual(before);
    }
  });

  it("another realm's key file (a realm renamed, a file copied): refused with the key and the reason, nothing installed", async () => {
    const file = await rsaKeyFile();
    await keys.ensureActiveKeys(realm('first-owner', 'RS256', file));
    expect(await refusal(keys.ensureActiveKeys(realm('second-owner', 'RS256', file)))).toEqual([
      `realms.second-owner.signingKeyFile: ${file} holds the key realm first-owner signed with; each realm signs with its own key`,
    ]);
    expect(await rows('second-owner')).toEqual([]);
  });

  describe('while a rotation publishes its key ahead', () => {
    const generated = (name: string): Realm => {
      const raw = { environment: 'development', publicUrl: 'https://auth.example', keys: { encryptionKey: 'x'.repeat(32) } };
      const config = parseConfig({ ...raw, realms: [{ name, signingAlg: 'PS256' }] }, 'test', {});
      return realmFromConfig(config.publicUrl, config.realms[0]!);
    };
    const repository = () => new SigningKeyRepository(storage.db);
    /** What the admin API and every instance take for the key that signs now. */
    const signing = async (name: string) => (await repository().findSigning(name, 'PS256', clock.now()))?.kid;
    const publishedKeys = async (name: string) =>
      (await repository().findPublished(name, clock.now())).filter((row) => row.alg === 'PS256');

    it('a key file put in place signs at once, and the keys of the rotation stop: one key signs', async () => {
      await keys.ensureActiveKeys(generated('file-while-pending'));
      const { kid: pending } = await keys.rotate(generated('file-while-pending'), 'PS256');
      clock.advance(10);
      const withFile = realm('file-while-pending', 'PS256', await rsaKeyFile());
      await keys.ensureActiveKeys(withFile);
      const { kid } = await keys.activeKey(withFile);
      expect(await signing('file-while-pending')).toBe(kid);
      // Neither the rotation's old key nor its new one signs at any later instant.
      for (const row of await publishedKeys('file-while-pending'))
        if (row.kid !== kid) expect(row.retired_at!.getTime()).toBeLessThanOrEqual(clock.now().getTime());
      clock.advance(KEY_PREPUBLICATION_MS / 1000);
      expect(await signing('file-while-pending')).toBe(kid);
      expect(pending).not.toBe(kid);
    });

    it('an earlier key file put back signs at once', async () => {
      const [first, second] = [await rsaKeyFile(), await rsaKeyFile()];
      await keys.ensureActiveKeys(realm('file-back-while-pending', 'PS256', first));
      const firstKid = (await keys.activeKey(realm('file-back-while-pending', 'PS256', first))).kid;
      clock.advance(1);
      await keys.ensureActiveKeys(realm('file-back-while-pending', 'PS256', second));
      clock.advance(1);
      await keys.rotate(generated('file-back-while-pending'), 'PS256');
      clock.advance(10);
      await keys.ensureActiveKeys(realm('file-back-while-pending', 'PS256', first));
      expect(await signing('file-back-while-pending')).toBe(firstKid);
    });

    it('another rotation is refused until the key signs, and changes nothing', async () => {
      await keys.ensureActiveKeys(generated('rotate-twice'));
      const { signsFrom } = await keys.rotate(generated('rotate-twice'), 'PS256');
      const before = await rows('rotate-twice');
      await expect(keys.rotate(generated('rotate-twice'), 'PS256')).rejects.toThrow(
        `realm rotate-twice's PS256 key of the last rotation signs from ${signsFrom.toISOString()}; rotate again after that`,
      );
      expect(await rows('rotate-twice')).toEqual(before);
      clock.advance(KEY_PREPUBLICATION_MS / 1000);
      await expect(keys.rotate(generated('rotate-twice'), 'PS256')).resolves.toBeDefined();
    });
  });
});
