import { createHmac, hkdfSync } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { malformedCompactJws } from '../../test/support/malformed-jws.js';
import { isTokenError } from './token-errors.js';
import type { Realm } from '../realms/realm.js';
import { REFRESH_MAC_KID, RefreshTokenMac } from './refresh-token-mac.js';

const realm = (name: string) => ({ name, issuer: `https://id.example/realms/${name}` }) as Realm;
const NOW = new Date('2030-01-01T10:00:00Z');
const iat = NOW.getTime() / 1000;
const claims = (r: Realm) => ({ iss: r.issuer, aud: r.issuer, sub: 'u1', iat, exp: iat + 1800, jti: 'j1', sid: 's1', client_id: 'app' });

describe('RefreshTokenMac', () => {
  const mac = new RefreshTokenMac({ keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' } });
  const nemlogin = realm('nemlogin');

  /** A token with this header and these claims, MACed with the realm's own key: only what they say can fail it. */
  const macedWith = (header: object, body: object = claims(nemlogin)) => {
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
    const secret = hkdfSync('sha256', 'test-only-key-encryption-key-0123456789', 'federation-service', 'refresh-token-mac/v1/nemlogin', 32);
    return `${input}.${createHmac('sha256', Buffer.from(secret)).update(input).digest('base64url')}`;
  };

  it('MACs with HS256 under its kid and typ, and verifies its own tokens', async () => {
    const token = mac.sign(nemlogin, claims(nemlogin));
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', kid: REFRESH_MAC_KID, typ: 'rt+jwt' });
    await expect(mac.verify(nemlogin, token, NOW)).resolves.toMatchObject({ sub: 'u1', jti: 'j1', sid: 's1' });
  });

  it('refuses a token of another realm, or under another secret', async () => {
    const ehealth = realm('ehealth');
    await expect(mac.verify(ehealth, mac.sign(ehealth, claims(nemlogin)), NOW)).rejects.toThrow();
    const other = new RefreshTokenMac({ keys: { encryptionKey: 'test-only-another-encryption-key-987654321' } });
    await expect(mac.verify(nemlogin, other.sign(nemlogin, claims(nemlogin)), NOW)).rejects.toThrow('signature verification failed');
  });

  it('refuses a token MACed with its key under another kid', async () => {
    await expect(mac.verify(nemlogin, macedWith({ alg: 'HS256', kid: 'refresh-hs256-v0', typ: 'rt+jwt' }), NOW)).rejects.toThrow(
      'unknown key',
    );
  });

  it('refuses a changed payload, an expired token and one without its session or place in the chain', async () => {
    const [header, , signature] = mac.sign(nemlogin, claims(nemlogin)).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims(nemlogin), sub: 'u2' })).toString('base64url');
    await expect(mac.verify(nemlogin, `${header}.${forged}.${signature}`, NOW)).rejects.toThrow('signature verification failed');
    await expect(mac.verify(nemlogin, mac.sign(nemlogin, claims(nemlogin)), new Date(NOW.getTime() + 1801_000))).rejects.toThrow('"exp"');
    const { sid: _sid, ...withoutSid } = claims(nemlogin);
    await expect(mac.verify(nemlogin, mac.sign(nemlogin, withoutSid), NOW)).rejects.toThrow('"sid"');
    await expect(mac.verify(nemlogin, mac.sign(nemlogin, { ...claims(nemlogin), aud: 'someone-else' }), NOW)).rejects.toThrow('"aud"');
  });

  it('refuses, under its own valid MAC, another typ, alg none, an unknown crit extension and a non-object payload', async () => {
    const header = { alg: 'HS256', kid: REFRESH_MAC_KID, typ: 'rt+jwt' };
    await expect(mac.verify(nemlogin, macedWith(header), NOW)).resolves.toMatchObject({ sid: 's1' });
    await expect(mac.verify(nemlogin, macedWith({ ...header, typ: 'at+jwt' }), NOW)).rejects.toThrow('"typ"');
    await expect(mac.verify(nemlogin, macedWith({ ...header, alg: 'none' }), NOW)).rejects.toThrow('HS256');
    await expect(mac.verify(nemlogin, macedWith({ ...header, crit: ['exp-private'], 'exp-private': 1 }), NOW)).rejects.toThrow(
      'not recognized',
    );
    await expect(mac.verify(nemlogin, macedWith(header, ['not', 'claims']), NOW)).rejects.toThrow('JWT Claims Set');
  });

  it('accepts only the canonical spelling of the MAC', async () => {
    const token = mac.sign(nemlogin, claims(nemlogin));
    // Node's base64url decoder skips characters outside the alphabet: the same octets, another text.
    await expect(mac.verify(nemlogin, `${token}!`, NOW)).rejects.toThrow('signature is not base64url');
    await expect(mac.verify(nemlogin, `${token}A`, NOW)).rejects.toThrow('signature verification failed');
    // A character whose low byte is the last one of the MAC (as 'Ł', U+0141, is 'A' 0x41 + 0x100).
    const last = token.charCodeAt(token.length - 1);
    const lookalike = `${token.slice(0, -1)}${String.fromCharCode(last + 0x100)}`;
    await expect(mac.verify(nemlogin, lookalike, NOW)).rejects.toThrow('signature is not base64url');
  });

  it('refuses malformed tokens as bad tokens (a token error, never a server error)', async () => {
    for (const malformed of malformedCompactJws(mac.sign(nemlogin, claims(nemlogin)))) {
      const refusal = await mac.verify(nemlogin, malformed, NOW).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isTokenError(refusal)).toBe(true);
    }
  });
});
