import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';
import { malformedCompactJws } from '../../test/support/malformed-jws.js';
import { TestClock } from '../../test/support/test-clock.js';
import type { SigningAlg } from '../config/config.schema.js';
import { PublishedKeys } from '../keys/published-keys.js';
import { VerificationKeys } from '../keys/verification-keys.js';
import type { Realm } from '../realms/realm.js';
import type { SigningKeyRepository, SigningKeyRow } from '../storage/signing-key.repository.js';
import { signJws } from './jws.js';
import { RefreshTokenMac } from './refresh-token-mac.js';
import { isTokenError } from './token-errors.js';
import { TokenVerifier } from './token-verifier.js';

const NOW = new Date('2030-01-01T10:00:00Z');
const iat = NOW.getTime() / 1000;
const realm = (name: string) => ({ name, issuer: `https://id.example/realms/${name}`, config: { signingAlg: 'ES256' } }) as Realm;
const nemlogin = realm('nemlogin');
const claims = { iss: nemlogin.issuer, sub: 'u1', aud: 'xis', iat, exp: iat + 300, scope: 'openid' };

const PAIRS: Record<SigningAlg, () => { privateKey: KeyObject; publicKey: KeyObject }> = {
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  PS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  EdDSA: () => generateKeyPairSync('ed25519'),
};

/** Signing keys as the database holds them: only `findPublished` is read by the verifier. */
function keyStore() {
  const rows = new Map<string, SigningKeyRow>();
  const privates = new Map<string, KeyObject>();
  const add = (kid: string, alg: SigningAlg, realmName = 'nemlogin', publishUntil: Date | null = null) => {
    const { privateKey, publicKey } = PAIRS[alg]();
    const public_jwk = publicKey.export({ format: 'jwk' }) as JWK;
    rows.set(kid, {
      kid,
      realm: realmName,
      alg,
      public_jwk,
      private_jwk_enc: '',
      source: 'generated',
      created_at: NOW,
      signs_from: null,
      retired_at: publishUntil,
      publish_until: publishUntil,
      withdrawn_at: null,
    });
    privates.set(kid, privateKey);
    return { privateKey, publicKey, public_jwk };
  };
  const repository = {
    findPublished: async (realmName: string, now: Date) =>
      [...rows.values()].filter((row) => row.realm === realmName && (row.retired_at === null || row.publish_until! > now)),
  } as unknown as SigningKeyRepository;
  return { add, repository, privates };
}

