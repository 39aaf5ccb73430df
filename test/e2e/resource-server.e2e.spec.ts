import { Controller, Get, Module, Req, UseGuards, type ExecutionContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { OrganisationAgbGuard } from '../../src/tenancy/organisation-agb.guard.js';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import {
  createAccessVerifier,
  KeySetUnavailableError,
  ResourceAccessError,
  type VerifiedAccess,
} from '../../src/tenancy/resource-server.js';
import { freePort } from '../support/free-port.js';
import { rawExchange } from '../support/raw-exchange.js';
import { TEST_SECRETS, TEST_TENANTS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

/** The exported verifier and guard, as an XIS built on this project would use them. */
describe('resource-server verification of access token and organisation_agb', () => {
  let server: TestServer;
  let issuer: string;
  let xis: NestFastifyApplication;
  let xisUrl: string;

  const tokenFor = async (tenant: string) =>
    (
      await postForm(`${issuer}/protocol/openid-connect/token`, 'grant_type=client_credentials&scope=xis', {
        authorization: basic('portal', TEST_SECRETS.portal),
        organisation_agb: tenant,
      })
    ).body.access_token as string;

  beforeAll(async () => {
    server = await startTestServer();
    issuer = `${server.baseUrl}/realms/nemlogin`;

    @Controller('fhir')
    class PatientController {
      @Get('Patient')
      @UseGuards(new OrganisationAgbGuard({ issuer, audience: 'xis' }))
      list(@Req() request: { access: VerifiedAccess }) {
        return { tenant: request.access.tenant, client: request.access.claims.client_id };
      }
    }
    @Module({ controllers: [PatientController] })
    class XisModule {}
    xis = await NestFactory.create<NestFastifyApplication>(XisModule, new FastifyAdapter(), { logger: false });
    const port = await freePort();
    await xis.listen({ port, host: '127.0.0.1' });
    xisUrl = `http://127.0.0.1:${port}/fhir/Patient`;
  });
  afterAll(async () => {
    await xis?.close();
    await server.close();
  });

  it('lets a request in whose header names the token’s tenant', async () => {
    const response = await fetch(xisUrl, {
      headers: {
        authorization: `Bearer ${await tokenFor(TEST_TENANTS.allowed)}`,
        organisation_agb: `http://fhir.nl/fhir/NamingSystem/agb-z|${TEST_TENANTS.allowed}`,
      },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ tenant: TEST_TENANTS.allowed, client: 'portal' });
  });

  it('refuses another tenant (403), a missing or malformed header (400), and a missing or foreign token (401)', async () => {
    const token = await tokenFor(TEST_TENANTS.allowed);
    const status = async (headers: Record<string, string>) => (await fetch(xisUrl, { headers })).status;
    expect(await status({ authorization: `Bearer ${token}`, organisation_agb: TEST_TENANTS.other })).toBe(403);
    expect(await status({ authorization: `Bearer ${token}` })).toBe(400);
    expect(await status({ authorization: `Bearer ${token}`, organisation_agb: 'x' })).toBe(400);
    expect(await status({ organisation_agb: TEST_TENANTS.allowed })).toBe(401);
    const systemToken = (
      await postForm(`${issuer}/protocol/openid-connect/token`, 'grant_type=client_credentials', {
        authorization: basic('system', TEST_SECRETS.system),
      })
    ).body.access_token as string;
    expect(await status({ authorization: `Bearer ${systemToken}`, organisation_agb: TEST_TENANTS.allowed })).toBe(401);
  });

  it('the guard challenges as RFC 6750 §3 asks: its realm always, no error code without credentials (§3.1), the error with them', async () => {
    const token = await tokenFor(TEST_TENANTS.allowed);
    const challenge = async (headers: Record<string, string>) => (await fetch(xisUrl, { headers })).headers.get('www-authenticate');
    expect(await challenge({ organisation_agb: TEST_TENANTS.allowed })).toBe('Bearer realm="xis"');
    expect(await challenge({ authorization: `Bearer ${token}x`, organisation_agb: TEST_TENANTS.allowed })).toBe(
      'Bearer realm="xis", error="invalid_token"',
    );
    expect(await challenge({ authorization: `Bearer ${token}`, organisation_agb: TEST_TENANTS.other })).toBe(
      'Bearer realm="xis", error="insufficient_scope"',
    );
    expect(await challenge({ authorization: `Bearer ${token}` })).toBe('Bearer realm="xis", error="invalid_request"');
  });

  it('refuses an Authorization header sent twice, which node shows as its first while a proxy may read the last', async () => {
    const [mine, other] = [await tokenFor(TEST_TENANTS.allowed), await tokenFor(TEST_TENANTS.other)];
    const twice = await rawExchange(
      Number(new URL(xisUrl).port),
      `GET /fhir/Patient HTTP/1.1\r\nHost: x\r\nConnection: close\r\norganisation_agb: ${TEST_TENANTS.allowed}\r\n` +
        `Authorization: Bearer ${mine}\r\nauthorization: Bearer ${other}\r\n\r\n`,
    );
    expect(twice.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(twice.head).toMatch(/\r\nwww-authenticate: Bearer realm="xis", error="invalid_request"\r\n/i);
    const verify = createAccessVerifier({ issuer, audience: 'xis' });
    const headers = { authorization: `Bearer ${mine}`, organisation_agb: TEST_TENANTS.allowed };
    const raw = ['Authorization', `Bearer ${mine}`, 'Authorization', `Bearer ${other}`, 'organisation_agb', TEST_TENANTS.allowed];
    await expect(verify(headers, raw)).rejects.toMatchObject({ status: 400, error: 'invalid_request' });
    await expect(verify(headers, raw.slice(2))).resolves.toMatchObject({ tenant: TEST_TENANTS.allowed });
  });

  it('works as the README shows it: `await verify(request.headers, request.rawHeaders)` in a plain node:http handler', async () => {
    const verify = createAccessVerifier({ issuer, audience: 'xis' });
    const handler = createServer(async (request, response) => {
      try {
        const { claims, tenant } = await verify(request.headers, request.rawHeaders);
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tenant, sub: claims.sub }));
      } catch (error) {
        if (!(error instanceof ResourceAccessError)) throw error;
        response.writeHead(error.status, { 'www-authenticate': `Bearer error="${error.error}"` }).end();
      }
    });
    await new Promise<void>((resolve) => handler.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(handler.address() as { port: number }).port}/Patient`;
      const token = await tokenFor(TEST_TENANTS.allowed);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${token}`, organisation_agb: TEST_TENANTS.allowed } });
      expect([ok.status, await ok.json()]).toEqual([200, { tenant: TEST_TENANTS.allowed, sub: expect.any(String) }]);
      const other = await fetch(url, { headers: { authorization: `Bearer ${token}`, organisation_agb: TEST_TENANTS.other } });
      expect([other.status, other.headers.get('www-authenticate')]).toEqual([403, 'Bearer error="insufficient_scope"']);
    } finally {
      await new Promise((resolve) => handler.close(resolve));
    }
  });

  it('without requireTenant and without the header, a tenant-bound token still reports its tenant', async () => {
    const verify = createAccessVerifier({ issuer, audience: 'xis', requireTenant: false });
    const access = await verify({ authorization: `Bearer ${await tokenFor(TEST_TENANTS.allowed)}` });
    // A server that scopes its data by `tenant` must not take a token of one organisation for none.
    expect(access.tenant).toBe(TEST_TENANTS.allowed);
  });

  // The service's own rule (tokens/token-errors.ts): an outage is never "your token is dead", which would
  // make a client throw its tokens away (keycloak-js and fhirclient refresh or log in again on a 401).
  it('a JWKS it cannot read (unreachable, or not answering 200) is not the token’s fault: no invalid_token', async () => {
    const token = await tokenFor(TEST_TENANTS.allowed);
    const headers = { authorization: `Bearer ${token}`, organisation_agb: TEST_TENANTS.allowed };
    const unreachable = createAccessVerifier({ issuer, audience: 'xis', jwksUri: `http://127.0.0.1:${await freePort()}/certs` });
    const failing = createServer((_request, response) => response.writeHead(503).end('down'));
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = failing.address() as { port: number };
      const answering503 = createAccessVerifier({ issuer, audience: 'xis', jwksUri: `http://127.0.0.1:${port}/certs` });
      for (const verify of [unreachable, answering503]) {
        const outcome = await verify(headers).then(
          () => 'accepted',
          (error: unknown) => error,
        );
        expect(outcome).toBeInstanceOf(KeySetUnavailableError);
      }
    } finally {
      await new Promise((resolve) => failing.close(resolve));
    }
    // The guard answers it with a 503, for the client to retry with the same token.
    const guard = new OrganisationAgbGuard({ issuer, audience: 'xis', jwksUri: `http://127.0.0.1:${await freePort()}/certs` });
    const context = { switchToHttp: () => ({ getRequest: () => ({ headers }), getResponse: () => ({ header: () => undefined }) }) };
    await expect(guard.canActivate(context as unknown as ExecutionContext)).rejects.toMatchObject({ status: 503 });
    // The same token against the realm's JWKS passes: it was never the token.
    await expect(createAccessVerifier({ issuer, audience: 'xis' })(headers)).resolves.toMatchObject({ tenant: TEST_TENANTS.allowed });
  });

  it('refuses a token without a claim RFC 9068 §2.2 requires, though its signature is good', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' }] };
    const keyServer = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
    );
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = keyServer.address() as { port: number };
      const verify = createAccessVerifier({ issuer, audience: 'xis', requireTenant: false, jwksUri: `http://127.0.0.1:${port}/certs` });
      const now = Math.floor(Date.now() / 1000);
      const complete: Record<string, unknown> = {
        iss: issuer,
        aud: 'xis',
        sub: 's',
        client_id: 'portal',
        jti: 'j',
        iat: now,
        exp: now + 300,
      };
      const signed = (claims: Record<string, unknown>) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k', typ: 'at+jwt' }).sign(privateKey);
      const bearer = async (claims: Record<string, unknown>) => ({ authorization: `Bearer ${await signed(claims)}` });
      await expect(verify(await bearer(complete))).resolves.toMatchObject({ claims: { sub: 's' } });
      for (const claim of ['exp', 'iat', 'sub', 'client_id', 'jti']) {
        const { [claim]: _dropped, ...without } = complete;
        await expect(verify(await bearer(without))).rejects.toMatchObject({ status: 401, error: 'invalid_token' });
      }
    } finally {
      await new Promise((resolve) => keyServer.close(resolve));
    }
  });

  it('the verifier alone refuses an ID token presented as an access token', async () => {
    const verify = createAccessVerifier({ issuer, audience: 'xis', requireTenant: false });
    const forged = (await tokenFor(TEST_TENANTS.allowed)).split('.');
    const header = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(forged[0]!, 'base64url').toString()), typ: 'JWT' })).toString(
      'base64url',
    );
    await expect(verify({ authorization: `Bearer ${header}.${forged[1]}.${forged[2]}` })).rejects.toMatchObject({ status: 401 });
  });
});
