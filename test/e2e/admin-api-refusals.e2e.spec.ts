import { decodeJwt } from 'jose';
import { adminCall, adminToken } from '../support/admin-api.js';
import { adminApiServerForSuite } from '../support/admin-api-server.js';
import { ClientRegistry } from '../../src/clients/client.registry.js';
import { RealmRegistry } from '../../src/realms/realm.registry.js';
import { AccessTokenIssuer } from '../../src/tokens/access-token.issuer.js';
import { loginTokens } from '../support/login-flow.js';
import { meanwhileInSsoEnd } from '../support/sso-end-hook.js';
import { ssoSessionIdOf } from '../../src/sessions/sso-session.service.js';

/** The admin API (admin-api.e2e.spec.ts) refusing a token of another audience or without the role, and recording the refusal. */
describe('admin API: sessions and keys', () => {
  const h = adminApiServerForSuite();

  it('refuses a token issued for another audience, as RFC 9068 §4 has a resource server do', async () => {
    const realm = h.server.app.get(RealmRegistry).get('nemlogin');
    const auditor = h.server.app.get(ClientRegistry).find('nemlogin', 'auditor')!;
    // What an auditor client configured with `audience: [xis]` got before config.schema.ts refused it.
    const issue = (audience: string[]) =>
      h.server.app
        .get(AccessTokenIssuer)
        .issue({ realm, client: auditor, subject: 'auditor', userType: 'SYSTEM', scopes: [], roles: ['view-events'], audience });
    const forXis = (await issue(['xis'])).token;
    expect(await adminCall(h.server.baseUrl, 'GET', 'nemlogin/events', forXis)).toMatchObject({
      status: 401,
      body: { error: 'invalid_token' },
    });
    expect((await adminCall(h.server.baseUrl, 'GET', 'nemlogin/events', (await issue(['xis', realm.issuer])).token)).status).toBe(200);
  });

  it('records a refused call as a failed ADMIN_ACTION: 403 without the role, 404 for no such session', async () => {
    const auditor = await adminToken(h.server.baseUrl, 'nemlogin', 'auditor');
    expect((await adminCall(h.server.baseUrl, 'DELETE', 'nemlogin/sessions/someone-else', auditor)).status).toBe(403);
    expect((await adminCall(h.server.baseUrl, 'DELETE', 'nemlogin/sessions/no-such-session', await h.operator())).status).toBe(404);
    const [notFound, forbidden] = await h
      .adminEvents({ type: 'ADMIN_ACTION', max: '3' })
      .then((events) => events.filter((e) => e.error !== undefined));
    expect(forbidden).toMatchObject({
      clientId: 'auditor',
      error: 'insufficient_scope',
      details: { operation_type: 'DELETE', resource_path: 'sessions/someone-else' },
    });
    expect(notFound).toMatchObject({
      clientId: 'operator',
      error: 'not_found',
      details: { operation_type: 'DELETE', resource_path: 'sessions/no-such-session' },
    });
  });

  it('records who a person’s token speaks for when it is refused, as a user’s token never administers', async () => {
    const tokens = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const { sub, sid, aud } = decodeJwt(tokens.access_token) as { sub: string; sid: string; aud: string };
    expect(aud).toBe(h.server.app.get(RealmRegistry).get('nemlogin').issuer);
    expect((await adminCall(h.server.baseUrl, 'GET', 'nemlogin/events', tokens.access_token)).status).toBe(403);
    const [refused] = await h.adminEvents({ type: 'ADMIN_ACTION', client: 'patient-app', max: '1' });
    expect(refused).toMatchObject({
      clientId: 'patient-app',
      userId: sub,
      sessionId: sid,
      error: 'insufficient_scope',
      details: { operation_type: 'READ', resource_path: 'events' },
    });
  });

  it('records a DELETE whose session another request ended meanwhile as the 404 it answers, not as a success', async () => {
    const tokens = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const { sid } = decodeJwt(tokens.access_token) as { sid: string };
    // Between the admin's lookup of the live session and its end, a logout ends its SSO session and it.
    const spy = meanwhileInSsoEnd(h.server.app, async (tx, now) => {
      await tx.query('UPDATE sso_sessions SET ended_at = $2, end_reason = $3 WHERE id = $1', [ssoSessionIdOf(sid), now, 'logout']);
      await tx.query('UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE id = $1', [sid, now, 'logout']);
    });
    expect((await adminCall(h.server.baseUrl, 'DELETE', `nemlogin/sessions/${sid}`, await h.operator())).status).toBe(404);
    spy.mockRestore();
    const [call] = await h.adminEvents({ type: 'ADMIN_ACTION', client: 'operator', max: '1' });
    expect(call).toMatchObject({
      error: 'not_found',
      sessionId: sid,
      details: { operation_type: 'DELETE', resource_path: `sessions/${sid}` },
    });
  });

  it('refuses session actions to a client without manage-users, and changes nothing', async () => {
    const tokens = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const { sub, sid } = decodeJwt(tokens.access_token) as { sub: string; sid: string };
    const auditor = await adminToken(h.server.baseUrl, 'nemlogin', 'auditor');
    for (const [method, path] of [
      ['POST', `nemlogin/users/${sub}/logout`],
      ['DELETE', `nemlogin/sessions/${sid}`],
      ['GET', `nemlogin/users/${sub}/sessions`],
      ['POST', 'nemlogin/keys/rotate'],
    ] as const) {
      expect(await adminCall(h.server.baseUrl, method, path, auditor)).toMatchObject({
        status: 403,
        body: { error: 'insufficient_scope' },
      });
      expect((await adminCall(h.server.baseUrl, method, path)).status).toBe(401);
    }
    expect((await h.introspect(tokens.access_token)).active).toBe(true);
  });

  it('keeps no CPR or BSN an operator typed for an id in the audit trail, refused or not', async () => {
    const auditor = await adminToken(h.server.baseUrl, 'nemlogin', 'auditor');
    const calls = [
      ['GET', 'nemlogin/users/0101701234/sessions', await h.operator()],
      ['POST', 'nemlogin/users/010170-1234/logout', await h.operator()],
      ['DELETE', 'nemlogin/sessions/999911120', await h.operator()],
      ['GET', 'nemlogin/events?user=0101701234&client=010170-1234', await h.operator()],
      ['GET', 'nemlogin/users/0101701234/sessions', auditor],
    ] as const;
    for (const [method, path, token] of calls) expect((await adminCall(h.server.baseUrl, method, path, token)).status).toBeLessThan(500);

    const rows = await h.db().query(`SELECT * FROM audit_events WHERE type = 'ADMIN_ACTION'`);
    const paths = rows.rows.map((row) => (row.details as Record<string, string>).resource_path);
    expect(paths).toEqual(
      expect.arrayContaining(['users/[digits masked]/sessions', 'users/[digits masked]/logout', 'sessions/[digits masked]', 'events']),
    );
    const stored = JSON.stringify(rows.rows);
    for (const identifier of ['0101701234', '010170-1234', '999911120']) expect(stored).not.toContain(identifier);
  });

  it('keeps no BSN or CPR written with spaces, as a client sends it in a path (%20), in the trail of a refused call', async () => {
    const auditor = await adminToken(h.server.baseUrl, 'nemlogin', 'auditor');
    const operator = await h.operator();
    const calls = [
      // 403 without the role, and 400 for an id that is none: both recorded from the request's own path.
      ['GET', 'nemlogin/users/123%20456%20782/sessions', auditor, 403, 'users/[digits masked]/sessions'],
      ['GET', 'nemlogin/users/123%20456%20782/sessions', operator, 400, 'users/[digits masked]/sessions'],
      ['DELETE', 'nemlogin/sessions/01%2001%2070%201234', operator, 400, 'sessions/[digits masked]'],
      ['POST', 'nemlogin/users/010170%201234/logout', auditor, 403, 'users/[digits masked]/logout'],
    ] as const;
    for (const [method, path, token, status, resourcePath] of calls) {
      expect((await adminCall(h.server.baseUrl, method, path, token)).status).toBe(status);
      const [recorded] = await h.adminEvents({ type: 'ADMIN_ACTION', max: '2' }).then((events) => events.filter((e) => e.error));
      expect(recorded!.details.resource_path).toBe(resourcePath);
    }
    const stored = JSON.stringify((await h.db().query(`SELECT * FROM audit_events WHERE type = 'ADMIN_ACTION'`)).rows);
    for (const identifier of ['123%20456%20782', '123 456 782', '01%2001%2070%201234', '01 01 70 1234', '010170%201234']) {
      expect(stored).not.toContain(identifier);
    }
  });

  it('records a call refused as malformed after admission as a failed ADMIN_ACTION, and changes nothing', async () => {
    const operator = await h.operator();
    // The caller holds the role, so the answer says what was wrong, in fixed words.
    const calls = [
      ['DELETE', 'nemlogin/sessions/not$an$id', 'DELETE', 'sessions/not$an$id', 'malformed id'],
      ['GET', 'nemlogin/events?type=NOT_AN_EVENT', 'READ', 'events', 'events query: bad type: no such event type'],
      [
        'GET',
        'nemlogin/events?clientId=operator',
        'READ',
        'events',
        expect.stringMatching(/^events query: bad parameter: it takes only type, /),
      ],
      // Past 9999 the instant has no form PostgreSQL reads: refused here, not by the database after the call's record.
      ['GET', 'nemlogin/events?dateTo=999999999999999', 'READ', 'events', 'events query: bad dateTo: epoch milliseconds after 9999-12-31'],
      ['POST', 'nemlogin/keys/rotate?algorithm=HS256', 'ACTION', 'keys/rotate', 'realm nemlogin signs with ES256 only'],
      // A misspelt parameter would otherwise rotate the key of the realm's signingAlg, which no call undoes.
      ['POST', 'nemlogin/keys/rotate?algoritm=RS256', 'ACTION', 'keys/rotate', 'keys/rotate takes only ?algorithm='],
    ] as const;
    for (const [method, path, operation, resourcePath, description] of calls) {
      expect(await adminCall(h.server.baseUrl, method, path, operator)).toMatchObject({
        status: 400,
        body: { error: 'invalid_request', error_description: description },
      });
      const [recorded] = await h.adminEvents({ type: 'ADMIN_ACTION', max: '1' });
      expect(recorded).toMatchObject({
        clientId: 'operator',
        error: 'invalid_request',
        details: { operation_type: operation, resource_path: resourcePath },
      });
    }
    const keys = await adminCall(h.server.baseUrl, 'GET', 'nemlogin/keys', operator);
    expect(Object.keys(keys.body.active)).toEqual(['ES256']);
  });

  // A JSON admin client names the algorithm in the body; the rotation takes it from the query alone,
  // so that body was ignored and a key of the realm's signingAlg made, unasked.
  it('refuses a rotation with a body naming what it wants, and makes no key', async () => {
    const operator = await h.operator();
    const before = await adminCall(h.server.baseUrl, 'GET', 'nemlogin/keys', operator);
    const bodies = [
      ['application/json', '{"algorithm":"RS256"}'],
      ['application/x-www-form-urlencoded', 'algorithm=RS256'],
    ] as const;
    for (const [type, body] of bodies) {
      const response = await fetch(`${h.server.baseUrl}/admin/realms/nemlogin/keys/rotate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operator}`, 'content-type': type },
        body,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    }
    expect((await adminCall(h.server.baseUrl, 'GET', 'nemlogin/keys', operator)).body).toEqual(before.body);
  });

  it("takes the Keycloak admin client's `{}` JSON body and a Content-Type on a GET; refuses a JSON body over 1 KB unread", async () => {
    const operator = await h.operator();
    // @keycloak/keycloak-admin-client sends `{}` as JSON with every call that may carry a body.
    const asAdminClient = (method: string, path: string, body?: string) =>
      fetch(`${h.server.baseUrl}/admin/realms/nemlogin/${path}`, {
        method,
        headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
        body,
      });
    const first = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    const { sub, sid } = decodeJwt(first.access_token) as { sub: string; sid: string };
    expect((await asAdminClient('GET', `users/${sub}/sessions`)).status).toBe(200);
    expect((await asAdminClient('DELETE', `sessions/${sid}`, '{}')).status).toBe(204);
    expect((await h.introspect(first.access_token)).active).toBe(false);
    const second = await loginTokens(h.server.baseUrl, 'nemlogin', 'alice');
    expect((await asAdminClient('POST', `users/${sub}/logout`, '{}')).status).toBe(204);
    expect((await h.introspect(second.access_token)).active).toBe(false);

    const large = await asAdminClient('POST', 'keys/rotate', JSON.stringify({ note: 'x'.repeat(2048) }));
    expect(large.status).toBe(413);
    // JSON elsewhere is no form, refused before it is read, whatever its size.
    const token = await fetch(`${h.oidc}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([token.status, token.headers.get('accept')]).toEqual([400, 'application/x-www-form-urlencoded']);
  });
});
