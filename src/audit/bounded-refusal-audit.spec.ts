import type { AsyncLocalStorage } from 'node:async_hooks';
import { jest } from '@jest/globals';
import type { AuditEvent, AuditTrail } from './audit-trail.service.js';
import { TestClock } from '../../test/support/test-clock.js';
import { asyncLocalStorage } from '@fastify/request-context';
import { currentRequestId } from '../logging/request-context.js';
import { BoundedRefusalAudit, REFUSALS_NOT_RECORDED } from './bounded-refusal-audit.js';

type Written = [Omit<AuditEvent, 'error'>, string];

/** The audit trail's two ways of recording a refusal; `refused` writes its cause's message as the error here. */
function fakeAudit(): { audit: AuditTrail; written: Written[] } {
  const written: Written[] = [];
  const audit = {
    failed: (event: Omit<AuditEvent, 'error'>, error: string) => {
      written.push([event, error]);
      return Promise.resolve();
    },
    refused: (event: Omit<AuditEvent, 'error'>, cause: Error) => {
      written.push([event, cause.message]);
      return Promise.resolve();
    },
  } as unknown as AuditTrail;
  return { audit, written };
}

const refusal = (ipAddress: string) => ({ realm: 'nemlogin', type: 'CLIENT_LOGIN_ERROR' as const, ipAddress });

