import { backoffDelay, withRetries } from './fhir-retry.js';

const noWait = { sleep: async () => {} };

describe('withRetries', () => {
  it('retries a retryable failure until it succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetries(
      { attempts: 3, backoffMs: 10, ...noWait },
      async (n) => {
        calls++;
        if (n < 3) throw new Error('down');
        return 'ok';
      },
      () => true,
      () => retries.push(calls),
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('gives up after the allowed attempts with the last error', async () => {
    let calls = 0;
    const attempt = async (n: number) => {
      calls++;
      throw new Error(`down ${n}`);
    };
    await expect(withRetries({ attempts: 3, backoffMs: 10, ...noWait }, attempt, () => true)).rejects.toThrow('down 3');
    expect(calls).toBe(3);
  });

  it('does not retry what the predicate calls final', async () => {
    let calls = 0;
    const attempt = async () => {
      calls++;
      throw new Error('bad request');
    };
    await expect(withRetries({ attempts: 5, backoffMs: 10, ...noWait }, attempt, () => false)).rejects.toThrow('bad request');
    expect(calls).toBe(1);
  });

  it('waits between tries, doubling', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    await expect(
      withRetries(
        { attempts: 3, backoffMs: 100, sleep },
        async () => Promise.reject(new Error('x')),
        () => true,
      ),
    ).rejects.toThrow();
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(75);
    expect(waits[0]).toBeLessThanOrEqual(125);
    expect(waits[1]).toBeGreaterThanOrEqual(150);
    expect(waits[1]).toBeLessThanOrEqual(250);
  });
});

describe('backoffDelay', () => {
  it('doubles per failed attempt within ±25 % jitter', () => {
    expect(backoffDelay(50, 1, () => 0)).toBe(38);
    expect(backoffDelay(50, 1, () => 1)).toBe(63);
    expect(backoffDelay(50, 3, () => 0.5)).toBe(200);
  });
});
