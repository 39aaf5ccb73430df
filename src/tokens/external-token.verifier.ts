import { Inject, Injectable } from '@nestjs/common';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { CLOCK, type Clock } from '../common/clock.js';
import type { TrustedIssuerConfig } from '../config/config.schema.js';
import { IssuerKeySet } from '../protocol/issuer-key-set.js';
import type { Realm } from '../realms/realm.js';

/**
 * Verifies JWTs of the external issuers a realm trusts for token exchange (RFC 8693 §3,
 * `urn:ietf:params:oauth:token-type:jwt`): the issuer must be listed, the key must come from its
 * JWKS, the algorithm from its allow-list (never `none` or HMAC), and `aud` must name this realm.
 * A JWKS that cannot be read, for a key not already held, is a `KeySetUnavailableError`.
 */
@Injectable()
export class ExternalTokenVerifier {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  async verify(realm: Realm, token: string): Promise<JWTPayload> {
    const issuer = this.unverifiedIssuer(token);
    const trusted = realm.config.trustedIssuers.find((t) => t.issuer === issuer);
    if (!trusted) throw new Error('issuer not trusted');
    const { payload } = await jwtVerify(token, this.keySet(trusted), {
      issuer: trusted.issuer,
      audience: trusted.audience ?? realm.issuer,
      algorithms: trusted.algorithms,
      currentDate: this.clock.now(),
      requiredClaims: ['exp', 'sub'],
    });
    return payload;
  }

  private keySet(trusted: TrustedIssuerConfig): JWTVerifyGetKey {
    let keys = this.keySets.get(trusted.issuer);
    if (!keys) {
      // A partner's JWKS as a resource server holds ours (protocol/issuer-key-set.ts): its outage does not
      // stop the exchanges its keys already read can verify, and is KeySetUnavailableError otherwise.
      keys = trusted.jwks ? createLocalJWKSet(trusted.jwks as JSONWebKeySet) : new IssuerKeySet(new URL(trusted.jwksUri!)).getKey;
      this.keySets.set(trusted.issuer, keys);
    }
    return keys;
  }

  private unverifiedIssuer(token: string): string | undefined {
    try {
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
      return typeof payload.iss === 'string' ? payload.iss : undefined;
    } catch {
      return undefined;
    }
  }
}
