import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { TestClock } from '../../test/support/test-clock.js';
import { testConfig } from '../../test/support/test-config.js';
import { KEY_PREPUBLICATION_MS } from '../keys/signing-key.service.js';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';
import { rotateFromCommandLine } from './keys-rotate.js';

/**
 * `npm run keys:rotate` does what the admin API's rotation does (keys-admin.controller.ts), its
 * ADMIN_ACTION included: "No recorded change without its audit event" (docs/ARCHITECTURE.md).
 */
describe.each(engines)('keys:rotate on $name', (engine) => {
  const storage = migratedScratch(engine);
  const config = testConfig('https://auth.example');
  const clock = new TestClock();

  const active = async (alg: string) => (await new SigningKeyRepository(storage.db).findActive('nemlogin', alg))?.kid;
  const events = async () =>
    (
      await storage.db.query<{ type: string; client_id: string | null; ip_address: string | null; details: Record<string, unknown> }>(
        "SELECT type, client_id, ip_address, details FROM audit_events WHERE realm = 'nemlogin' ORDER BY id",
      )
    ).rows;

  it('rotates and records an ADMIN_ACTION that says it came from the command line, with the new kid, algorithm and start of signing', async () => {
    const { kid, signsFrom } = await rotateFromCommandLine({ config, db: storage.db, clock }, 'nemlogin');
    expect(await active('ES256')).toBe(kid);
    expect(signsFrom.getTime()).toBe(clock.now().getTime() + KEY_PREPUBLICATION_MS);
    expect(await events()).toEqual([
      {
        type: 'ADMIN_ACTION',
        client_id: null,
        ip_address: null,
        details: {
          operation_type: 'ACTION',
          resource_path: 'keys/rotate',
          via: 'cli',
          kid,
          algorithm: 'ES256',
          signs_from: signsFrom.toISOString(),
        },
      },
    ]);
  });

  it('names in its ADMIN_ACTION the key it replaces', async () => {
    clock.advance(KEY_PREPUBLICATION_MS / 1000);
    const before = await active('ES256');
    const { kid } = await rotateFromCommandLine({ config, db: storage.db, clock }, 'nemlogin');
    expect((await events()).at(-1)!.details).toMatchObject({ kid, replaced_kid: before });
    expect(before).toBeDefined();
  });

  it('publishes the new key ahead: the key it replaces signs until signsFrom, and is then retired', async () => {
    clock.advance(KEY_PREPUBLICATION_MS / 1000);
    const repository = new SigningKeyRepository(storage.db);
    const signing = async () => (await repository.findSigning('nemlogin', 'ES256', clock.now()))?.kid;
    const before = await signing();
    const { kid, signsFrom } = await rotateFromCommandLine({ config, db: storage.db, clock }, 'nemlogin');
    expect(await signing()).toBe(before);
    clock.advance(KEY_PREPUBLICATION_MS / 1000 - 1);
    expect(await signing()).toBe(before);
    clock.advance(1);
    expect(clock.now()).toEqual(signsFrom);
    expect(await signing()).toBe(kid);
    expect((await repository.findByKid(before!))!.retired_at).toEqual(signsFrom);
  });

  it('records in the rotation’s transaction: an event that cannot be written leaves the old key active', async () => {
    const before = await active('ES256');
    await storage.db.query("ALTER TABLE audit_events ADD CONSTRAINT refuse_cli CHECK (details->>'via' IS DISTINCT FROM 'cli') NOT VALID");
    try {
      await expect(rotateFromCommandLine({ config, db: storage.db, clock }, 'nemlogin')).rejects.toThrow(/refuse_cli/);
      expect(await active('ES256')).toBe(before);
    } finally {
      await storage.db.query('ALTER TABLE audit_events DROP CONSTRAINT refuse_cli');
    }
  });

  it('refuses an algorithm the realm does not sign with, before anything changes', async () => {
    const before = (await events()).length;
    await expect(rotateFromCommandLine({ config, db: storage.db, clock }, 'nemlogin', 'HS256')).rejects.toThrow(
      'realm nemlogin signs with ES256 only',
    );
    expect(await events()).toHaveLength(before);
  });
});
