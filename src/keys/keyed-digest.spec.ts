import { createHash } from 'node:crypto';
import { KeyedDigest } from './keyed-digest.js';

describe('KeyedDigest', () => {
  const secret = 'test-only-key-encryption-key-0123456789';

  it('is stable for one key and purpose, and differs between purposes and keys', () => {
    const digest = new KeyedDigest(secret, 'a/v1');
    expect(digest.digest('0101701234')).toBe(new KeyedDigest(secret, 'a/v1').digest('0101701234'));
    expect(digest.digest('0101701234')).not.toBe(new KeyedDigest(secret, 'b/v1').digest('0101701234'));
    expect(digest.digest('0101701234')).not.toBe(new KeyedDigest(`${secret}x`, 'a/v1').digest('0101701234'));
    expect(digest.digest('0101701234')).not.toBe(digest.digest('0101701235'));
  });

  it('is not the plain hash of the value, nor contains it', () => {
    const value = '0101701234';
    const keyed = new KeyedDigest(secret, 'a/v1').digest(value);
    expect(keyed).not.toBe(createHash('sha256').update(value).digest('base64url'));
    expect(keyed).not.toContain(value);
    expect(keyed).toMatch(/^[\w-]{43}$/);
  });
});
