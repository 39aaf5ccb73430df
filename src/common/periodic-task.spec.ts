import { jest } from '@jest/globals';
import { PeriodicTask } from './periodic-task.js';

/** A round that stays in flight until the test releases it. */
function heldRound() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const counts = { started: 0, ended: 0 };
  const run = async () => {
    counts.started++;
    await released;
    counts.ended++;
  };
  return { counts, run, release: () => release() };
}

describe('PeriodicTask', () => {
  /** Every round here but the failing one's succeeds. */
  const noFailureExpected = jest.fn<(error: unknown) => void>();

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    expect(noFailureExpected).not.toHaveBeenCalled();
  });

  it('runs a round every interval, the first one an interval after start', async () => {
    let rounds = 0;
    const task = new PeriodicTask({ intervalMs: 1000, round: async () => void rounds++, onFailure: noFailureExpected });
    task.start();

    await jest.advanceTimersByTimeAsync(999);
    expect(rounds).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(rounds).toBe(1);
    await jest.advanceTimersByTimeAsync(2000);
    expect(rounds).toBe(3);
    await task.stop();
  });

  it('skips the ticks that find a round still running instead of starting a second one', async () => {
    const round = heldRound();
    const task = new PeriodicTask({ intervalMs: 1000, round: round.run, onFailure: noFailureExpected });
    task.start();

    await jest.advanceTimersByTimeAsync(5000);
    expect(round.counts.started).toBe(1);

    round.release();
    await jest.advanceTimersByTimeAsync(0);
    expect(round.counts.ended).toBe(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(round.counts.started).toBe(2);
    await task.stop();
  });

  it('stops: waits for the round in flight, and starts none after', async () => {
    const round = heldRound();
    const task = new PeriodicTask({ intervalMs: 1000, round: round.run, onFailure: noFailureExpected });
    task.start();
    expect(task.scheduled).toBe(true);
    await jest.advanceTimersByTimeAsync(1000);

    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    expect(task.scheduled).toBe(false);
    await jest.advanceTimersByTimeAsync(5000);
    expect(stopped).toBe(false);

    round.release();
    await stopping;
    expect(round.counts.ended).toBe(1);
    await jest.advanceTimersByTimeAsync(5000);
    expect(round.counts.started).toBe(1);
  });

  it('stops at once when never started or idle', async () => {
    const task = new PeriodicTask({ intervalMs: 1000, round: async () => {}, onFailure: noFailureExpected });
    await task.stop();
    task.start();
    await jest.advanceTimersByTimeAsync(1000);
    await task.stop();
    expect(task.scheduled).toBe(false);
  });

  it('reports a failed round and runs the next ones as usual', async () => {
    const failure = new Error('the FHIR server is down');
    const failures: unknown[] = [];
    let rounds = 0;
    const task = new PeriodicTask({
      intervalMs: 1000,
      round: async () => {
        if (++rounds === 1) throw failure;
      },
      onFailure: (error) => failures.push(error),
    });
    task.start();

    await jest.advanceTimersByTimeAsync(1000);
    expect(failures).toEqual([failure]);
    await jest.advanceTimersByTimeAsync(2000);
    expect(rounds).toBe(3);
    expect(failures).toEqual([failure]);
    await task.stop();
  });

  it('does not keep the process alive by its timer', async () => {
    const setInterval = jest.spyOn(globalThis, 'setInterval');
    const task = new PeriodicTask({ intervalMs: 1000, round: async () => {}, onFailure: noFailureExpected });
    task.start();

    const timer = setInterval.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    await task.stop();
    setInterval.mockRestore();
  });
});
