import { nextAttemptAt } from './backoff.js';

describe('back-channel logout backoff', () => {
  const now = new Date('2031-01-01T00:00:00Z');
  const after = (attempts: number, initial = 10) => (nextAttemptAt(now, attempts, initial).getTime() - now.getTime()) / 1000;

  it('waits the initial backoff after the first attempt, doubling after each further one', () => {
    expect([1, 2, 3, 4].map((n) => after(n))).toEqual([10, 20, 40, 80]);
  });

  it('never waits more than an hour', () => {
    expect(after(20)).toBe(3600);
    expect(after(3, 3000)).toBe(3600);
  });
});
