import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, exportPKCS8, generateKeyPair } from 'jose';
import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { TestClock } from '../../test/support/test-clock.js';
import { ConfigError } from '../config/config.error.js';
import { parseConfig } from '../config/config.loader.js';
import { realmFromConfig, type Realm } from '../realms/realm.js';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';
import { signJws } from '../tokens/jws.js';
import { RefreshTokenMac } from '../tokens/refresh-token-mac.js';
import { TokenVerifier } from '../tokens/token-verifier.js';
import { KeyEncryption } from './key-encryption.js';
import { KeyWithdrawalService } from './key-withdrawal.service.js';
import { PublishedKeys } from './published-keys.js';
import { ACTIVE_KEY_CACHE_MS, SigningKeyService } from './signing-key.service.js';
import { VerificationKeys } from './verification-keys.js';

const SECRET = 'test-only-key-encryption-key-0123456789';

/**
 * What a withdrawal leaves behind, below the admin API (admin-api-key-withdrawal.e2e.spec.ts): a
 * signature remembered as verified is not honoured once its key is withdrawn, a key file holding the
 * withdrawn key stops the next start instead of signing again, and a withdrawal whose audit event
 * cannot be written changes nothing.
 */
describe.each(engines)('withdrawing a signing key on $name', (engine) => {
  const storage = migratedScratch(engine);
  const dir = mkdtempSync(join(tmpdir(), 'withdrawn-key-file-'));
  const clock = new TestClock();

  /** One instance: its signer, its verifier and its withdrawals, over the shared database. */
  const instance = () => {
    const repository = new SigningKeyRepository(storage.db);
    const encryption = new KeyEncryption(SECRET);
    const published = new PublishedKeys(repository, clock);
    const keys = new SigningKeyService(repository, encryption, clock, published);
    const verification = new VerificationKeys(published, clock);
    const verifier = new TokenVerifier(verification, new RefreshTokenMac({ keys: { encryptionKey: SECRET } }), clock);
    return { keys, verifier, withdrawals: new KeyWithdrawalService(repository, encryption, clock, keys, verification) };
  };
  const realm = (name: string, signingKeyFile?: string): Realm => {
    const raw = { environment: 'development', publicUrl: 'https://auth.example', keys: { encryptionKey: 'x'.repeat(32) } };
    const config = parseConfig({ ...raw, realms: [{ name, signingAlg: 'ES256', signingKeyFile }] }, 'test', {});
    return realmFromConfig(config.publicUrl, config.realms[0]!);
  };
  const tokenOf = async (signer: ReturnType<typeof instance>, on: Realm) => {
    const key = await signer.keys.activeKey(on);
    const iat = Math.floor(clock.now().getTime() / 1000);
    return signJws({ alg: key.alg, kid: key.kid, typ: 'at+jwt' }, { iss: on.issuer, sub: 'u1', iat, exp: iat + 300 }, key.privateKey);
  };
  const verifies = (verifier: TokenVerifier, on: Realm, token: string) =>
    verifier.verifyAccessToken(on, token).then(
      () => true,
      () => false,
    );

  it('a signature remembered as verified is refused once its key is withdrawn: at once here, within ACTIVE_KEY_CACHE_MS elsewhere', async () => {
    const here = instance();
    const elsewhere = instance();
    const on = realm('remembered');
    await here.keys.ensureActiveKeys(on);
    const token = await tokenOf(here, on);
    for (const verifier of [here.verifier, elsewhere.verifier, here.verifier, elsewhere.verifier])
      expect(await verifies(verifier, on, token)).toBe(true);

    const withdrawal = await here.withdrawals.withdraw(on, (await here.keys.activeKey(on)).kid);
    expect(withdrawal).toMatchObject({ alreadyWithdrawn: false, installed: expect.any(String) });
    expect(await verifies(here.verifier, on, token)).toBe(false);
    clock.advance(ACTIVE_KEY_CACHE_MS / 1000);
    expect(await verifies(elsewhere.verifier, on, token)).toBe(false);
    const fresh = await tokenOf(elsewhere, on);
    expect(await verifies(here.verifier, on, fresh)).toBe(true);
  });

  it('ends the withdrawn key’s signing and publication in its row too, for an older instance that reads no mark', async () => {
    const here = instance();
    const on = realm('older-instances');
    await here.keys.ensureActiveKeys(on);
    const leaked = (await here.keys.activeKey(on)).kid;
    const { withdrawnAt } = (await here.withdrawals.withdraw(on, leaked))!;
    const { rows } = await storage.db.query<{ retired_at: Date; publish_until: Date }>(
      'SELECT retired_at, publish_until FROM signing_keys WHERE kid = $1',
      [leaked],
    );
    expect(rows).toEqual([{ retired_at: withdrawnAt, publish_until: withdrawnAt }]);
  });

  it('a key file holding the withdrawn key: a generated key signs until the next start, which stops, naming the file', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const file = join(dir, 'leaked.pem');
    writeFileSync(file, await exportPKCS8(privateKey));
    const service = instance();
    const on = realm('leaked-file', file);
    await service.keys.ensureActiveKeys(on);
    const leaked = (await service.keys.activeKey(on)).kid;

    const withdrawal = await service.withdrawals.withdraw(on, leaked);
    const generated = withdrawal!.installed!;
    expect((await service.keys.activeKey(on)).kid).toBe(generated);

    const restarted = instance();
    const refusal = await restarted.keys.ensureActiveKeys(on).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).problems).toEqual([
      `realms.leaked-file.signingKeyFile: ${file} holds key ${leaked}, withdrawn at ${withdrawal!.withdrawnAt.toISOString()}: put a new key in the file`,
    ]);
    expect((await restarted.keys.activeKey(on)).kid).toBe(generated);
  });

  it('a withdrawal whose audit event cannot be written changes nothing: the key still signs and verifies', async () => {
    const service = instance();
    const on = realm('unrecorded');
    await service.keys.ensureActiveKeys(on);
    const token = await tokenOf(service, on);
    const { kid } = await service.keys.activeKey(on);
    await expect(service.withdrawals.withdraw(on, kid, () => Promise.reject(new Error('the audit trail refused')))).rejects.toThrow(
      'the audit trail refused',
    );
    expect((await service.keys.activeKey(on)).kid).toBe(kid);
    expect(await verifies(service.verifier, on, token)).toBe(true);
    expect((await service.keys.publishedKeys(on)).map((jwk) => jwk.kid)).toEqual([kid]);
  });

  it('another realm’s key, or none: undefined, nothing changed', async () => {
    const service = instance();
    const [mine, theirs] = [realm('mine'), realm('theirs')];
    await service.keys.ensureActiveKeys(mine);
    await service.keys.ensureActiveKeys(theirs);
    const theirKid = (await service.keys.activeKey(theirs)).kid;
    expect(await service.withdrawals.withdraw(mine, theirKid)).toBeUndefined();
    expect(await service.withdrawals.withdraw(mine, 'no-such-kid')).toBeUndefined();
    expect((await service.keys.publishedKeys(theirs)).map((jwk) => jwk.kid)).toEqual([theirKid]);
  });
  /**
   * A read of the keys begun before a withdrawal through this instance commits, answered after it: what
   * it read is not kept, and not used. The signer and the verifier read again.
   */
  it('a read of the keys under way when its key is withdrawn here signs and verifies with nothing it read', async () => {
    const on = realm('in-flight');
    const repository = new SigningKeyRepository(storage.db);
    const encryption = new KeyEncryption(SECRET);
    const first = instance();
    await first.keys.ensureActiveKeys(on);
    const token = await tokenOf(first, on);
    const leaked = (await first.keys.activeKey(on)).kid;

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holdFirst = <T>(read: () => Promise<T>) => {
      let calls = 0;
      return async () => {
        const answer = await read();
        if (calls++ === 0) await held;
        return answer;
      };
    };
    const published = new PublishedKeys(repository, clock);
    const heldPublished = Object.assign(Object.create(published) as PublishedKeys, {
      of: holdFirst(() => published.of(on.name)),
    });
    const heldRepository = Object.assign(Object.create(repository) as SigningKeyRepository, {
      findSigning: holdFirst(() => repository.findSigning(on.name, 'ES256', clock.now())),
    });
    const keys = new SigningKeyService(heldRepository, encryption, clock, published);
    const verification = new VerificationKeys(heldPublished, clock);
    const withdrawals = new KeyWithdrawalService(repository, encryption, clock, keys, verification);

    const signing = keys.activeKey(on);
    const verifying = verification.keyFor(on, decodeProtectedHeader(token)).then(
      () => 'verified',
      (error: unknown) => (error as Error).name,
    );
    await new Promise((resolve) => setTimeout(resolve, 50)); // both reads are answered, and held
    expect(await withdrawals.withdraw(on, leaked)).toMatchObject({ alreadyWithdrawn: false });
    release();
    expect((await signing).kid).not.toBe(leaked);
    expect(await verifying).toBe('JWKSNoMatchingKey');
  });
});
