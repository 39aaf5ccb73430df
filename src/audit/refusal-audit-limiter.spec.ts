import { TestClock } from '../../test/support/test-clock.js';
import { testConfig } from '../../test/support/test-config.js';
import { RefusalAuditLimiter, type RefusalKind } from './refusal-audit-limiter.js';

const limits = { perAddress: 3, global: 5, windowSeconds: 60 };
const REFUSED_CLIENT: RefusalKind = { realm: 'nemlogin', type: 'CLIENT_LOGIN_ERROR' };

function admitted(limiter: RefusalAuditLimiter, ip: string, times: number, kind: RefusalKind = REFUSED_CLIENT): number {
  let count = 0;
  for (let i = 0; i < times; i++) if (limiter.admit(kind, ip)) count++;
  return count;
}

describe('RefusalAuditLimiter', () => {
  it('admits perAddress refusals of one address per window and counts the rest for its summary', () => {
    const clock = new TestClock(new Date('2030-01-01T00:00:00Z'));
    const limiter = new RefusalAuditLimiter(limits, clock);
    expect(admitted(limiter, '203.0.113.1', 10)).toBe(3);
    expect(limiter.hasUnrecorded).toBe(true);
    clock.advance(59);
    expect(limiter.close()).toEqual([]);
    clock.advance(1);
    expect(limiter.close()).toEqual([
      {
        realm: 'nemlogin',
        address: '203.0.113.1',
        count: 7,
        byType: new Map([['CLIENT_LOGIN_ERROR', 7]]),
        byClient: new Map(),
        windowStart: new Date('2030-01-01T00:00:00Z'),
      },
    ]);
    // A new window: the address has its share again, and nothing is due.
    expect(limiter.hasUnrecorded).toBe(false);
    expect(admitted(limiter, '203.0.113.1', 3)).toBe(3);
    expect(limiter.close(true)).toEqual([]);
  });

  it('admits global refusals of all addresses together, counting the rest across addresses', () => {
    const limiter = new RefusalAuditLimiter(limits, new TestClock());
    expect(admitted(limiter, '203.0.113.1', 3)).toBe(3);
    expect(admitted(limiter, '203.0.113.2', 3)).toBe(2);
    expect(admitted(limiter, '203.0.113.3', 2)).toBe(0);
    expect(admitted(limiter, '203.0.113.1', 1)).toBe(0);
    expect(limiter.close(true).map(({ address, count }) => [address, count])).toEqual([
      ['203.0.113.1', 1],
      [undefined, 3],
    ]);
  });

  it('keys an IPv6 address by its /64 and an IPv4-mapped one as IPv4, as the login rate limit does', () => {
    const limiter = new RefusalAuditLimiter(limits, new TestClock());
    expect(admitted(limiter, '2001:db8:1:2::1', 1)).toBe(1);
    expect(admitted(limiter, '2001:db8:1:2:ffff::9', 2)).toBe(2);
    expect(admitted(limiter, '2001:db8:1:2::7', 1)).toBe(0);
    expect(admitted(limiter, '2001:db8:1:3::1', 1)).toBe(1);
    expect(limiter.close(true)).toEqual([expect.objectContaining({ address: '2001:db8:1:2::', count: 1 })]);

    expect(admitted(limiter, '198.51.100.4', 3)).toBe(3);
    expect(admitted(limiter, '::ffff:198.51.100.4', 1)).toBe(0);
  });

  it('counts per realm, so each summary names the realm whose clients were tried', () => {
    const limiter = new RefusalAuditLimiter(limits, new TestClock());
    admitted(limiter, '203.0.113.1', 4, REFUSED_CLIENT);
    admitted(limiter, '203.0.113.1', 2, { ...REFUSED_CLIENT, realm: 'ehealth' });
    expect(limiter.close(true).map(({ realm, count }) => [realm, count])).toEqual([
      ['nemlogin', 1],
      ['ehealth', 2],
    ]);
  });

  it('shares one share among every kind of refusal of an address, and counts them all in one summary per realm', () => {
    const limiter = new RefusalAuditLimiter(limits, new TestClock());
    const refreshOfApp: RefusalKind = { realm: 'nemlogin', type: 'REFRESH_TOKEN_ERROR', clientId: 'patient-app' };
    expect(admitted(limiter, '203.0.113.1', 2, REFUSED_CLIENT)).toBe(2);
    // The third refusal of any kind is the address's last recorded.
    expect(admitted(limiter, '203.0.113.1', 3, refreshOfApp)).toBe(1);
    // However many kinds an address tries, its summaries stay one per realm (a row each).
    expect(admitted(limiter, '203.0.113.1', 1, { ...refreshOfApp, clientId: 'web-app' })).toBe(0);
    expect(admitted(limiter, '203.0.113.1', 1, { ...refreshOfApp, type: 'CODE_TO_TOKEN_ERROR' })).toBe(0);
    expect(admitted(limiter, '203.0.113.1', 2, REFUSED_CLIENT)).toBe(0);
    expect(limiter.close(true)).toEqual([
      expect.objectContaining({
        count: 6,
        byType: new Map([
          ['REFRESH_TOKEN_ERROR', 3],
          ['CODE_TO_TOKEN_ERROR', 1],
          ['CLIENT_LOGIN_ERROR', 2],
        ]),
        byClient: new Map([
          ['patient-app', 3],
          ['web-app', 1],
        ]),
      }),
    ]);
  });

  it('keeps at most maxAddresses, dropping the oldest and moving its count to all addresses', () => {
    const limiter = new RefusalAuditLimiter({ perAddress: 1, global: 100, windowSeconds: 60 }, new TestClock(), 2);
    admitted(limiter, '192.0.2.1', 3);
    admitted(limiter, '192.0.2.2', 1);
    admitted(limiter, '192.0.2.3', 1);
    // 192.0.2.1 was dropped: it starts over, within the global share.
    expect(admitted(limiter, '192.0.2.1', 1)).toBe(1);
    expect(limiter.close(true).map(({ address, count }) => [address, count])).toEqual([[undefined, 2]]);
  });

  it('opens no window before the first refusal, and closes an open one only when asked or due', () => {
    const clock = new TestClock();
    const limiter = new RefusalAuditLimiter(limits, clock);
    expect(limiter.windowEnd).toBeUndefined();
    expect(limiter.close(true)).toEqual([]);
    limiter.admit(REFUSED_CLIENT, '203.0.113.1');
    expect(limiter.windowEnd).toBe(clock.now().getTime() + 60_000);
  });

  it('takes its limits from config, with defaults, refusing a share that is not a positive whole number', () => {
    expect(testConfig('http://127.0.0.1:1').limits.tokenRefusalAudit).toEqual({ windowSeconds: 60, perAddress: 60, global: 6000 });
    for (const perAddress of [0, -1, 1.5]) {
      expect(() => testConfig('http://127.0.0.1:1', (raw) => (raw.limits = { tokenRefusalAudit: { perAddress } }))).toThrow(
        /tokenRefusalAudit/,
      );
    }
  });
});
