import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { startEmbeddedFhirServer, type EmbeddedFhirServer } from '../../src/fhir/embedded/embedded-fhir-server.js';
import { SessionRepository } from '../../src/storage/session.repository.js';
import { sendJson } from '../support/fhir/stub-http-server.js';
import { loginTokens, refresh } from '../support/login-flow.js';
import { citizenAuthorizationUrl, mockLoginResponse } from '../support/mock-login.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const NANCY_CPR = '0101011234';

/**
 * A mocked citizen who logs in with an episode of care (DOMAIN.md, mocked users: "logs a citizen in by
 * CPR (optionally with an episode of care)"), over real HTTP against the embedded FHIR server (the demo
 * seed) behind a stub that can fail EpisodeOfCare reads. The episode is checked as the citizen's own
 * choice of one is (contexts/): it exists, is in force and names the citizen's Patient; then the tokens
 * carry it in `context` as absolute FHIR URLs (DOMAIN.md, access-token claims).
 */
describe('mocked citizen with an episode of care', () => {
  let fhir: EmbeddedFhirServer;
  let stub: ReturnType<typeof createServer>;
  let base: string;
  let server: TestServer;
  /** While true, every EpisodeOfCare request is answered 503 (an outage); the Patient search still works. */
  let episodesDown = false;

  beforeAll(async () => {
    fhir = await startEmbeddedFhirServer({ environment: 'test', seedFile: 'fixtures/fhir/demo.json' });
    stub = createServer((request, response) => {
      if (episodesDown && /\/EpisodeOfCare([/?]|$)/.test(request.url ?? ''))
        return sendJson(response, 503, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] });
      void fhir.handle(request, response);
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/fhir`;
    server = await startTestServer({
      patch: (raw) => {
        raw.realms[0].fhir = { baseUrl: base };
        raw.realms[0].mockUsers.push(
          { username: 'nancy-cardiology', kind: 'citizen', ssn: NANCY_CPR, episodeOfCare: 'demo-eoc-nancy-cardiology' },
          { username: 'nancy-as-bo', kind: 'citizen', ssn: NANCY_CPR, episodeOfCare: 'demo-eoc-bo-diabetes' },
          { username: 'nancy-nowhere', kind: 'citizen', ssn: NANCY_CPR, episodeOfCare: 'no-such-episode' },
          { username: 'stranger-cardiology', kind: 'citizen', ssn: '0909099999', episodeOfCare: 'demo-eoc-nancy-cardiology' },
        );
      },
    });
  });
  afterEach(() => (episodesDown = false));
  afterAll(async () => {
    await server?.close();
    stub?.closeAllConnections();
    await new Promise((resolve) => stub?.close(resolve));
    await fhir?.close();
  });

  const sessionCount = () => server.app.get(SessionRepository).count();

  it('logs in with the episode in the context of the access token, and keeps it on a refresh', async () => {
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'nancy-cardiology');
    const context = {
      patient_id: `${base}/Patient/demo-patient-nancy`,
      episode_of_care_id: `${base}/EpisodeOfCare/demo-eoc-nancy-cardiology`,
    };
    expect(decodeJwt(tokens.access_token)).toMatchObject({ user_type: 'PATIENT', patient: 'demo-patient-nancy', context });
    const refreshed = await refresh(server.baseUrl, 'nemlogin', tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token as string).context).toEqual(context);
  });

  it('without an episode configured, a citizen is in their patient context alone', async () => {
    const access = decodeJwt((await loginTokens(server.baseUrl, 'nemlogin', 'alice')).access_token);
    expect(access.context).toEqual({ patient_id: `${base}/Patient/demo-patient-nancy` });
  });

  it.each([
    ['another patient’s episode', 'nancy-as-bo'],
    ['an episode that does not exist', 'nancy-nowhere'],
    ['a citizen with no Patient in FHIR', 'stranger-cardiology'],
  ])('refuses %s with a readable page, and opens no session', async (_case, username) => {
    const before = await sessionCount();
    const answer = await mockLoginResponse(citizenAuthorizationUrl(server.baseUrl), username);
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await answer.text();
    expect(page).toContain('This test user’s episode of care');
    expect(page).not.toContain(NANCY_CPR);
    expect(await sessionCount()).toBe(before);
  });

  it('with the EpisodeOfCare unreadable, answers a retryable page, never tokens without the episode', async () => {
    const before = await sessionCount();
    episodesDown = true;
    const answer = await mockLoginResponse(citizenAuthorizationUrl(server.baseUrl), 'nancy-cardiology');
    expect(answer.status).toBe(503);
    const page = await answer.text();
    expect(page).toContain('Please try again in a moment');
    // The way back tells the client the login may be retried (RFC 6749 §4.1.2.1).
    expect(page).toMatch(/error=temporarily_unavailable/);
    expect(await sessionCount()).toBe(before);
    episodesDown = false;
    const tokens = await loginTokens(server.baseUrl, 'nemlogin', 'nancy-cardiology');
    expect(decodeJwt(tokens.access_token).context).toMatchObject({ episode_of_care_id: `${base}/EpisodeOfCare/demo-eoc-nancy-cardiology` });
  });
});
