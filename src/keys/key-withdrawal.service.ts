import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import type { SigningAlg } from '../config/config.schema.js';
import type { Realm } from '../realms/realm.js';
import type { Queryable } from '../storage/database.js';
import { SigningKeyRepository, type SigningKeyRow } from '../storage/signing-key.repository.js';
import { signingStart, type KeyWithdrawal } from './key-changes.js';
import { KeyEncryption } from './key-encryption.js';
import { generateKeyMaterial, type KeyMaterial } from './key-material.js';
import { KEY_ENCRYPTION, keyRetentionMs, SigningKeyService } from './signing-key.service.js';
import { storedKey } from './stored-key.js';
import { VerificationKeys } from './verification-keys.js';

/**
 * Withdraws a realm's signing key that has leaked, as Keycloak does by disabling or deleting its key
 * provider, but keeping the row (marked) for the audit trail. From the commit on, the key is in no
 * instance's JWKS (RFC 7517 §5: the set holds keys a verifier may trust; every JWKS request reads the
 * database, published-keys.ts), and a token naming it in its `kid` (RFC 7515 §4.1.4) verifies nowhere
 * in this service: at once on this instance, within ACTIVE_KEY_CACHE_MS on another, which reads its
 * cached key again that often. A key that signs is replaced by a new one signing at once, without a
 * rotation's pre-publication: the old key is compromised, so what it signs must stop now, and verifiers
 * that do not know the new key yet fetch the JWKS again on its unknown `kid` (OpenID Connect Core
 * §10.1.1). A realm is never left without a key to sign with.
 */
@Injectable()
export class KeyWithdrawalService {
  constructor(
    private readonly repository: SigningKeyRepository,
    @Inject(KEY_ENCRYPTION) private readonly encryption: KeyEncryption,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly signing: SigningKeyService,
    private readonly verification: VerificationKeys,
  ) {}

  /**
   * Withdraws `kid`, one of `realm`'s keys; undefined, changing nothing, when the realm has none of that
   * id (another realm's key included: an operator of one realm learns nothing of another's). A key
   * withdrawn before is reported as it was, and nothing changes. `record` writes, in the withdrawal's
   * transaction, what must commit with it (its ADMIN_ACTION): no key changes without its event.
   */
  async withdraw(
    realm: Realm,
    kid: string,
    record?: (tx: Queryable, withdrawal: KeyWithdrawal) => Promise<void>,
  ): Promise<KeyWithdrawal | undefined> {
    const found = await this.repository.findByKid(kid);
    if (!found || found.realm !== realm.name) return undefined;
    const alg = found.alg as SigningAlg;
    // Made before the lock (an RSA key takes a while), for the case it is needed: the key signs or is about to.
    const replacement = found.withdrawn_at ? undefined : await generateKeyMaterial(alg);
    const withdrawal = await this.repository.changeKeys(realm.name, async (tx) => {
      const row = (await this.repository.findByKid(kid, tx))!;
      const done = row.withdrawn_at ? this.already(row) : await this.withdrawLocked(realm, row, replacement, tx);
      done.signing = (await this.repository.findSigning(realm.name, alg, this.clock.now(), tx))?.kid;
      await record?.(tx, done);
      return done;
    });
    // This instance stops at once; another once its cached key is ACTIVE_KEY_CACHE_MS old.
    this.signing.forgetActive(realm, alg);
    this.verification.forget(kid);
    return withdrawal;
  }

  private already(row: SigningKeyRow): KeyWithdrawal {
    return { kid: row.kid, alg: row.alg, withdrawnAt: row.withdrawn_at!, alreadyWithdrawn: true };
  }

  /**
   * Under the realm's key lock: marks `row` withdrawn, and keeps its algorithm signing. The key signing
   * now is replaced by `replacement`, signing at once (and a rotation's key published ahead of it is
   * retired: it stays published, unused). A rotation's key not signing yet is withdrawn by undoing the
   * rotation: the key it would have replaced signs on, and may be rotated again at once.
   */
  private async withdrawLocked(realm: Realm, row: SigningKeyRow, replacement: KeyMaterial | undefined, tx: Queryable) {
    const now = this.clock.now();
    const signing = await this.repository.findSigning(realm.name, row.alg, now, tx);
    const aheadOfSigning = row.retired_at === null && signingStart(row) > now;
    await this.repository.markWithdrawn(row.kid, now, tx);
    const withdrawal: KeyWithdrawal = { kid: row.kid, alg: row.alg, withdrawnAt: now, alreadyWithdrawn: false };
    if (aheadOfSigning && signing && signing.kid !== row.kid) {
      await this.repository.reinstate(signing.kid, tx);
    } else if (signing?.kid === row.kid || aheadOfSigning) {
      const key = storedKey(replacement!, 'generated', this.encryption, now, now);
      await this.repository.replaceActiveLocked(tx, realm.name, key, new Date(now.getTime() + keyRetentionMs(realm)), () => true);
      withdrawal.installed = key.kid;
    }
    return withdrawal;
  }
}
