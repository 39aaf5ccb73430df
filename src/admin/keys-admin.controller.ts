import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { Controller, Get, Header, HttpCode, Inject, Param, Post, Query, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { KeyRotationRefused, rotationAlgorithm, rotationDetails, signingStart, withdrawalDetails } from '../keys/key-changes.js';
import { KeyWithdrawalService } from '../keys/key-withdrawal.service.js';
import { SigningKeyService } from '../keys/signing-key.service.js';
import { PLAUSIBLE_KID } from '../keys/verification-keys.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { ApiOAuthErrors } from '../protocol/openapi.js';
import { SigningKeyRepository, type SigningKeyRow } from '../storage/signing-key.repository.js';
import { adminAction } from './admin-action.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { ApiAdminController } from './admin-openapi.js';
import { malformedAdminCall } from './malformed-admin-call.js';
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
    /**
     * ACTIVE signs now; PASSIVE is only published: retired, in the JWKS until tokens it signed have
     * expired, or rotated in and not signing yet (`signsFrom`). DISABLED: withdrawn (leaked), in no
     * JWKS, verifying nothing, listed after the others (Keycloak's status of a disabled provider's key).
     */
    status: 'ACTIVE' | 'PASSIVE' | 'DISABLED';
    /** Base64 DER SubjectPublicKeyInfo, as Keycloak gives it. */
    publicKey: string;
    /** Epoch milliseconds; when a passive key leaves the JWKS. */
    validTo?: number;
    /** Not in Keycloak. Epoch milliseconds; when a key a rotation published starts signing, while it is in the future. */
    signsFrom?: number;
    /** Not in Keycloak. Epoch milliseconds; when a DISABLED key was withdrawn. */
    withdrawnAt?: number;
  }[];
}

/** The answer to a withdrawal: the key, when it was withdrawn, and the key of its algorithm that signs now. */
export interface KeyWithdrawalRepresentation {
  kid: string;
  algorithm: string;
  /** Epoch milliseconds; of the first withdrawal, when the key was withdrawn before. */
  withdrawnAt: number;
  /** Present, true, when the key was withdrawn before: nothing changed. */
  alreadyWithdrawn?: true;
  /** The key of `algorithm` that signs now: a new one when the withdrawn key signed, or was about to. */
  signingKid?: string;
}

/**
 * The realm's signing keys at Keycloak's admin path, their rotation while the service runs, and the
 * withdrawal of one that leaked. A rotation's new key is installed through this instance's own database
 * handle (so on embedded PGlite too, which one process holds), every instance publishes it in its JWKS
 * at once, and every instance signs with it from KEY_PREPUBLICATION_MS later (signing-key.service.ts),
 * once verifiers' cached JWKS have it. A withdrawn key leaves every JWKS at once, and its replacement
 * signs at once (key-withdrawal.service.ts).
 */
