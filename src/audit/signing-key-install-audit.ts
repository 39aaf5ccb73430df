import { Injectable, type OnModuleInit } from '@nestjs/common';
import { rotationDetails, SigningKeyService, type KeyInstall } from '../keys/signing-key.service.js';
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
    details: { ...rotationDetails(install, install.alg), source: install.source, replaced_kid: install.replaced },
  };
}

/**
 * Records every key SigningKeyService installs of its own accord, in the install's transaction: no
 * key is installed without its event (docs/ARCHITECTURE.md), and of two instances starting at once
 * only the one whose key won records it. keys/ sits below audit/ and cannot call the audit trail, so
 * the hook is handed down from here, before the start makes its keys (onModuleInit precedes every
 * onApplicationBootstrap, signing-keys.bootstrap.ts's included).
 */
@Injectable()
export class SigningKeyInstallAudit implements OnModuleInit {
  constructor(
    private readonly keys: SigningKeyService,
    private readonly audit: AuditTrail,
  ) {}

  onModuleInit(): void {
    this.keys.recordInstallsWith((tx, install) => this.audit.record(keyInstalledEvent(install), tx));
  }
}
