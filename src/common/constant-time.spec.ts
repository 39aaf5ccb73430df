import { digestsEqual, sha256 } from './constant-time.js';

describe('secret digests', () => {
  it('match only for the same secret', () => {
    expect(digestsEqual(sha256('s3cret'), sha256('s3cret'))).toBe(true);
    expect(digestsEqual(sha256('s3cret'), sha256('s3cret '))).toBe(false);
  });

  it('never match digests of different lengths', () => {
    expect(digestsEqual(sha256('a'), Buffer.alloc(0))).toBe(false);
  });
});
