import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { CALLBACK, codeFlowServerForSuite } from '../support/code-flow-server.js';
import { loginAsMockUser } from '../support/mock-login.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { postForm } from '../support/token-requests.js';
import { expectOAuthError } from '../support/oauth-error.js';

/** The authorization code flow (authorization-code.e2e.spec.ts): the token request redeeming a code, and the codes it refuses. */
describe('authorization code flow (mocked users)', () => {
  const h = codeFlowServerForSuite();

  describe('the token request', () => {
    const codeFor = async () => {
      const flow = await h.authorize();
      return { ...flow, code: (await loginAsMockUser(flow.url, 'alice')).searchParams.get('code')! };
    };
    const redeem = (code: string, verifier: string | undefined, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
      postForm(
        `${h.issuer}/protocol/openid-connect/token`,
        new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: CALLBACK,
          client_id: 'patient-app',
          ...(verifier ? { code_verifier: verifier } : {}),
          ...extra,
        }),
        headers,
      );

    it('refuses a missing or wrong PKCE verifier with invalid_grant', async () => {
      const first = await codeFor();
      expectOAuthError(await redeem(first.code, undefined), 400, 'invalid_grant');
      const second = await codeFor();
      expectOAuthError(await redeem(second.code, oidc.randomPKCECodeVerifier()), 400, 'invalid_grant');
    });

    it('refuses a reused code, and the reuse ends the session the first use opened', async () => {
      const { code, verifier } = await codeFor();
      const first = await redeem(code, verifier);
      expect(first.status).toBe(200);
      const sid = decodeJwt(first.body.access_token as string).sid as string;
      expect((await h.server.app.get(SessionRepository).find(sid))!.ended_at).toBeNull();

      const second = await redeem(code, verifier);
      expect(second.status).toBe(400);
      expectOAuthError(second, 400, 'invalid_grant');
      expect((await h.server.app.get(SessionRepository).find(sid))!.end_reason).toBe('code replayed');
    });

    it('lets exactly one of concurrent redemptions of one code win', async () => {
      const { code, verifier } = await codeFor();
      const statuses = (await Promise.all(Array.from({ length: 10 }, () => redeem(code, verifier)))).map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(400)]);
    });

    it('refuses a code from another client', async () => {
      const { code, verifier } = await codeFor();
      const response = await postForm(
        `${h.issuer}/protocol/openid-connect/token`,
        new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: CALLBACK,
          code_verifier: verifier,
          client_id: 'web',
          client_secret: TEST_SECRETS.web,
        }),
      );
      expectOAuthError(response, 400, 'invalid_grant');
    });

    it('refuses another redirect_uri than the authorization request’s', async () => {
      const { code, verifier } = await codeFor();
      expectOAuthError(await redeem(code, verifier, { redirect_uri: 'https://app.example/cb?tab=1' }), 400, 'invalid_grant');
    });

    it('refuses an organisation_agb header, as the refresh grant does: a login acts for no tenant; the code stays good', async () => {
      const { code, verifier } = await codeFor();
      expectOAuthError(await redeem(code, verifier, {}, { organisation_agb: TEST_TENANTS.allowed }), 400, 'unauthorized_client');
      expectOAuthError(await redeem(code, verifier, {}, { organisation_agb: 'not-agb' }), 400, 'invalid_request');
      const redeemed = await redeem(code, verifier);
      expect(redeemed.status).toBe(200);
      expect(decodeJwt(redeemed.body.access_token as string)).not.toHaveProperty('organisation_agb');
    });

    it('refuses an unknown code', async () => {
      expectOAuthError(await redeem('made-up-code', oidc.randomPKCECodeVerifier()), 400, 'invalid_grant');
    });
  });
});
