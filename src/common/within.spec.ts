import { jest } from '@jest/globals';
import { within } from './within.js';

describe('within', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("is work's value when it settles in time, and leaves no timer behind", async () => {
    await expect(within(Promise.resolve('done'), 1000)).resolves.toBe('done');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('is undefined once the time is up; the work goes on and its value is still its own', async () => {
    let finish!: (value: string) => void;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const waited = within(work, 1000);
    await jest.advanceTimersByTimeAsync(1000);
    await expect(waited).resolves.toBeUndefined();
    finish('later');
    await expect(work).resolves.toBe('later');
  });

  it('waits not at all for 0 ms when the work is still under way', async () => {
    const waited = within(new Promise(() => undefined), 0);
    await jest.advanceTimersByTimeAsync(0);
    await expect(waited).resolves.toBeUndefined();
  });

  it('passes a failure in time on; one after the time is up is no unhandled rejection', async () => {
    await expect(within(Promise.reject(new Error('early')), 1000)).rejects.toThrow('early');
    expect(jest.getTimerCount()).toBe(0);

    // Jest fails a test that leaves a rejection unhandled; Node reports one once the turn's microtasks are done.
    jest.useRealTimers();
    let fail!: (error: Error) => void;
    const late = new Promise<never>((_resolve, reject) => (fail = reject));
    await expect(within(late, 1)).resolves.toBeUndefined();
    fail(new Error('late'));
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('unrefs its timer: a wait alone does not keep the process alive', async () => {
    jest.useRealTimers();
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    try {
      await within(new Promise(() => undefined), 1);
      const timer = setTimeoutSpy.mock.results[0]!.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
    } finally {
      setTimeoutSpy.mockRestore();
    }
  });
});
