import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { freePort } from '../support/free-port.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { postForm, type RawResponse } from '../support/token-requests.js';
import { EXCHANGE, JWT, PORTAL_HEADERS } from '../support/token-exchange-server.js';

const PARTNER = 'https://idp.partner.example';

/**
 * A trusted partner whose JWKS cannot be read (unreachable, or not answering 200 with a key set) has
 * said nothing about the subject token: the exchange is a retryable 503, not `invalid_request`
 * (RFC 8693 §2.2.2 is for a token that is invalid), which would make the portal send its patient to
 * log in again over an outage. tokens/token-errors.ts states the rule; resource-server.ts keeps it too.
 */
describe('token exchange while a trusted issuer’s key set cannot be read', () => {
  let service: TestServer;
  let partner: Server;
  let answer: 'refuse' | 'keys' = 'refuse';
  let jwksPort: number;
  let token: () => Promise<string>;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'partner-1', alg: 'ES256' };
    jwksPort = await freePort();
    partner = createServer((_request, response) => {
      if (answer === 'refuse') response.writeHead(500).end('down for maintenance');
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => partner.listen(jwksPort, '127.0.0.1', resolve));
    // Nothing listens on this one: the connection is refused.
    const nobody = await freePort();
    service = await startTestServer({
      patch: (raw) => {
        raw.realms[0].trustedIssuers = [
          { issuer: PARTNER, jwksUri: `http://127.0.0.1:${jwksPort}/jwks`, algorithms: ['ES256'] },
          { issuer: 'https://gone.partner.example', jwksUri: `http://127.0.0.1:${nobody}/jwks`, algorithms: ['ES256'] },
        ];
      },
    });
    token = () =>
      new SignJWT({ user_type: 'PATIENT' })
        .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
        .setIssuer(PARTNER)
        .setSubject('partner-user-7')
        .setAudience(`${service.baseUrl}/realms/nemlogin`)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(pair.privateKey);
  });
  afterAll(async () => {
    await service?.close();
    await new Promise((resolve) => partner?.close(resolve));
  });

  const exchange = (subjectToken: string): Promise<RawResponse> =>
    postForm(
      `${service.baseUrl}/realms/nemlogin/protocol/openid-connect/token`,
      new URLSearchParams({ grant_type: EXCHANGE, subject_token: subjectToken, subject_token_type: JWT, audience: 'xis' }),
      PORTAL_HEADERS,
    );
  const expectUnavailable = (response: RawResponse) => {
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
  };

  it('answers 503 while the key set answers 500, and exchanges the same token once it answers', async () => {
    const subject = await token();
    answer = 'refuse';
    expectUnavailable(await exchange(subject));
    answer = 'keys';
    // The key set is asked again at most every 5 s after a failure (protocol/issuer-key-set.ts): meanwhile
    // still 503, never a refusal of the token.
    let response = await exchange(subject);
    for (const deadline = Date.now() + 20_000; response.status === 503 && Date.now() < deadline; response = await exchange(subject)) {
      expectUnavailable(response);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(response.status).toBe(200);
  }, 30_000);

  it('answers 503 when the key set’s host refuses the connection', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const subject = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k' })
      .setIssuer('https://gone.partner.example')
      .setSubject('partner-user-8')
      .setAudience(`${service.baseUrl}/realms/nemlogin`)
      .setExpirationTime('5m')
      .sign(privateKey);
    expectUnavailable(await exchange(subject));
  });

  it('still refuses, as invalid_request, a token the key set it could read does not verify', async () => {
    answer = 'keys';
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .setIssuer(PARTNER)
      .setSubject('partner-user-7')
      .setAudience(`${service.baseUrl}/realms/nemlogin`)
      .setExpirationTime('5m')
      .sign(privateKey);
    const response = await exchange(forged);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });
});