describe('BoundedRefusalAudit', () => {
  afterEach(() => jest.useRealTimers());

  it('records the share one by one and the rest as one summary at the next refusal after the window', async () => {
    const clock = new TestClock(new Date('2030-01-01T00:00:00Z'));
    const { audit, written } = fakeAudit();
    const refusals = new BoundedRefusalAudit(audit, { perAddress: 2, global: 10, windowSeconds: 60 }, clock);
    for (let i = 0; i < 5; i++) await refusals.failed(refusal('203.0.113.1'), 'client_not_found');
    expect(written.map(([, error]) => error)).toEqual(['client_not_found', 'client_not_found']);

    clock.advance(60);
    await refusals.failed(refusal('203.0.113.1'), 'client_not_found');
    await refusals.flush();
    // The summary is written beside the refusal, not before it: a refusal never waits for it.
    expect(written.slice(2)).toHaveLength(2);
    expect(written.slice(2)).toEqual(
      expect.arrayContaining([
        [
          {
            realm: 'nemlogin',
            type: 'CLIENT_LOGIN_ERROR',
            ipAddress: '203.0.113.1',
            details: {
              refusals: 3,
              types: ['CLIENT_LOGIN_ERROR'],
              client_login_error: 3,
              window_start: '2030-01-01T00:00:00.000Z',
              window_seconds: 60,
            },
          },
          REFUSALS_NOT_RECORDED,
        ],
        // The refusal that closed the window is the first of the next one.
        [refusal('203.0.113.1'), 'client_not_found'],
      ]),
    );
  });

  it('writes the summary by a timer that does not keep the process alive, once the window is over', async () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    const clock = { now: () => new Date() };
    const { audit, written } = fakeAudit();
    const refusals = new BoundedRefusalAudit(audit, { perAddress: 1, global: 10, windowSeconds: 60 }, clock);
    await refusals.failed(refusal('203.0.113.1'), 'invalid_client');
    await refusals.failed(refusal('203.0.113.1'), 'invalid_client');
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(59_000);
    expect(written).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(written[1]).toEqual([expect.objectContaining({ details: expect.objectContaining({ refusals: 1 }) }), REFUSALS_NOT_RECORDED]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('writes a summary as no request’s, though a request overflowed or closed its window', async () => {
    // Each write notes the request it ran in: a log line it writes would name that one (request-context.ts).
    const during: [string, string | undefined][] = [];
    const audit = {
      failed: (_event: Omit<AuditEvent, 'error'>, error: string) => {
        during.push([error, currentRequestId()]);
        return Promise.resolve();
      },
    } as unknown as AuditTrail;
    const clock = new TestClock(new Date('2030-01-01T00:00:00Z'));
    const refusals = new BoundedRefusalAudit(audit, { perAddress: 1, global: 10, windowSeconds: 1 }, clock);
    // The plugin's store, as its onRequest hook fills it (its type names the accessor, not the store).
    const store = asyncLocalStorage as unknown as AsyncLocalStorage<{ reqId: string }>;
    const inRequest = (reqId: string, work: () => Promise<void>) => store.run({ reqId }, work);
    await inRequest('req-1', () => refusals.failed(refusal('203.0.113.1'), 'invalid_client'));
    // Counted, not written: it opens the summary's timer, on the real clock.
    await inRequest('req-2', () => refusals.failed(refusal('203.0.113.1'), 'invalid_client'));
    clock.advance(1);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    await refusals.flush();
    expect(during).toEqual([
      ['invalid_client', 'req-1'],
      [REFUSALS_NOT_RECORDED, undefined],
    ]);

    // Closed by a request's refusal rather than by the timer: the summary is still none of its business.
    await inRequest('req-3', () => refusals.failed(refusal('203.0.113.2'), 'invalid_client'));
    await inRequest('req-4', () => refusals.failed(refusal('203.0.113.2'), 'invalid_client'));
    clock.advance(1);
    await inRequest('req-5', () => refusals.failed(refusal('203.0.113.2'), 'invalid_client'));
    await refusals.flush();
    expect(during.slice(2)).toEqual(
      expect.arrayContaining([
        ['invalid_client', 'req-3'],
        [REFUSALS_NOT_RECORDED, undefined],
        ['invalid_client', 'req-5'],
      ]),
    );
    expect(during.slice(2)).toHaveLength(3);
  });

  it('unrefs its timer', async () => {
    const unref = jest.fn<() => NodeJS.Timeout>();
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout').mockReturnValue({ unref } as unknown as NodeJS.Timeout);
    try {
      const refusals = new BoundedRefusalAudit(fakeAudit().audit, { perAddress: 1, global: 10, windowSeconds: 60 }, new TestClock());
      await refusals.failed(refusal('203.0.113.1'), 'invalid_client');
      await refusals.failed(refusal('203.0.113.1'), 'invalid_client');
      expect(unref).toHaveBeenCalledTimes(1);
    } finally {
      setTimeoutSpy.mockRestore();
    }
  });

  it('writes what the open window did not record on flush, and nothing when all was recorded', async () => {
    const { audit, written } = fakeAudit();
    const refusals = new BoundedRefusalAudit(audit, { perAddress: 5, global: 1, windowSeconds: 60 }, new TestClock());
    await refusals.flush();
    expect(written).toEqual([]);
    await refusals.failed(refusal('203.0.113.1'), 'invalid_client');
    await refusals.failed(refusal('203.0.113.2'), 'invalid_client');
    await refusals.failed(refusal('203.0.113.3'), 'invalid_client');
    await refusals.flush();
    expect(written.map(([event, error]) => [event.ipAddress, error, event.details?.refusals])).toEqual([
      ['203.0.113.1', 'invalid_client', undefined],
      [undefined, REFUSALS_NOT_RECORDED, 2],
    ]);
  });

  it('bounds refused grants within the same share, summed up with the types and clients they were of', async () => {
    const { audit, written } = fakeAudit();
    const refusals = new BoundedRefusalAudit(audit, { perAddress: 2, global: 10, windowSeconds: 60 }, new TestClock());
    const grant = { realm: 'nemlogin', type: 'REFRESH_TOKEN_ERROR' as const, clientId: 'patient-app', ipAddress: '203.0.113.1' };
    await refusals.failed(refusal('203.0.113.1'), 'client_not_found');
    for (let i = 0; i < 4; i++) await refusals.refused(grant, new Error('invalid_token'));
    await refusals.failed(refusal('203.0.113.1'), 'client_not_found');
    await refusals.flush();
    expect(written).toEqual([
      [refusal('203.0.113.1'), 'client_not_found'],
      [grant, 'invalid_token'],
      [
        {
          realm: 'nemlogin',
          // The type most of them had.
          type: 'REFRESH_TOKEN_ERROR',
          ipAddress: '203.0.113.1',
          details: expect.objectContaining({
            refusals: 4,
            types: ['REFRESH_TOKEN_ERROR', 'CLIENT_LOGIN_ERROR'],
            refresh_token_error: 3,
            client_login_error: 1,
            clients: ['patient-app'],
          }),
        },
        REFUSALS_NOT_RECORDED,
      ],
    ]);
  });
});
