import { generateKeyPairSync } from 'node:crypto';
import { VerifiedSignatures } from './verified-signatures.js';

describe('VerifiedSignatures', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  /** A verification that answers `answer` and counts its calls. */
  const counting = (answer: boolean) => {
    const verify = () => {
      verify.calls++;
      return answer;
    };
    verify.calls = 0;
    return verify;
  };

  it('verifies a token once under a key, and remembers only a success', () => {
    const signatures = new VerifiedSignatures();
    const good = counting(true);
    expect(signatures.verifies('a.b.c', key, good)).toBe(true);
    expect(signatures.verifies('a.b.c', key, good)).toBe(true);
    expect(good.calls).toBe(1);
    const bad = counting(false);
    expect(signatures.verifies('a.b.x', key, bad)).toBe(false);
    expect(signatures.verifies('a.b.x', key, bad)).toBe(false);
    expect(bad.calls).toBe(2);
  });

  it('verifies again under another key object, even one of the same key material', () => {
    const signatures = new VerifiedSignatures();
    signatures.verifies('a.b.c', key, counting(true));
    const again = counting(false);
    const reread = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(signatures.verifies('a.b.c', reread, again)).toBe(false);
    expect(again.calls).toBe(1);
  });

  it('keeps at most its limit, forgetting the least recently presented', () => {
    const signatures = new VerifiedSignatures(2);
    signatures.verifies('t1', key, counting(true));
    signatures.verifies('t2', key, counting(true));
    signatures.verifies('t1', key, counting(true)); // t2 is now the least recently presented
    signatures.verifies('t3', key, counting(true));
    expect(signatures.size).toBe(2);
    const t1 = counting(true);
    const t2 = counting(true);
    signatures.verifies('t1', key, t1);
    signatures.verifies('t2', key, t2);
    expect([t1.calls, t2.calls]).toEqual([0, 1]);
  });
});
