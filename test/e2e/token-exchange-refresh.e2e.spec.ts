import { decodeJwt } from 'jose';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { basic, postForm } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';
import { expectRefused, PORTAL_HEADERS, exchangeServerForSuite, exchangeUnderPolicy } from '../support/token-exchange-server.js';

/** RFC 8693 token exchange (token-exchange.e2e.spec.ts) issuing a refresh token to the portal, in the patient's session. */
describe('token exchange and tenancy', () => {
  const h = exchangeServerForSuite();

  describe('a refresh token for the portal (policy allows it)', () => {
    const REFRESH = 'urn:ietf:params:oauth:token-type:refresh_token';

    it('lives in the patient’s session: the portal refreshes into act-bearing XIS tokens until the patient logs out', async () => {
      const patient = await h.patientLogin();
      const issued = await h.exchange(patient.access_token, { requested_token_type: REFRESH, scope: 'patient/*.read' });
      expect(issued.status).toBe(200);
      expect(issued.body).toMatchObject({ issued_token_type: REFRESH, token_type: 'N_A', scope: 'patient/*.read' });

      const portalRefresh = (token: string) =>
        postForm(`${h.issuer}/protocol/openid-connect/token`, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }), {
          authorization: PORTAL_HEADERS.authorization,
          organisation_agb: PORTAL_HEADERS.organisation_agb,
        });
      // A confidential client's refresh token still needs the client's credentials (RFC 6749 §6): the
      // token names its client, but only a public client may refresh on that alone.
      const anonymous = await postForm(
        `${h.issuer}/protocol/openid-connect/token`,
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token: issued.body.access_token as string }),
        { organisation_agb: PORTAL_HEADERS.organisation_agb },
      );
      expectOAuthError(anonymous, 401, 'invalid_client');
      const refreshed = await portalRefresh(issued.body.access_token as string);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).not.toHaveProperty('id_token');
      const claims = decodeJwt(refreshed.body.access_token as string);
      expect(claims).toMatchObject({
        sub: decodeJwt(patient.access_token).sub,
        aud: 'xis',
        client_id: 'portal',
        azp: 'portal',
        typ: 'Bearer',
        act: { sub: 'portal' },
        organisation_agb: TEST_TENANTS.allowed,
      });

      await fetch(`${h.issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: patient.id_token })}`);
      expectOAuthError(await portalRefresh(refreshed.body.refresh_token as string), 400, 'invalid_grant');
    });

    /** The access and refresh token of a delegated session of the portal's, after its first refresh. */
    const delegatedTokens = async () => {
      const issued = await h.exchange((await h.patientLogin()).access_token, { requested_token_type: REFRESH });
      const refreshed = await postForm(
        `${h.issuer}/protocol/openid-connect/token`,
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token: issued.body.access_token as string }),
        PORTAL_HEADERS,
      );
      expect(refreshed.status).toBe(200);
      return { access: refreshed.body.access_token as string, refresh: refreshed.body.refresh_token as string };
    };
    const introspect = (token: string, headers: Record<string, string>) =>
      postForm(`${h.issuer}/protocol/openid-connect/token/introspect`, new URLSearchParams({ token }), headers);

    // A refresh token's tenant is its session's (which it names, as its access tokens do).
    it('is introspected under its session’s tenant, as its access tokens are: the header naming it sees both (RFC 7662 §4)', async () => {
      const { access, refresh } = await delegatedTokens();
      const sid = decodeJwt(access).sid;
      const asPortal = (agb: string) => ({ authorization: PORTAL_HEADERS.authorization, organisation_agb: agb });
      for (const token of [access, refresh]) {
        expect((await introspect(token, asPortal(TEST_TENANTS.allowed))).body).toMatchObject({ active: true, sid });
        // Also one of the portal's tenants, but not the one the session acts for.
        expect((await introspect(token, asPortal(TEST_TENANTS.other))).body).toEqual({ active: false });
      }
    });

    it('is inactive, as its access tokens are, to a client bound to another tenant (RFC 7662 §4)', async () => {
      const { access, refresh } = await delegatedTokens();
      const asClinicB = { authorization: basic('clinic-b', TEST_SECRETS.web) };
      expect((await introspect(access, asClinicB)).body).toEqual({ active: false });
      expect((await introspect(refresh, asClinicB)).body).toEqual({ active: false });
    });

    it('ends, with its LOGOUT and back-channel logout, when the patient’s app revokes the session it was delegated from', async () => {
      const patient = await h.patientLogin();
      const issued = await h.exchange(patient.access_token, { requested_token_type: REFRESH });
      expect(issued.status).toBe(200);
      const parentSid = decodeJwt(patient.access_token).sid as string;
      const db = h.server.app.get<Database>(DATABASE);
      const [child] = (await db.query<{ id: string }>('SELECT id FROM sessions WHERE parent_id = $1', [parentSid])).rows;

      const revoked = await postForm(
        `${h.issuer}/protocol/openid-connect/revoke`,
        new URLSearchParams({ token: patient.refresh_token, client_id: 'patient-app' }),
      );
      expect(revoked.status).toBe(200);
      const { rows } = await db.query<{ session_id: string; client_id: string }>(
        "SELECT session_id, client_id FROM audit_events WHERE type = 'LOGOUT' AND session_id = ANY($1)",
        [[parentSid, child!.id]],
      );
      // Ordered here, not by the database, whose collation need not be JavaScript's.
      const bySession = (a: { session_id: string }, b: { session_id: string }) => a.session_id.localeCompare(b.session_id);
      expect(rows.sort(bySession)).toEqual(
        [
          { session_id: parentSid, client_id: 'patient-app' },
          { session_id: child!.id, client_id: 'portal' },
        ].sort(bySession),
      );
      const queued = await db.query('SELECT 1 FROM backchannel_logouts WHERE session_id = $1', [child!.id]);
      expect(queued.rows).toHaveLength(1);
    });

    it('gets no LOGOUT nor back-channel logout when it had already run out as the session it was delegated from is revoked', async () => {
      const patient = await h.patientLogin();
      expect((await h.exchange(patient.access_token, { requested_token_type: REFRESH })).status).toBe(200);
      const parentSid = decodeJwt(patient.access_token).sid as string;
      const db = h.server.app.get<Database>(DATABASE);
      const [child] = (await db.query<{ id: string }>('SELECT id FROM sessions WHERE parent_id = $1', [parentSid])).rows;
      // Its idle end passed: it ran out, which is no event (migration 013).
      await db.query('UPDATE sessions SET idle_expires_at = created_at WHERE id = $1', [child!.id]);

      const revoked = await postForm(
        `${h.issuer}/protocol/openid-connect/revoke`,
        new URLSearchParams({ token: patient.refresh_token, client_id: 'patient-app' }),
      );
      expect(revoked.status).toBe(200);
      const { rows } = await db.query<{ session_id: string }>(
        "SELECT session_id FROM audit_events WHERE type = 'LOGOUT' AND session_id = ANY($1)",
        [[parentSid, child!.id]],
      );
      expect(rows).toEqual([{ session_id: parentSid }]);
      expect((await db.query('SELECT 1 FROM backchannel_logouts WHERE session_id = $1', [child!.id])).rows).toHaveLength(0);
    });

    it('never outlives the session it was delegated from, and keeps no browser login alive by refreshing', async () => {
      const patient = await h.patientLogin();
      const parentSid = decodeJwt(patient.access_token).sid as string;
      const db = h.server.app.get<Database>(DATABASE);
      const parentEnd = async () => {
        const [row] = (
          await db.query<{ idle: Date; max: Date }>('SELECT idle_expires_at AS idle, max_expires_at AS max FROM sessions WHERE id = $1', [
            parentSid,
          ])
        ).rows;
        return Math.min(row!.idle.getTime(), row!.max.getTime()) / 1000;
      };
      const ssoIdleEnd = async () =>
        (
          await db.query<{ idle: Date }>(
            'SELECT u.idle_expires_at AS idle FROM sso_sessions u JOIN sessions s ON s.sso_session_id = u.id WHERE s.id = $1',
            [parentSid],
          )
        ).rows[0]!.idle.getTime();

      // 200 s after the login, within the access token's 300 s, the portal exchanges it.
      h.clock.advance(200);
      const issued = await h.exchange(patient.access_token, { requested_token_type: REFRESH });
      expect(issued.status).toBe(200);
      const [child] = (await db.query<{ idle: Date }>('SELECT idle_expires_at AS idle FROM sessions WHERE parent_id = $1', [parentSid]))
        .rows;
      expect(child!.idle.getTime() / 1000).toBeLessThanOrEqual(await parentEnd());
      // 1,700 s after the login, the patient's app idle all along: 100 s of the realm's 1,800 s idle time are
      // left. The portal refreshes on the patient's behalf; it has 1,800 s of idle time of its own, but the
      // patient's session ends first, and the portal is told so.
      h.clock.advance(1_500);
      const ssoBefore = await ssoIdleEnd();
      const refreshed = await postForm(
        `${h.issuer}/protocol/openid-connect/token`,
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token: issued.body.access_token as string }),
        PORTAL_HEADERS,
      );
      expect(refreshed.status).toBe(200);
      const now = h.clock.now().getTime() / 1000;
      const end = await parentEnd();
      expect(end).toBeGreaterThan(now);
      expect(decodeJwt(refreshed.body.access_token as string).exp).toBeLessThanOrEqual(end);
      expect(now + (refreshed.body.refresh_expires_in as number)).toBeLessThanOrEqual(end);
      expect(decodeJwt(refreshed.body.refresh_token as string).exp).toBeLessThanOrEqual(end);
      expect(await ssoIdleEnd()).toBe(ssoBefore);

      // The patient does nothing more: both sessions end together.
      h.clock.advance(end - now + 1);
      expectOAuthError(
        await postForm(
          `${h.issuer}/protocol/openid-connect/token`,
          new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token as string }),
          PORTAL_HEADERS,
        ),
        400,
        'invalid_grant',
      );
    });

    it('cannot be chained: a delegated session does not delegate again', async () => {
      const patient = await h.patientLogin();
      const child = await h.exchange(patient.access_token, { requested_token_type: REFRESH });
      const childAccess = await postForm(
        `${h.issuer}/protocol/openid-connect/token`,
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token: child.body.access_token as string }),
        PORTAL_HEADERS,
      );
      expect(childAccess.status).toBe(200);
      expectRefused(await h.exchange(childAccess.body.access_token as string, { requested_token_type: REFRESH }), 'invalid_request');
    });

    it('keeps the context it was exchanged with: the portal’s refresh cannot choose another (RFC 8693: the subject’s, narrowed only)', async () => {
      const patient = await h.patientLogin();
      const child = await h.exchange(patient.access_token, { requested_token_type: REFRESH });
      const portalRefresh = (token: string, choice: Record<string, string> = {}) =>
        postForm(
          `${h.issuer}/protocol/openid-connect/token`,
          new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, ...choice }),
          PORTAL_HEADERS,
        );
      // The patient's own episode, which the patient could choose in their own session.
      const chosen = await portalRefresh(child.body.access_token as string, { episode_of_care_id: 'demo-eoc-nancy-copd' });
      expectOAuthError(chosen, 400, 'invalid_request', { description: 'The requested context is not available to this user.' });
      const plain = await portalRefresh(child.body.access_token as string);
      expect(plain.status).toBe(200);
      expect(decodeJwt(plain.body.access_token as string).context).toEqual(decodeJwt(patient.access_token).context);
      // Nor does the listing offer the delegated session's bearer anything to choose: only what it is in.
      const listed = await fetch(`${h.issuer}/contexts`, { headers: { authorization: `Bearer ${plain.body.access_token as string}` } });
      expect(listed.status).toBe(200);
      const body = (await listed.json()) as Record<string, unknown>;
      const { context } = decodeJwt(patient.access_token) as { context: { patient_id: string } };
      expect(body).toEqual({ user_type: 'PATIENT', current: context, patient_id: context.patient_id, episodes_of_care: [] });
    });

    it('is refused to a client whose policy does not allow it', async () =>
      expectRefused(await exchangeUnderPolicy({ audiences: ['xis'] }, { requested_token_type: REFRESH }), 'invalid_request'));
  });
});