describe('TokenVerifier', () => {
  const clock = new TestClock(NOW);
  const store = keyStore();
  const verifier = new TokenVerifier(
    new VerificationKeys(new PublishedKeys(store.repository, clock), clock),
    new RefreshTokenMac({ keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' } }),
    clock,
  );
  const es = store.add('es-1', 'ES256');
  const rsa = store.add('rs-1', 'RS256');
  store.add('ps-1', 'PS256');
  store.add('ed-1', 'EdDSA');
  store.add('es-ehealth', 'ES256', 'ehealth');
  store.add('es-retired', 'ES256', 'nemlogin', new Date(NOW.getTime() + 60_000));

  const signed = (kid: string, body: object = claims, header: object = {}) => {
    const alg = kid.startsWith('es') ? 'ES256' : kid.startsWith('rs') ? 'RS256' : kid.startsWith('ps') ? 'PS256' : 'EdDSA';
    return signJws({ alg, kid, typ: 'at+jwt', ...header }, body, store.privates.get(kid)!);
  };
  const refusal = (token: string, typ: 'at+jwt' | 'JWT' = 'at+jwt') =>
    verifier.verify(nemlogin, token, typ).then(
      () => 'accepted',
      (error: unknown) => (isTokenError(error) ? (error as Error).message : `not a token error: ${String(error)}`),
    );

  it.each(['es-1', 'rs-1', 'ps-1', 'ed-1'])('verifies a token signed with the realm key %s', async (kid) => {
    await expect(verifier.verify(nemlogin, signed(kid), 'at+jwt')).resolves.toMatchObject({ sub: 'u1', scope: 'openid' });
  });

  it('verifies tokens jose signed, with an R or S shorter than 32 octets among them', async () => {
    // An ECDSA integer with a leading zero octet turns up in about one signature in 128: DER drops it,
    // so the conversion to DER must too. Signed until three such have been verified.
    let short = 0;
    for (let i = 0; short < 3 && i < 5000; i++) {
      const token = await new SignJWT({ ...claims, jti: String(i) })
        .setProtectedHeader({ alg: 'ES256', kid: 'es-1', typ: 'at+jwt' })
        .sign(es.privateKey);
      await expect(verifier.verify(nemlogin, token, 'at+jwt')).resolves.toMatchObject({ jti: String(i) });
      const signature = Buffer.from(token.split('.')[2]!, 'base64url');
      if (signature[0] === 0 || signature[32] === 0) short++;
    }
    expect(short).toBe(3);
  });

  it('refuses a changed payload, a changed header, and a signature changed in one bit', async () => {
    const [header, payload, signature] = signed('es-1').split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'u2' })).toString('base64url');
    expect(await refusal(`${header}.${forged}.${signature}`)).toBe('signature verification failed');
    const otherHeader = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'es-1', typ: 'at+jwt', x: 1 })).toString('base64url');
    expect(await refusal(`${otherHeader}.${payload}.${signature}`)).toBe('signature verification failed');
    const bytes = Buffer.from(signature, 'base64url');
    bytes[10] ^= 1;
    expect(await refusal(`${header}.${payload}.${bytes.toString('base64url')}`)).toBe('signature verification failed');
  });

  it('takes the algorithm from the key: a header naming another one is refused before any verification', async () => {
    // The classic confusion: HS256 with the public key's bytes as the secret (RFC 8725 §2.1).
    const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'rs-1', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
    expect(await refusal(`${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`)).toBe(
      'no applicable key found in the JSON Web Key Set',
    );
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'es-1', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect(await refusal(none)).toBe('no applicable key found in the JSON Web Key Set');
    // RS256 and PS256 keys are both RSA: a PS256 signature under an RS256 key's kid is still refused.
    const ps = signJws({ alg: 'PS256', kid: 'rs-1', typ: 'at+jwt' }, claims, store.privates.get('rs-1')!);
    expect(await refusal(ps)).toBe('no applicable key found in the JSON Web Key Set');
  });

  it('refuses a key of another realm, an unknown or implausible kid, and a retired key after its window', async () => {
    expect(await refusal(signed('es-ehealth'))).toBe('no applicable key found in the JSON Web Key Set');
    expect(await refusal(signed('es-1', claims, { kid: 'es-unknown' }))).toBe('no applicable key found in the JSON Web Key Set');
    expect(await refusal(signed('es-1', claims, { kid: 'a\u0000b' }))).toBe('kid is not a short printable string');
    expect(await refusal(signed('es-1', claims, { kid: undefined }))).toBe('token without kid');
    expect(await refusal(signed('es-retired'))).toBe('accepted');
    clock.advance(61);
    try {
      expect(await refusal(signed('es-retired'))).toBe('no applicable key found in the JSON Web Key Set');
    } finally {
      clock.advance(-61);
    }
  });

  it('checks a token verified before as it checked it the first time, but for the signature: expiry, key window, typ', async () => {
    const token = signed('es-retired', { ...claims, exp: iat + 30 });
    expect(await refusal(token)).toBe('accepted');
    expect(await refusal(token, 'JWT')).toBe('unexpected "typ" JWT header value');
    const start = clock.now().getTime();
    try {
      clock.advance(31);
      expect(await refusal(token)).toBe('"exp" claim timestamp check failed');
      clock.advance(30); // past the retired key's window: refused by the key lookup, expired or not
      await expect(verifier.verify(nemlogin, token, 'at+jwt', { allowExpired: true })).rejects.toThrow(
        'no applicable key found in the JSON Web Key Set',
      );
    } finally {
      clock.advance((start - clock.now().getTime()) / 1000);
    }
    // A token differing in one character of its signature after the original was verified: still refused.
    const [header, payload, signature] = signed('es-1').split('.') as [string, string, string];
    expect(await refusal(`${header}.${payload}.${signature}`)).toBe('accepted');
    const bytes = Buffer.from(signature, 'base64url');
    bytes[63] ^= 1;
    expect(await refusal(`${header}.${payload}.${bytes.toString('base64url')}`)).toBe('signature verification failed');
  });

  it('keeps the key object of an unchanged key read again, so its tokens stay remembered; a changed key is another', async () => {
    const keys = new VerificationKeys(new PublishedKeys(store.repository, clock), clock);
    store.add('es-reread', 'ES256');
    const first = await keys.keyFor(nemlogin, { alg: 'ES256', kid: 'es-reread' });
    const start = clock.now().getTime();
    try {
      clock.advance(61); // past the minute an active key is cached for
      expect((await keys.keyFor(nemlogin, { alg: 'ES256', kid: 'es-reread' })).key).toBe(first.key);
      store.add('es-reread', 'ES256'); // the same kid, other key material
      clock.advance(61);
      const other = await keys.keyFor(nemlogin, { alg: 'ES256', kid: 'es-reread' });
      expect(other.key).not.toBe(first.key);
      expect(other.key.equals(first.key)).toBe(false);
    } finally {
      clock.advance((start - clock.now().getTime()) / 1000);
    }
  });

  it('refuses another typ, an unknown crit extension, another issuer, an expired token and one without sub', async () => {
    expect(await refusal(signed('es-1', claims, { typ: 'JWT' }))).toBe('unexpected "typ" JWT header value');
    expect(await refusal(signed('es-1', claims, { crit: ['exp-private'], 'exp-private': 1 }))).toBe(
      'Extension Header Parameter "exp-private" is not recognized',
    );
    expect(await refusal(signed('es-1', { ...claims, iss: 'https://id.example/realms/ehealth' }))).toBe('unexpected "iss" claim value');
    expect(await refusal(signed('es-1', { ...claims, exp: iat - 1 }))).toBe('"exp" claim timestamp check failed');
    const { sub: _sub, ...withoutSub } = claims;
    expect(await refusal(signed('es-1', withoutSub))).toBe('missing required "sub" claim');
    await expect(
      verifier.verify(nemlogin, signed('es-1', { ...claims, exp: iat - 1 }), 'at+jwt', { allowExpired: true }),
    ).resolves.toMatchObject({ sub: 'u1' });
  });

  it('accepts only the canonical spelling of the header and payload', async () => {
    const [header, payload, signature] = signed('es-1').split('.') as [string, string, string];
    // A character whose low byte is that of the one it replaces (as 'Ł', U+0141, is 'A' 0x41 + 0x100):
    // read as 'ascii' it would be the signed octets again.
    const lookalike = (text: string) => `${text.slice(0, -1)}${String.fromCharCode(text.charCodeAt(text.length - 1) + 0x100)}`;
    for (const respelled of [`${lookalike(header)}.${payload}.${signature}`, `${header}.${lookalike(payload)}.${signature}`]) {
      expect(await refusal(respelled)).not.toMatch(/^(accepted|not a token error)/);
    }
  });

  it('refuses malformed tokens and non-canonical signatures as bad tokens, never as a server error', async () => {
    const token = signed('es-1');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const short = Buffer.from(signature, 'base64url').subarray(0, 63).toString('base64url');
    for (const malformed of [
      ...malformedCompactJws(token),
      `${header}.${payload}.${signature}!`,
      `${header}.${payload}.${short}`,
      `${header}.!!.${signature}`,
      `${header.replace(/^./, '_')}.${payload}.${signature}`,
    ]) {
      expect(await refusal(malformed)).not.toMatch(/^(accepted|not a token error)/);
    }
  });

  describe('refresh tokens', () => {
    const mac = new RefreshTokenMac({ keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' } });
    const refreshClaims = { ...claims, aud: nemlogin.issuer, jti: 'j1', sid: 's1' };
    const refreshRefusal = (token: string) =>
      verifier.verifyRefreshToken(nemlogin, token).then(
        () => 'accepted',
        (error: unknown) => (isTokenError(error) ? (error as Error).message : `not a token error: ${String(error)}`),
      );

    it('takes an HS256 token to the MAC and one signed with the realm key to its signature, by its header alone', async () => {
      await expect(verifier.verifyRefreshToken(nemlogin, mac.sign(nemlogin, refreshClaims))).resolves.toMatchObject({
        sid: 's1',
        jti: 'j1',
      });
      const legacy = signed('es-1', refreshClaims, { typ: 'rt+jwt' });
      await expect(verifier.verifyRefreshToken(nemlogin, legacy)).resolves.toMatchObject({ sid: 's1', jti: 'j1' });
      // Each path keeps its own checks: an access token's typ is not a refresh token's.
      expect(await refreshRefusal(signed('es-1', refreshClaims))).toMatch(/typ/);
    });

    it('refuses malformed refresh tokens, HS256 or not, as bad tokens, never as a server error', async () => {
      for (const token of [mac.sign(nemlogin, refreshClaims), signed('es-1', refreshClaims, { typ: 'rt+jwt' })]) {
        for (const malformed of malformedCompactJws(token)) {
          expect(await refreshRefusal(malformed)).not.toMatch(/^(accepted|not a token error)/);
        }
      }
    });
  });
});
