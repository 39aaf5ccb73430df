import { nextTurn } from '../../test/support/event-loop.js';
import { groupCommitted, MAX_ITEMS_PER_STATEMENT } from './group-commit.js';

/** A writeAll whose statements finish only when the test says so. */
function heldStatements() {
  const statements: { items: readonly number[]; finish: (results?: (string | Error)[]) => void; fail: (error: Error) => void }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const writeAll = (items: readonly number[]) =>
    new Promise<(string | Error)[]>((resolve, reject) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const settle = () => (inFlight -= 1);
      statements.push({
        items,
        finish: (results) => (settle(), resolve(results ?? items.map((item) => `written ${item}`))),
        fail: (error) => (settle(), reject(error)),
      });
    });
  return { statements, writeAll, mostInFlight: () => mostInFlight };
}

describe('groupCommitted', () => {
  it('writes what is asked for in one turn together, and what arrives while it runs in the next statement', async () => {
    const held = heldStatements();
    const write = groupCommitted(held.writeAll);
    const first = [1, 2, 3].map(write);
    await nextTurn();
    expect(held.statements.map((s) => s.items)).toEqual([[1, 2, 3]]);

    const second = [4, 5].map(write);
    await nextTurn();
    await nextTurn();
    // One statement in flight: 4 and 5 wait for it.
    expect(held.statements).toHaveLength(1);

    held.statements[0]!.finish();
    expect(await Promise.all(first)).toEqual(['written 1', 'written 2', 'written 3']);
    await nextTurn();
    expect(held.statements.map((s) => s.items)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    held.statements[1]!.finish();
    expect(await Promise.all(second)).toEqual(['written 4', 'written 5']);
    expect(held.mostInFlight()).toBe(1);
  });

  it('fails only the item answered with an Error', async () => {
    const held = heldStatements();
    const write = groupCommitted(held.writeAll);
    const results = Promise.allSettled([1, 2, 3].map(write));
    await nextTurn();
    held.statements[0]!.finish(['written 1', new Error('refused 2'), 'written 3']);
    expect((await results).map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'written 1',
      'refused 2',
      'written 3',
    ]);
  });

  it('fails every item of a statement whose answer does not answer each of them', async () => {
    const held = heldStatements();
    const write = groupCommitted(held.writeAll);
    const results = Promise.allSettled([1, 2].map(write));
    await nextTurn();
    held.statements[0]!.finish(['written 1']);
    expect((await results).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('fails every item of a statement that throws, and writes the next statement all the same', async () => {
    const held = heldStatements();
    const write = groupCommitted(held.writeAll);
    const failed = Promise.allSettled([1, 2].map(write));
    await nextTurn();
    const later = write(3);
    held.statements[0]!.fail(new Error('connection lost'));
    expect((await failed).map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual([
      'connection lost',
      'connection lost',
    ]);
    await nextTurn();
    held.statements[1]!.finish();
    expect(await later).toBe('written 3');
  });

  it(`writes at most ${MAX_ITEMS_PER_STATEMENT} items a statement`, async () => {
    const held = heldStatements();
    const write = groupCommitted(held.writeAll);
    const all = Promise.all(Array.from({ length: MAX_ITEMS_PER_STATEMENT + 1 }, (_, i) => write(i)));
    await nextTurn();
    held.statements[0]!.finish();
    await nextTurn();
    await nextTurn();
    held.statements[1]!.finish();
    await all;
    expect(held.statements.map((s) => s.items.length)).toEqual([MAX_ITEMS_PER_STATEMENT, 1]);
  });
});
