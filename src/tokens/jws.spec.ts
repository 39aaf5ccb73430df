import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import type { SigningAlg } from '../config/config.schema.js';
import { ecdsaDerToJose, ecdsaJoseToDer, signJws } from './jws.js';

const PAIRS: Record<SigningAlg, () => { privateKey: KeyObject; publicKey: KeyObject }> = {
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  PS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  EdDSA: () => generateKeyPairSync('ed25519'),
};

describe('signJws', () => {
  it.each(Object.keys(PAIRS) as SigningAlg[])('makes a %s JWS that jose verifies with the public JWK', async (alg) => {
    const { privateKey, publicKey } = PAIRS[alg]();
    const key = await importJWK({ ...(publicKey.export({ format: 'jwk' }) as JWK), alg }, alg);
    const payload = { iss: 'https://idp.example/realms/r', sub: 'portal', aud: ['xis', 'æøå'], exp: 2_000_000_000, iat: 1, scope: 'xis' };
    // Many ECDSA tokens: an R or S shorter than 32 octets (DER drops its leading zero) turns up in about one in 128.
    for (let i = 0; i < (alg === 'ES256' ? 400 : 3); i++) {
      const jws = signJws({ alg, kid: 'k1', typ: 'at+jwt' }, { ...payload, jti: String(i) }, privateKey);
      const { payload: verified, protectedHeader } = await compactVerify(jws, key, { algorithms: [alg] });
      expect(protectedHeader).toEqual({ alg, kid: 'k1', typ: 'at+jwt' });
      expect(JSON.parse(new TextDecoder().decode(verified))).toEqual({ ...payload, jti: String(i) });
    }
  });

  it('keeps the header as given, in order', () => {
    const { privateKey } = PAIRS.ES256();
    const jws = signJws({ alg: 'ES256', kid: 'k1', typ: 'JWT' }, {}, privateKey);
    expect(jws.split('.')[0]).toBe(Buffer.from('{"alg":"ES256","kid":"k1","typ":"JWT"}').toString('base64url'));
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'ES256', kid: 'k1', typ: 'JWT' });
    expect(Buffer.from(jws.split('.')[2]!, 'base64url')).toHaveLength(64);
  });
});

describe('ecdsaDerToJose', () => {
  const der = (r: number[], s: number[]) => Buffer.from([0x30, 4 + r.length + s.length, 0x02, r.length, ...r, 0x02, s.length, ...s]);

  it('strips the sign octet DER puts before a high bit and left-pads a short integer', () => {
    const r = [0x00, 0x80, ...Array<number>(31).fill(1)];
    const s = Array<number>(30).fill(2);
    const jose = ecdsaDerToJose(der(r, s), 32);
    expect(jose).toHaveLength(64);
    expect([...jose.subarray(0, 32)]).toEqual([0x80, ...Array<number>(31).fill(1)]);
    expect([...jose.subarray(32)]).toEqual([0, 0, ...Array<number>(30).fill(2)]);
  });

  it.each([
    ['not a SEQUENCE', Buffer.from([0x31, 6, 0x02, 1, 1, 0x02, 1, 1])],
    ['not an INTEGER', Buffer.from([0x30, 6, 0x04, 1, 1, 0x02, 1, 1])],
    ['an integer too long for the curve', der(Array<number>(33).fill(1), [1])],
    ['truncated', der([1], [1]).subarray(0, 7)],
    ['trailing octets', Buffer.concat([der([1], [1]), Buffer.from([0])])],
  ])('refuses a signature %s', (_name, bytes) => {
    expect(() => ecdsaDerToJose(bytes, 32)).toThrow('malformed ECDSA signature');
  });
});

describe('ecdsaJoseToDer', () => {
  it.each([
    ['high bits', Buffer.alloc(64, 0xff)],
    ['leading zero octets', Buffer.concat([Buffer.alloc(3), Buffer.alloc(29, 0x7f), Buffer.alloc(1), Buffer.alloc(31, 0x81)])],
    ['zero integers', Buffer.alloc(64)],
  ])('writes minimal DER that reads back to the same R ‖ S (%s)', (_name, jose) => {
    const der = ecdsaJoseToDer(jose);
    expect(ecdsaDerToJose(der, 32)).toEqual(jose);
    // Minimal: no integer starts with a zero octet unless the next one has its high bit set.
    for (let offset = 2; offset < der.length; offset += 2 + der[offset + 1]!) {
      const [first, second] = [der[offset + 2]!, der[offset + 3]];
      expect(der[offset + 1] === 1 || first !== 0 || (second! & 0x80) !== 0).toBe(true);
    }
  });
});
