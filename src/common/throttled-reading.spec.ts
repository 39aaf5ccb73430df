import { ThrottledReading } from './throttled-reading.js';

describe('ThrottledReading', () => {
  let now: number;
  let reads: number;
  let fail: boolean;
  const reading = () =>
    new ThrottledReading(
      async () => {
        reads++;
        if (fail) throw new Error('database unavailable');
        return reads;
      },
      1000,
      () => now,
    );
  beforeEach(() => {
    now = 0;
    reads = 0;
    fail = false;
  });

  it('reads once per interval, however often and however concurrently it is asked', async () => {
    const throttled = reading();
    expect(await Promise.all([throttled.get(), throttled.get()])).toEqual([1, 1]);
    now = 999;
    expect(await throttled.get()).toBe(1);
    now = 1000;
    expect(await throttled.get()).toBe(2);
    expect(reads).toBe(2);
  });

  it('keeps no failed read: the next ask reads again', async () => {
    const throttled = reading();
    fail = true;
    await expect(throttled.get()).rejects.toThrow('database unavailable');
    fail = false;
    expect(await throttled.get()).toBe(2);
  });
});
