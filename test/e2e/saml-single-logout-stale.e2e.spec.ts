import { refresh } from '../support/login-flow.js';
import { fillSamlQueue } from '../support/saml/full-saml-queue.js';
import { deliverToSp, STATUS, sloServerForSuite } from '../support/saml/slo-server.js';
import type { LogoutRequestOptions } from '../support/saml/test-idp-logout.js';
import { SamlWorkers } from '../../src/saml/saml-workers.js';

/**
 * A genuine IdP LogoutRequest (its signature verifies) that is stale or replayed ends nothing, and
 * is answered with a signed LogoutResponse saying so — top-level Requester, second-level
 * RequestDenied (SAML Core §3.2.2.2) — rather than with an error page: the browser carries the IdP's
 * logout from SP to SP (SAML Profiles §4.4.3.3–4), and an error page here stopped it for every SP
 * after this one. Answered once per message ID, and only while the logout lane has room: a captured
 * message replayed does not buy a signing each time. A message for another SP or from another
 * issuer is never answered (saml-single-logout-refusals.e2e.spec.ts).
 */
describe('IdP-initiated SAML single logout: a stale or replayed LogoutRequest', () => {
  const h = sloServerForSuite();
  const now = () => new Date();
  const ago = (seconds: number) => new Date(now().getTime() - seconds * 1000);

  /** The last 'SAML logout message refused' log line. */
  const lastRefusal = () => JSON.parse(h.server.logs.filter((line) => line.includes('SAML logout message refused')).at(-1)!);

  it.each([
    ['expired (NotOnOrAfter), by HTTP-Redirect', 'expired (NotOnOrAfter)', { binding: 'redirect', now: ago(200), notOnOrAfter: 60 }],
    ['issued too long ago, by HTTP-POST', 'too old', { binding: 'post', now: ago(3600), notOnOrAfter: 7200 }],
    ['issued in the future, by HTTP-Redirect', 'issued in the future', { binding: 'redirect', now: ago(-600) }],
  ] as const)('%s: ends nothing, answered Requester/RequestDenied once', async (_name, reason, options) => {
    const { tokens, nameId, browser } = await h.login();
    const { message, response } = await h.sendLogoutRequest(browser, { nameId, ...(options as Omit<LogoutRequestOptions, 'nameId'>) });
    expect(await h.idp.logout.parseResponse(await h.replyOf(response))).toEqual({
      inResponseTo: message.id,
      destination: h.idp.sloUrl,
      issuer: h.issuer,
      status: `${STATUS}Requester`,
      subStatus: `${STATUS}RequestDenied`,
      relayState: 'idp-relay-state',
    });
    expect(lastRefusal()).toMatchObject({ answered: true });
    expect(lastRefusal().reason).toContain(reason);
    expect(await h.introspect(tokens.access_token)).toBe(true);

    // The same message again: no second signing, the error page.
    const again = await deliverToSp(browser, message, options.binding);
    expect([again.status, again.headers.get('location')]).toEqual([400, null]);
    expect(lastRefusal()).toMatchObject({ answered: false });
    expect((await refresh(h.server.baseUrl, 'nemlogin', tokens.refresh_token as string)).status).toBe(200);
  });

  it('replayed: the first is answered Success, the replay Requester/RequestDenied, and it ends nothing the person opened since', async () => {
    const { nameId, browser } = await h.login();
    const { message, response } = await h.sendLogoutRequest(browser, { binding: 'post', nameId });
    expect((await h.idp.logout.parseResponse(await h.replyOf(response))).status).toBe(`${STATUS}Success`);
    const since = await h.login();
    const replay = await deliverToSp(since.browser, message, 'post');
    const answer = await h.idp.logout.parseResponse(await h.replyOf(replay));
    expect([answer.inResponseTo, answer.status, answer.subStatus]).toEqual([message.id, `${STATUS}Requester`, `${STATUS}RequestDenied`]);
    expect(lastRefusal()).toMatchObject({ answered: true });
    expect(lastRefusal().reason).toContain('replay');
    expect(await h.introspect(since.tokens.access_token)).toBe(true);
  });

  it('the test IdP verifies such an answer: a tampered one, in either binding, is refused', async () => {
    const stale = { now: ago(3600), notOnOrAfter: 7200 };
    const posted = await h.login();
    const form = await h.replyOf(
      (await h.sendLogoutRequest(posted.browser, { binding: 'post', nameId: posted.nameId, ...stale })).response,
    );
    const xml = Buffer.from((form as { form: Record<string, string> }).form.SAMLResponse, 'base64').toString('utf8');
    const tampered = Buffer.from(xml.replace('RequestDenied', 'UnknownPrincipal'), 'utf8').toString('base64');
    await expect(
      h.idp.logout.parseResponse({ form: { ...(form as { form: Record<string, string> }).form, SAMLResponse: tampered } }),
    ).rejects.toThrow();
    const redirected = await h.login();
    const { location } = (await h.replyOf(
      (await h.sendLogoutRequest(redirected.browser, { binding: 'redirect', nameId: redirected.nameId, ...stale })).response,
    )) as { location: string };
    await expect(
      h.idp.logout.parseResponse({ location: location.replace('RelayState=idp-relay-state', 'RelayState=other') }),
    ).rejects.toThrow();
    await expect(h.idp.logout.parseResponse({ location })).resolves.toMatchObject({ status: `${STATUS}Requester` });
  });

  it.each([
    ['to another Destination', { binding: 'post', destination: 'https://other-sp.test/slo' }, 'Destination is not'],
    ['from another Issuer', { binding: 'redirect', issuer: 'https://idp.test/impostor' }, 'Issuer is not'],
  ] as const)('stale and %s: not answered, the error page', async (_name, options, reason) => {
    const { tokens, nameId, browser } = await h.login();
    const { response } = await h.sendLogoutRequest(browser, { nameId, now: ago(3600), notOnOrAfter: 7200, ...options });
    expect([response.status, response.headers.get('location')]).toEqual([400, null]);
    expect(lastRefusal().reason).toContain(reason);
    expect(lastRefusal().answered).toBeUndefined();
    expect(await h.introspect(tokens.access_token)).toBe(true);
  });

  it('is not answered when the logout lane is full: its signing is shed, where a fresh request’s answer is owed', async () => {
    const workers = h.server.app.get(SamlWorkers);
    const verifyLogout = workers.verifyLogout;
    const released: (() => void)[] = [];
    // The lane fills right after each verification, as a flood arriving meanwhile would fill it.
    workers.verifyLogout = async (task) => {
      const verified = await verifyLogout.call(workers, task);
      released.push(fillSamlQueue(workers, 'logout'));
      return verified;
    };
    try {
      const stale = await h.login();
      const { response } = await h.sendLogoutRequest(stale.browser, {
        binding: 'redirect',
        nameId: stale.nameId,
        now: ago(3600),
        notOnOrAfter: 7200,
      });
      expect([response.status, response.headers.get('location')]).toEqual([400, null]);
      expect(lastRefusal()).toMatchObject({ answered: false });
      released.splice(0).forEach((release) => release());

      const fresh = await h.login();
      const answered = await h.sendLogoutRequest(fresh.browser, { binding: 'redirect', nameId: fresh.nameId });
      expect((await h.idp.logout.parseResponse(await h.replyOf(answered.response))).status).toBe(`${STATUS}Success`);
    } finally {
      workers.verifyLogout = verifyLogout;
      released.forEach((release) => release());
    }
  });
});