@ApiAdminController()
@Controller('admin/realms/:realm')
@UseGuards(AdminAuthGuard)
@UseInterceptors(RecordRefusedAdminCall)
export class KeysAdminController {
  constructor(
    private readonly keys: SigningKeyService,
    private readonly withdrawals: KeyWithdrawalService,
    private readonly repository: SigningKeyRepository,
    private readonly audit: AuditTrail,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('keys')
  @ApiOperation({ summary: 'The realm’s signing keys: active, published ahead, retired and withdrawn (view-realm)' })
  @RequiresRole('view-realm')
  @Header('Cache-Control', 'no-store')
  async list(@Req() request: FastifyRequest): Promise<KeysMetadata> {
    const realm = request.oauthRealm!.name;
    const now = this.clock.now();
    const rows = await this.repository.findPublished(realm, now);
    const withdrawn = await this.repository.findWithdrawn(realm);
    // The key each algorithm signs with is what the signers read (findSigning), not worked out again here.
    const signing = await Promise.all([...new Set(rows.map((row) => row.alg))].map((alg) => this.repository.findSigning(realm, alg, now)));
    const active = new Map(signing.flatMap((row) => (row ? [[row.alg, row.kid] as const] : [])));
    await this.audit.record(adminAction(request, 'READ', 'keys'));
    return {
      active: Object.fromEntries(active),
      keys: [...rows.map((row) => metadata(row, active.get(row.alg) === row.kid, now)), ...withdrawn.map(disabledMetadata)],
    };
  }

  /**
   * Not in Keycloak as one call (there an operator disables or deletes the key's provider): withdraws a
   * key that leaked (key-withdrawal.service.ts). It leaves every instance's JWKS at once and verifies
   * nothing here from then on; where it signed, a new key signs at once. Withdrawing it again changes
   * nothing and answers as the first time did (an operator's retry after a lost answer is no error). A
   * `kid` the realm does not have, another realm's included, is 404 and changes nothing.
   */
  @Post('keys/:kid/withdraw')
  @ApiOperation({ summary: 'Withdraw a leaked signing key: out of every JWKS at once, its tokens refused (manage-realm)' })
  @ApiResponse({
    status: 200,
    description: '{ kid, algorithm, withdrawnAt, signingKid }; again: the first withdrawnAt and alreadyWithdrawn',
  })
  @ApiOAuthErrors(404)
  @HttpCode(200)
  @RequiresRole('manage-realm')
  async withdraw(@Req() request: FastifyRequest, @Param('kid') kid: string): Promise<KeyWithdrawalRepresentation> {
    // RFC 7515 §4.1.4 leaves a kid free-form; ours are RFC 7638 thumbprints. Refused before the database is asked.
    if (!PLAUSIBLE_KID.test(kid)) throw malformedAdminCall('malformed kid');
    const path = `keys/${kid}/withdraw`;
    const withdrawal = await this.withdrawals.withdraw(request.oauthRealm!, kid, (tx, done) =>
      this.audit.record(adminAction(request, 'ACTION', path, { details: withdrawalDetails(done) }), tx),
    );
    if (!withdrawal) {
      await this.audit.failed(adminAction(request, 'ACTION', path), 'not_found');
      throw new OAuthError('not_found', 'admin API: no such signing key in this realm', { description: 'Not found.' });
    }
    return {
      kid: withdrawal.kid,
      algorithm: withdrawal.alg,
      withdrawnAt: withdrawal.withdrawnAt.getTime(),
      ...(withdrawal.alreadyWithdrawn ? { alreadyWithdrawn: true as const } : {}),
      ...(withdrawal.signing === undefined ? {} : { signingKid: withdrawal.signing }),
    };
  }

  /**
   * Not in Keycloak (which rotates by adding a key provider, and has an operator publish a new key
   * passive first): one call makes a new generated key the active one, of the realm's `signingAlg` or
   * of the `algorithm` asked for, one the realm signs a client's ID tokens with
   * (`idTokenSignedResponseAlg`). It is published at once and signs from `signsFrom` (epoch ms).
   */
  @Post('keys/rotate')
  @ApiOperation({ summary: 'A new generated signing key, published at once and signing from signsFrom (manage-realm)' })
  @ApiQuery({
    name: 'algorithm',
    required: false,
    description: 'the algorithm whose key to replace: the realm’s signingAlg (the default), or one it signs a client’s ID tokens with',
    schema: { type: 'string' },
  })
  @HttpCode(200)
  @RequiresRole('manage-realm')
  async rotate(
    @Req() request: FastifyRequest,
    @Query() query: Record<string, unknown>,
  ): Promise<{ kid: string; algorithm: string; signsFrom: number }> {
    // The algorithm is the query's alone. A body naming one ({"algorithm": "RS256"}, as a JSON admin
    // client would send it) was ignored, and a key of the realm's signingAlg made instead: a change
    // the caller did not ask for, which no second call undoes. Refused before anything changes.
    // Read from the request, not by @Body(), which OpenAPI would document as a body to send.
    if (!isEmptyBody(request.body)) throw malformedAdminCall('keys/rotate takes no body (?algorithm= names the algorithm)');
    // So is a query parameter it does not read: `?algoritm=RS256` would rotate the signingAlg's key instead.
    if (Object.keys(query).some((name) => name !== 'algorithm')) throw malformedAdminCall('keys/rotate takes only ?algorithm=');
    const realm = request.oauthRealm!;
    const algorithm = await refusedAsInvalidRequest(async () => rotationAlgorithm(realm, query.algorithm));
    const { kid, signsFrom } = await refusedAsInvalidRequest(() =>
      this.keys.rotate(realm, algorithm, (tx, rotation) =>
        this.audit.record(adminAction(request, 'ACTION', 'keys/rotate', { details: rotationDetails(rotation, algorithm) }), tx),
      ),
    );
    return { kid, algorithm, signsFrom: signsFrom.getTime() };
  }
}

function metadata(row: SigningKeyRow, signs: boolean, now: Date): KeysMetadata['keys'][number] {
  return {
    ...described(row),
    status: signs ? 'ACTIVE' : 'PASSIVE',
    ...(row.publish_until ? { validTo: row.publish_until.getTime() } : {}),
    ...(willSign(row, now) ? { signsFrom: signingStart(row).getTime() } : {}),
  };
}

/** A withdrawn key: listed, so that an operator sees the withdrawal took, and the audit trail's kid is found. */
function disabledMetadata(row: SigningKeyRow): KeysMetadata['keys'][number] {
  return { ...described(row), status: 'DISABLED', withdrawnAt: row.withdrawn_at!.getTime() };
}

function described(row: SigningKeyRow): Pick<KeysMetadata['keys'][number], 'kid' | 'algorithm' | 'type' | 'use' | 'publicKey'> {
  const publicKey = createPublicKey({ key: row.public_jwk as JsonWebKey, format: 'jwk' })
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  return { kid: row.kid, algorithm: row.alg, type: String(row.public_jwk.kty), use: 'SIG', publicKey };
}

/** A key published ahead that still will sign: not one whose rotation a later install overtook. */
function willSign(row: SigningKeyRow, now: Date): boolean {
  const start = signingStart(row);
  return start > now && (row.retired_at === null || row.retired_at > start);
}

/** No body, or one that says nothing: an empty form, or the `{}` the Keycloak admin client sends (request-bodies.ts). */
function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null || body === '') return true;
  return typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
}

/** A rotation refused (KeyRotationRefused: an algorithm, a key file, one still pending) as the admin API's 400. */
async function refusedAsInvalidRequest<T>(decide: () => Promise<T>): Promise<T> {
  try {
    return await decide();
  } catch (error) {
    if (error instanceof KeyRotationRefused) throw malformedAdminCall(error.message);
    throw error;
  }
}
