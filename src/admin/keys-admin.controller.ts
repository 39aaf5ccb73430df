import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { Controller, Get, Header, HttpCode, Inject, Post, Query, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { KeyRotationRefused, rotationAlgorithm, SigningKeyService } from '../keys/signing-key.service.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { SigningKeyRepository, type SigningKeyRow } from '../storage/signing-key.repository.js';
import { adminAction } from './admin-action.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { RecordRefusedAdminCall } from './refused-admin-call.interceptor.js';
import { RequiresRole } from './admin-roles.js';

/** Keycloak's `KeysMetadataRepresentation`: the active key per algorithm, and every published key. */
export interface KeysMetadata {
  active: Record<string, string>;
  keys: {
    kid: string;
    algorithm: string;
    type: string;
    use: 'SIG';
    /** ACTIVE signs; PASSIVE is retired and stays in the JWKS until tokens it signed have expired. */
    status: 'ACTIVE' | 'PASSIVE';
    /** Base64 DER SubjectPublicKeyInfo, as Keycloak gives it. */
    publicKey: string;
    /** Epoch milliseconds; when a passive key leaves the JWKS. */
    validTo?: number;
  }[];
}

/**
 * The realm's signing keys at Keycloak's admin path, and their rotation while the service runs: the
 * new key is installed through this instance's own database handle (so on embedded PGlite too, which
 * one process holds), this instance signs with it at once, and every instance publishes it in its JWKS
 * at once and signs with it within ACTIVE_KEY_CACHE_MS (signing-key.service.ts).
 */
@Controller('admin/realms/:realm')
@UseGuards(AdminAuthGuard)
@UseInterceptors(RecordRefusedAdminCall)
export class KeysAdminController {
  constructor(
    private readonly keys: SigningKeyService,
    private readonly repository: SigningKeyRepository,
    private readonly audit: AuditTrail,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('keys')
  @RequiresRole('view-realm')
  @Header('Cache-Control', 'no-store')
  async list(@Req() request: FastifyRequest): Promise<KeysMetadata> {
    const rows = await this.repository.findPublished(request.oauthRealm!.name, this.clock.now());
    await this.audit.record(adminAction(request, 'READ', 'keys'));
    return {
      active: Object.fromEntries(rows.filter((row) => row.retired_at === null).map((row) => [row.alg, row.kid])),
      keys: rows.map(metadata),
    };
  }

  /**
   * Not in Keycloak (which rotates by adding a key provider): one call makes a new generated key the
   * active one, of the realm's `signingAlg` or of the `algorithm` asked for, one the realm signs a
   * client's ID tokens with (`idTokenSignedResponseAlg`).
   */
  @Post('keys/rotate')
  @HttpCode(200)
  @RequiresRole('manage-realm')
  async rotate(@Req() request: FastifyRequest, @Query('algorithm') asked?: unknown): Promise<{ kid: string; algorithm: string }> {
    const realm = request.oauthRealm!;
    const algorithm = refusedAsInvalidRequest(() => rotationAlgorithm(realm, asked));
    const kid = await this.keys.rotate(realm, algorithm, (tx, newKid) =>
      this.audit.record(adminAction(request, 'ACTION', 'keys/rotate', { details: { kid: newKid, algorithm } }), tx),
    );
    return { kid, algorithm };
  }
}

function metadata(row: SigningKeyRow): KeysMetadata['keys'][number] {
  const publicKey = createPublicKey({ key: row.public_jwk as JsonWebKey, format: 'jwk' })
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  return {
    kid: row.kid,
    algorithm: row.alg,
    type: String(row.public_jwk.kty),
    use: 'SIG',
    status: row.retired_at === null ? 'ACTIVE' : 'PASSIVE',
    publicKey,
    ...(row.publish_until ? { validTo: row.publish_until.getTime() } : {}),
  };
}

function refusedAsInvalidRequest<T>(decide: () => T): T {
  try {
    return decide();
  } catch (error) {
    if (error instanceof KeyRotationRefused) throw new OAuthError('invalid_request', `admin API: ${error.message}`);
    throw error;
  }
}
