import { KeyedMutex } from './keyed-mutex.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyedMutex', () => {
  it('runs tasks of one key one at a time, in order', async () => {
    const mutex = new KeyedMutex();
    let running = 0;
    let maxRunning = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        mutex.runExclusive('k', async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await tick();
          order.push(i);
          running--;
        }),
      ),
    );
    expect(maxRunning).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(mutex.size).toBe(0);
  });

  it('runs different keys side by side', async () => {
    const mutex = new KeyedMutex();
    let running = 0;
    let maxRunning = 0;
    const task = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick();
      running--;
    };
    await Promise.all([mutex.runExclusive('a', task), mutex.runExclusive('b', task)]);
    expect(maxRunning).toBe(2);
  });

  it('releases the key when a task fails, and passes the failure on', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.runExclusive('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.runExclusive('k', async () => 'next')).resolves.toBe('next');
    expect(mutex.size).toBe(0);
  });
});
