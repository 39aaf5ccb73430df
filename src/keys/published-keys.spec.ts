import { TestClock } from '../../test/support/test-clock.js';
import type { SigningKeyRepository, SigningKeyRow } from '../storage/signing-key.repository.js';
import { PublishedKeys, type KeyReadPacing } from './published-keys.js';

/** No spacing between reads: what is shared, and when a read must be new, without the pacing. */
const UNPACED: KeyReadPacing = { spacingMs: 0, now: () => 0, sleep: () => Promise.resolve() };

/** A repository whose reads the test answers by hand, in order, with what the table holds then. */
function heldReads(pacing: KeyReadPacing = UNPACED) {
  const reads: { realm: string; answer: (rows: SigningKeyRow[]) => void; fail: (error: Error) => void }[] = [];
  const repository = {
    findPublished: (realm: string) =>
      new Promise<SigningKeyRow[]>((answer, fail) => {
        reads.push({ realm, answer, fail });
      }),
  } as unknown as SigningKeyRepository;
  return { reads, keys: new PublishedKeys(repository, new TestClock(), pacing) };
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

  describe('paced', () => {
    /** 50 ms between reads' starts, on a clock the test moves; each sleep is held until the test ends it. */
    function paced() {
      let now = 1_000;
      const sleeps: { ms: number; end: () => void }[] = [];
      const pacing: KeyReadPacing = {
        spacingMs: 50,
        now: () => now,
        sleep: (ms) => new Promise<void>((end) => sleeps.push({ ms, end })),
      };
      return { ...heldReads(pacing), sleeps, advance: (ms: number) => (now += ms) };
    }

    it('a request arriving soon after a read began and ended waits out the spacing, then reads anew', async () => {
      const { reads, keys, sleeps, advance } = paced();
      const first = keys.of('nemlogin');
      reads[0]!.answer([row('old')]);
      expect(await first).toEqual([row('old')]);
      advance(20);
      const later = [keys.of('nemlogin'), keys.of('nemlogin')];
      await settled();
      expect(reads).toHaveLength(1);
      expect(sleeps.map((s) => s.ms)).toEqual([30]);
      advance(30);
      sleeps[0]!.end();
      await settled();
      expect(reads).toHaveLength(2);
      reads[1]!.answer([row('old'), row('new')]);
      for (const answer of later) expect(await answer).toEqual([row('old'), row('new')]);
    });

    it('a flood starts one read per spacing: the requests of a spacing share the read that follows it', async () => {
      const { reads, keys, sleeps, advance } = paced();
      const answers: Promise<SigningKeyRow[]>[] = [];
      for (let spacing = 0; spacing < 5; spacing++) {
        for (let i = 0; i < 10; i++) {
          answers.push(keys.of('nemlogin'));
          advance(5);
        }
        // The spacing is over: every read so far is answered, and the waiting one starts.
        sleeps.at(-1)!.end();
        reads.forEach((read, i) => read.answer([row(`read ${i + 1}`)]));
        await settled();
      }
      reads.forEach((read, i) => read.answer([row(`read ${i + 1}`)]));
      // 250 ms of requests: the first one's read, then one a spacing.
      expect(reads).toHaveLength(6);
      expect(sleeps.map((s) => s.ms)).toEqual([45, 50, 50, 50, 50]);
      // Each request got a read that began after it arrived: the first its own, the others the next one.
      const got = await Promise.all(answers);
      expect(got[0]).toEqual([row('read 1')]);
      for (let spacing = 0; spacing < 5; spacing++)
        for (let i = spacing === 0 ? 1 : 0; i < 10; i++) expect(got[spacing * 10 + i]).toEqual([row(`read ${spacing + 2}`)]);
    });

    it('a request after the spacing has passed reads at once', async () => {
      const { reads, keys, sleeps, advance } = paced();
      const first = keys.of('nemlogin');
      reads[0]!.answer([row('a')]);
      await first;
      advance(50);
      const later = keys.of('nemlogin');
      expect(reads).toHaveLength(2);
      expect(sleeps).toHaveLength(0);
      reads[1]!.answer([row('b')]);
      expect(await later).toEqual([row('b')]);
    });

    it('realms are paced apart', async () => {
      const { reads, keys, sleeps } = paced();
      void keys.of('nemlogin');
      void keys.of('ehealth');
      expect(reads.map((r) => r.realm)).toEqual(['nemlogin', 'ehealth']);
      expect(sleeps).toHaveLength(0);
    });
  });
});
