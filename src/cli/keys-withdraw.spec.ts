import { engines } from '../../test/support/database-engines.js';
import { migratedScratch } from '../../test/support/migrated-scratch.js';
import { TestClock } from '../../test/support/test-clock.js';
import { testConfig } from '../../test/support/test-config.js';
import { KEY_PREPUBLICATION_MS } from '../keys/signing-key.service.js';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';
import { rotateFromCommandLine } from './keys-rotate.js';
import { withdrawFromCommandLine } from './keys-withdraw.js';

/**
 * `npm run keys:withdraw` does what the admin API's withdrawal does (keys-admin.controller.ts), its
 * ADMIN_ACTION included: "No recorded change without its audit event" (docs/ARCHITECTURE.md).
 * What a restarted service then does with the database: keys-withdraw-command.e2e.spec.ts.
 */
describe.each(engines)('keys:withdraw on $name', (engine) => {
  const storage = migratedScratch(engine);
  const config = testConfig('https://auth.example');
  const clock = new TestClock();

  const signing = async () => (await new SigningKeyRepository(storage.db).findSigning('nemlogin', 'ES256', clock.now()))?.kid;
  const events = async () =>
    (
      await storage.db.query<{ type: string; client_id: string | null; ip_address: string | null; details: Record<string, unknown> }>(
        "SELECT type, client_id, ip_address, details FROM audit_events WHERE realm = 'nemlogin' ORDER BY id",
      )
    ).rows;

  it('withdraws the key that signs, a new one signing at once, and records an ADMIN_ACTION that says it came from the command line', async () => {
    // The realm's only key, signing once the rotation that made it says.
    const { kid: pending } = await rotateFromCommandLine({ config, db: storage.db, clock }, 'nemlogin');
    clock.advance(KEY_PREPUBLICATION_MS / 1000);
    expect(await signing()).toBe(pending);

    const withdrawal = await withdrawFromCommandLine({ config, db: storage.db, clock }, 'nemlogin', pending);
    expect(withdrawal).toMatchObject({ kid: pending, alreadyWithdrawn: false, withdrawnAt: clock.now() });
    const fresh = await signing();
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(pending);
    expect(withdrawal).toMatchObject({ installed: fresh, signing: fresh });
    expect((await events()).at(-1)).toEqual({
      type: 'ADMIN_ACTION',
      client_id: null,
      ip_address: null,
      details: {
        operation_type: 'ACTION',
        resource_path: `keys/${pending}/withdraw`,
        via: 'cli',
        kid: pending,
        algorithm: 'ES256',
        withdrawn_at: clock.now().toISOString(),
        installed_kid: fresh,
        signing_kid: fresh,
      },
    });
  });

  it('refuses a kid the realm does not have (another realm’s included), before anything changes', async () => {
    const { kid: ehealthKid } = await rotateFromCommandLine({ config, db: storage.db, clock }, 'ehealth');
    const before = { events: (await events()).length, signing: await signing() };
    for (const kid of ['A'.repeat(43), ehealthKid])
      await expect(withdrawFromCommandLine({ config, db: storage.db, clock }, 'nemlogin', kid)).rejects.toThrow(
        `realm nemlogin has no signing key ${kid}`,
      );
    await expect(withdrawFromCommandLine({ config, db: storage.db, clock }, 'nemlogin', 'a\0b')).rejects.toThrow(
      'realm nemlogin has no signing key of that id',
    );
    expect(await events()).toHaveLength(before.events);
    expect(await signing()).toBe(before.signing);
    expect((await new SigningKeyRepository(storage.db).findByKid(ehealthKid))!.withdrawn_at).toBeNull();
  });
});
