import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, generateKeyPair } from 'jose';
import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { TestClock } from '../../test/support/test-clock.js';
import { parseConfig } from '../config/config.loader.js';
import type { FhirGateways } from '../fhir/fhir-gateways.js';
import { KeyEncryption } from '../keys/key-encryption.js';
import { PublishedKeys } from '../keys/published-keys.js';
import { ACTIVE_KEY_CACHE_MS, SigningKeyService } from '../keys/signing-key.service.js';
import { realmFromConfig, type Realm } from '../realms/realm.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { AuditEventRepository } from '../storage/audit-event.repository.js';
import type { Database } from '../storage/database.js';
import { FhirAuditOutboxRepository } from '../storage/fhir-audit-outbox.repository.js';
import { SessionRepository } from '../storage/session.repository.js';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';
import { AuditTrail } from './audit-trail.service.js';
import { SigningKeyChangeAudit } from './signing-key-change-audit.js';

/**
 * A signing key the service installs at start, generated or from `signingKeyFile`, is in the audit
 * trail as a rotation's key is: a SIGNING_KEY_INSTALLED committed with the key, so a start that
 * changes nothing records nothing, and of two instances starting at once only the winner's key is
 * recorded ("No recorded change without its audit event", docs/ARCHITECTURE.md). A key a start
 * retires, its algorithm no longer used, is a SIGNING_KEY_RETIRED committed with its retirement.
 */
