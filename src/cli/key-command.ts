import { AuditTrail } from '../audit/audit-trail.service.js';
import { systemClock, type Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';
import type { FhirGateways } from '../fhir/fhir-gateways.js';
import { KeyEncryption } from '../keys/key-encryption.js';
import { KeyWithdrawalService } from '../keys/key-withdrawal.service.js';
import { PublishedKeys } from '../keys/published-keys.js';
import { SigningKeyService } from '../keys/signing-key.service.js';
import { VerificationKeys } from '../keys/verification-keys.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { AuditEventRepository } from '../storage/audit-event.repository.js';
import type { Database } from '../storage/database.js';
import { FhirAuditOutboxRepository } from '../storage/fhir-audit-outbox.repository.js';
import { SessionRepository } from '../storage/session.repository.js';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';

/**
 * What the command's audit trail is handed for FHIR: nothing it could use. It records one ADMIN_ACTION,
 * which no realm sends to FHIR (AuditTrail sends logins, logouts and token exchanges), so the command
 * opens no FHIR server (an embedded one would start Medplum for nothing).
 */
const NO_FHIR_SERVER = {
  forRealm(): never {
    throw new Error('a key command opens no FHIR server');
  },
} as Partial<FhirGateways> as FhirGateways;

/** What `keys:rotate` and `keys:withdraw` change keys with: the service's own classes, on the stopped service's database. */
export interface KeyCommandServices {
  realms: RealmRegistry;
  keys: SigningKeyService;
  withdrawals: KeyWithdrawalService;
  /** The service's AuditTrail: a command's change commits with its ADMIN_ACTION, as the admin API's does (docs/ARCHITECTURE.md). */
  audit: AuditTrail;
}

export function keyCommandServices({
  config,
  db,
  clock = systemClock,
}: {
  config: Config;
  db: Database;
  clock?: Clock;
}): KeyCommandServices {
  const realms = new RealmRegistry(config);
  const repository = new SigningKeyRepository(db);
  const encryption = new KeyEncryption(config.keys.encryptionKey);
  const published = new PublishedKeys(repository, clock);
  const keys = new SigningKeyService(repository, encryption, clock, published);
  const withdrawals = new KeyWithdrawalService(repository, encryption, clock, keys, new VerificationKeys(published, clock));
  const audit = new AuditTrail(
    db,
    new AuditEventRepository(db),
    new SessionRepository(db),
    new FhirAuditOutboxRepository(db),
    realms,
    NO_FHIR_SERVER,
    clock,
  );
  return { realms, keys, withdrawals, audit };
}
