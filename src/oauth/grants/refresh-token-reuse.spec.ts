import { AuditedRefusal } from '../../audit/audited-refusal.js';
import type { AuditTrail } from '../../audit/audit-trail.service.js';
import type { FederationMetrics } from '../../metrics/federation-metrics.js';
import { OAuthError } from '../../protocol/oauth-error.js';
import type { Realm } from '../../realms/realm.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { SessionRow } from '../../storage/session.repository.js';
import type { RefreshTokenClaims } from '../../tokens/token-verifier.js';
import { RefreshTokenReuse } from './refresh-token-reuse.js';

const realm = { name: 'nemlogin' } as Realm;
const claims = { sid: 'sid-1', jti: 'presented' } as RefreshTokenClaims;

/** The reuse detection over a session whose current refresh jti is `current` (undefined: not live), recording what it does. */
function reuseOver(current: string | undefined) {
  const calls = { lookups: 0, ends: 0, counted: 0 };
  const sessions = {
    findLive: () => {
      calls.lookups++;
      return Promise.resolve(current === undefined ? undefined : ({ id: claims.sid, refresh_jti: current } as SessionRow));
    },
    endReused: () => Promise.resolve(current !== undefined),
  } as unknown as SessionService;
  const audit = {
    endSession: (_sid: string, _facts: unknown, end: (tx: unknown) => Promise<boolean>) => {
      calls.ends++;
      return end({});
    },
  } as unknown as AuditTrail;
  const metrics = { refreshTokenReused: () => calls.counted++ } as unknown as FederationMetrics;
  return { reuse: new RefreshTokenReuse(sessions, audit, metrics), calls };
}

const widened = () => Promise.reject(new OAuthError('invalid_scope', 'scope widened: admin'));

describe('RefreshTokenReuse.refusedUnlessStale', () => {
  it('passes checks that pass without reading the session: a valid refresh costs no extra round trip', async () => {
    const { reuse, calls } = reuseOver('other');
    await expect(reuse.refusedUnlessStale(realm, claims, undefined, () => Promise.resolve(['openid']))).resolves.toEqual(['openid']);
    expect(calls).toEqual({ lookups: 0, ends: 0, counted: 0 });
  });

  it('keeps the refusal of the current token, and changes nothing', async () => {
    const { reuse, calls } = reuseOver('presented');
    await expect(reuse.refusedUnlessStale(realm, claims, undefined, widened)).rejects.toMatchObject({ code: 'invalid_scope' });
    expect(calls).toEqual({ lookups: 1, ends: 0, counted: 0 });
  });

  it('keeps the refusal of a token whose session is over: there is nothing left to end', async () => {
    const { reuse, calls } = reuseOver(undefined);
    await expect(reuse.refusedUnlessStale(realm, claims, undefined, widened)).rejects.toMatchObject({ code: 'invalid_scope' });
    expect(calls).toEqual({ lookups: 1, ends: 0, counted: 0 });
  });

  it('refuses a rotated token of a live session as a reuse (RFC 9700 §4.14.2): the session ends, and it is counted', async () => {
    const { reuse, calls } = reuseOver('newer');
    const refusal = await reuse.refusedUnlessStale(realm, claims, '192.0.2.1', widened).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AuditedRefusal);
    expect(refusal).toMatchObject({ code: 'invalid_grant', facts: { error: 'refresh_token_reused', sessionId: 'sid-1' } });
    expect(calls).toEqual({ lookups: 1, ends: 1, counted: 1 });
  });

  it('lets an error that is no refusal (an outage) pass without reading the session', async () => {
    const { reuse, calls } = reuseOver('newer');
    const outage = new Error('database unavailable');
    await expect(reuse.refusedUnlessStale(realm, claims, undefined, () => Promise.reject(outage))).rejects.toBe(outage);
    expect(calls).toEqual({ lookups: 0, ends: 0, counted: 0 });
  });
});