describe.each(engines)('signing keys installed and retired at start, in the audit trail, on $name', (engine) => {
  const storage = migratedScratch(engine);
  const dir = mkdtempSync(join(tmpdir(), 'signing-key-change-audit-'));
  const clock = new TestClock();
  const encryption = new KeyEncryption('test-only-key-encryption-key-0123456789');
  /** SIGNING_KEY_INSTALLED is not sent to FHIR: the trail never asks for a gateway. */
  const noFhir = {
    forRealm(): never {
      throw new Error('no FHIR server in this test');
    },
  } as Partial<FhirGateways> as FhirGateways;
  let n = 0;

  /** One instance of the service, as Nest wires it: its key service records installs through its audit trail. */
  const instance = (db: Database = storage.db): SigningKeyService => {
    const repository = new SigningKeyRepository(db);
    const keys = new SigningKeyService(repository, encryption, clock, new PublishedKeys(repository, clock));
    const registry = { get: () => undefined } as unknown as RealmRegistry;
    const audit = new AuditTrail(
      db,
      new AuditEventRepository(db),
      new SessionRepository(db),
      new FhirAuditOutboxRepository(db),
      registry,
      noFhir,
      clock,
    );
    new SigningKeyChangeAudit(keys, audit).onModuleInit();
    return keys;
  };

  const realm = (name: string, options: { signingKeyFile?: string; idTokenAlg?: string } = {}): Realm => {
    const clients = options.idTokenAlg
      ? [
          {
            clientId: 'app',
            type: 'public',
            grantTypes: ['authorization_code'],
            redirectUris: ['https://app.example/cb'],
            idTokenSignedResponseAlg: options.idTokenAlg,
          },
        ]
      : [];
    const raw = { environment: 'development', publicUrl: 'https://auth.example', keys: { encryptionKey: 'x'.repeat(32) } };
    const config = parseConfig(
      { ...raw, realms: [{ name, signingAlg: 'PS256', signingKeyFile: options.signingKeyFile, clients }] },
      'test',
      {},
    );
    return realmFromConfig(config.publicUrl, config.realms[0]!);
  };
  const keyFile = async () => {
    const { privateKey } = await generateKeyPair('PS256', { extractable: true });
    const file = join(dir, `key-${++n}.pem`);
    writeFileSync(file, await exportPKCS8(privateKey));
    return file;
  };
  const events = async (name: string) =>
    (
      await storage.db.query<{
        type: string;
        outcome: string;
        client_id: string | null;
        user_id: string | null;
        ip_address: string | null;
        details: Record<string, unknown>;
      }>('SELECT type, outcome, client_id, user_id, ip_address, details FROM audit_events WHERE realm = $1 ORDER BY id', [name])
    ).rows;
  const active = async (name: string, alg: string) => (await new SigningKeyRepository(storage.db).findActive(name, alg))?.kid;

  it('a first start records the key it generates for each algorithm, with its kid, algorithm, source and start of signing', async () => {
    const first = realm('first-start', { idTokenAlg: 'RS256' });
    await instance().ensureActiveKeys(first);
    const signsFrom = clock.now().toISOString();
    expect(await events('first-start')).toEqual([
      {
        type: 'SIGNING_KEY_INSTALLED',
        outcome: 'success',
        client_id: null,
        user_id: null,
        ip_address: null,
        details: { kid: await active('first-start', 'PS256'), algorithm: 'PS256', source: 'generated', signs_from: signsFrom },
      },
      {
        type: 'SIGNING_KEY_INSTALLED',
        outcome: 'success',
        client_id: null,
        user_id: null,
        ip_address: null,
        details: { kid: await active('first-start', 'RS256'), algorithm: 'RS256', source: 'generated', signs_from: signsFrom },
      },
    ]);
  });

  it('a second start that finds its keys in place records nothing', async () => {
    const config = realm('restart', { idTokenAlg: 'RS256' });
    await instance().ensureActiveKeys(config);
    const recorded = await events('restart');
    expect(recorded).toHaveLength(2);

    clock.advance(60);
    const restarted = instance();
    await restarted.ensureActiveKeys(config);
    await restarted.activeKey(config, 'PS256');
    await restarted.activeKey(config, 'RS256');
    expect(await events('restart')).toEqual(recorded);
  });

  it('a key from signingKeyFile is recorded with source file; a new file with the key it replaced; the same file again not at all', async () => {
    const [one, two] = [await keyFile(), await keyFile()];
    await instance().ensureActiveKeys(realm('key-file', { signingKeyFile: one }));
    const first = await active('key-file', 'PS256');
    await instance().ensureActiveKeys(realm('key-file', { signingKeyFile: one }));
    clock.advance(60);
    await instance().ensureActiveKeys(realm('key-file', { signingKeyFile: two }));
    const second = await active('key-file', 'PS256');
    expect(second).not.toBe(first);

    expect((await events('key-file')).map((event) => [event.type, event.details])).toEqual([
      ['SIGNING_KEY_INSTALLED', { kid: first, algorithm: 'PS256', source: 'file', signs_from: expect.any(String) }],
      [
        'SIGNING_KEY_INSTALLED',
        { kid: second, algorithm: 'PS256', source: 'file', signs_from: clock.now().toISOString(), replaced_kid: first },
      ],
    ]);
  });

  it('an earlier key file put back is recorded again: its key signs anew', async () => {
    const [one, two] = [await keyFile(), await keyFile()];
    await instance().ensureActiveKeys(realm('file-back', { signingKeyFile: one }));
    const first = await active('file-back', 'PS256');
    await instance().ensureActiveKeys(realm('file-back', { signingKeyFile: two }));
    const second = await active('file-back', 'PS256');
    clock.advance(60);
    await instance().ensureActiveKeys(realm('file-back', { signingKeyFile: one }));
    expect(await active('file-back', 'PS256')).toBe(first);

    const [, , back] = await events('file-back');
    expect(back!.details).toEqual({
      kid: first,
      algorithm: 'PS256',
      source: 'file',
      signs_from: clock.now().toISOString(),
      replaced_kid: second,
    });
  });

  it('two instances starting at once: one key per algorithm, and one event each, naming the key that won', async () => {
    const config = realm('race', { idTokenAlg: 'RS256' });
    // Two connections on PostgreSQL; PGlite is one connection, whose transactions take turns.
    const [a, b] = [instance(await storage.scratch.connect()), instance(await storage.scratch.connect())];
    await Promise.all([a.ensureActiveKeys(config), b.ensureActiveKeys(config)]);
    const recorded = (await events('race')).map((event) => [event.details.algorithm, event.details.kid]);
    expect(recorded.sort()).toEqual([
      ['PS256', await active('race', 'PS256')],
      ['RS256', await active('race', 'RS256')],
    ]);
  });

  it('a key made again after another instance’s start retired its algorithm is recorded too', async () => {
    const withClient = realm('retired', { idTokenAlg: 'RS256' });
    const a = instance();
    await a.ensureActiveKeys(withClient);
    const before = await a.activeKey(withClient, 'RS256');
    // Another instance starts with a config without the client: the RS256 key is retired.
    await instance().ensureActiveKeys(realm('retired'));
    expect(await active('retired', 'RS256')).toBeUndefined();

    clock.advance(ACTIVE_KEY_CACHE_MS / 1000);
    const again = await a.activeKey(withClient, 'RS256');
    expect(again.kid).not.toBe(before.kid);
    const [, , retired, made] = await events('retired');
    expect([retired!.type, retired!.details.kid]).toEqual(['SIGNING_KEY_RETIRED', before.kid]);
    expect(made!.type).toBe('SIGNING_KEY_INSTALLED');
    expect(made!.details).toEqual({ kid: again.kid, algorithm: 'RS256', source: 'generated', signs_from: clock.now().toISOString() });
  });

  it('a start that retires an algorithm no client uses any more records the key it retired, once, with how long it stays published', async () => {
    const withClient = realm('unused', { idTokenAlg: 'RS256' });
    await instance().ensureActiveKeys(withClient);
    const rs256 = await active('unused', 'RS256');
    clock.advance(60);
    const without = realm('unused');
    await instance().ensureActiveKeys(without);
    await instance().ensureActiveKeys(without);
    const retirements = (await events('unused')).filter((event) => event.type === 'SIGNING_KEY_RETIRED');
    const longest = Math.max(without.config.accessTokenTtl, without.config.sessionIdle) * 1000;
    expect(retirements).toEqual([
      {
        type: 'SIGNING_KEY_RETIRED',
        outcome: 'success',
        client_id: null,
        user_id: null,
        ip_address: null,
        details: { kid: rs256, algorithm: 'RS256', reason: 'algorithm_unused', published_until: expect.any(String) },
      },
    ]);
    // Published for the longest token lifetime and the leeways after this start (signing-key.service.ts, retention).
    const until = Date.parse(retirements[0]!.details.published_until as string) - clock.now().getTime();
    expect(until).toBeGreaterThanOrEqual(longest);
    expect(until).toBeLessThanOrEqual(longest + 5 * 60_000);
  });

  it('a retirement whose event cannot be written retires nothing: the two commit together', async () => {
    const withClient = realm('unretired', { idTokenAlg: 'RS256' });
    await instance().ensureActiveKeys(withClient);
    const rs256 = await active('unretired', 'RS256');
    const keys = instance();
    keys.recordKeyChangesWith({
      installed: () => Promise.resolve(),
      retired: () => Promise.reject(new Error('audit_events unavailable')),
    });
    await expect(keys.ensureActiveKeys(realm('unretired'))).rejects.toThrow('audit_events unavailable');
    expect(await active('unretired', 'RS256')).toBe(rs256);
  });

  it('a key whose event cannot be written is not installed: the two commit together', async () => {
    const keys = instance();
    keys.recordKeyChangesWith({
      installed: () => Promise.reject(new Error('audit_events unavailable')),
      retired: () => Promise.resolve(),
    });
    await expect(keys.ensureActiveKeys(realm('unrecorded'))).rejects.toThrow('audit_events unavailable');
    expect(await active('unrecorded', 'PS256')).toBeUndefined();
    expect(await events('unrecorded')).toEqual([]);
  });
});
