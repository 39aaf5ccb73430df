import { TestClock } from '../../test/support/test-clock.js';
import type { SigningKeyRepository, SigningKeyRow } from '../storage/signing-key.repository.js';
import { PublishedKeys } from './published-keys.js';

/** A repository whose reads the test answers by hand, in order, with what the table holds then. */
function heldReads() {
  const reads: { realm: string; answer: (rows: SigningKeyRow[]) => void; fail: (error: Error) => void }[] = [];
  const repository = {
    findPublished: (realm: string) =>
      new Promise<SigningKeyRow[]>((answer, fail) => {
        reads.push({ realm, answer, fail });
      }),
  } as unknown as SigningKeyRepository;
  return { reads, keys: new PublishedKeys(repository, new TestClock()) };
}

const row = (kid: string) => ({ kid }) as SigningKeyRow;
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('PublishedKeys', () => {
  it('answers a request arriving while a read runs from the next read, which all such requests share', async () => {
    const { reads, keys } = heldReads();
    const before = keys.of('nemlogin');
    expect(reads).toHaveLength(1);
    // A rotation commits while that read runs; requests arriving now must see it.
    const after = [keys.of('nemlogin'), keys.of('nemlogin'), keys.of('nemlogin')];
    expect(reads).toHaveLength(1);
    reads[0]!.answer([row('old')]);
    expect(await before).toEqual([row('old')]);
    await settled();
    expect(reads).toHaveLength(2);
    reads[1]!.answer([row('old'), row('new')]);
    for (const answer of after) expect(await answer).toEqual([row('old'), row('new')]);
    expect(reads).toHaveLength(2);
  });

  it('reads anew for a request arriving after the reads ended, and keeps realms apart', async () => {
    const { reads, keys } = heldReads();
    const first = keys.of('nemlogin');
    const other = keys.of('ehealth');
    expect(reads.map((r) => r.realm)).toEqual(['nemlogin', 'ehealth']);
    reads[0]!.answer([row('a')]);
    reads[1]!.answer([row('b')]);
    expect(await first).toEqual([row('a')]);
    expect(await other).toEqual([row('b')]);
    const later = keys.of('nemlogin');
    expect(reads).toHaveLength(3);
    reads[2]!.answer([row('c')]);
    expect(await later).toEqual([row('c')]);
  });

  it('a failed read fails its own requests only; those waiting get a read of their own', async () => {
    const { reads, keys } = heldReads();
    const failing = keys.of('nemlogin');
    const waiting = keys.of('nemlogin');
    reads[0]!.fail(new Error('connection lost'));
    await expect(failing).rejects.toThrow('connection lost');
    await settled();
    reads[1]!.answer([row('a')]);
    expect(await waiting).toEqual([row('a')]);
  });
});
