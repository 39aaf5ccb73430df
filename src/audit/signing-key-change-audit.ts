import { Injectable, type OnModuleInit } from '@nestjs/common';
import { rotationDetails, type KeyInstall, type KeyRetirement } from '../keys/key-changes.js';
import { SigningKeyService } from '../keys/signing-key.service.js';
import { AuditTrail, type AuditEvent } from './audit-trail.service.js';

/**
 * The SIGNING_KEY_INSTALLED event of a key the service installed of its own accord (a start's new
 * key, a `signingKeyFile`'s key): what a rotation's ADMIN_ACTION records of its key, and where the
 * key came from and which key it replaced. Nobody asked for it, so it names no client, user or address.
 */
export function keyInstalledEvent(install: KeyInstall): AuditEvent {
  return {
    realm: install.realm,
    type: 'SIGNING_KEY_INSTALLED',
    details: { ...rotationDetails(install, install.alg), source: install.source },
  };
}

/**
 * The SIGNING_KEY_RETIRED event of a key a start stopped signing with because the realm's config no
 * longer uses its algorithm (a client's `idTokenSignedResponseAlg` removed): until when its tokens
 * still verify. A rotation's retirement is its ADMIN_ACTION's.
 */
export function keyRetiredEvent(retirement: KeyRetirement): AuditEvent {
  return {
    realm: retirement.realm,
    type: 'SIGNING_KEY_RETIRED',
    details: {
      kid: retirement.kid,
      algorithm: retirement.alg,
      reason: 'algorithm_unused',
      published_until: retirement.publishUntil.toISOString(),
    },
  };
}

/**
 * Records every key SigningKeyService installs or retires of its own accord, in that change's
 * transaction: no key changes without its event (docs/ARCHITECTURE.md), and of two instances
 * starting at once only the one whose change won records it. keys/ sits below audit/ and cannot call
 * the audit trail, so the recorder is handed down from here, before the start makes its keys
 * (onModuleInit precedes every onApplicationBootstrap, signing-keys.bootstrap.ts's included).
 */
@Injectable()
export class SigningKeyChangeAudit implements OnModuleInit {
  constructor(
    private readonly keys: SigningKeyService,
    private readonly audit: AuditTrail,
  ) {}

  onModuleInit(): void {
    this.keys.recordKeyChangesWith({
      installed: (tx, install) => this.audit.record(keyInstalledEvent(install), tx),
      retired: (tx, retirement) => this.audit.record(keyRetiredEvent(retirement), tx),
    });
  }
}
