import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * `/openapi.json`, generated from the controllers by @nestjs/swagger, as an integrator or a client
 * generator reads it: a valid OpenAPI 3 document (checked against the specification's JSON schema)
 * that lists the public endpoints with their form bodies.
 */
describe('the OpenAPI document', () => {
  let server: TestServer;
  let document: Record<string, any>;

  beforeAll(async () => {
    server = await startTestServer();
    const response = await fetch(`${server.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    document = (await response.json()) as Record<string, any>;
  });
  afterAll(() => server.close());

  it('is valid OpenAPI 3', async () => {
    expect(document.openapi).toMatch(/^3\./);
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists the public endpoints on Keycloak’s paths, and the server it is served by', () => {
    expect(document.servers).toEqual([{ url: server.baseUrl }]);
    const oidc = '/realms/{realm}/protocol/openid-connect';
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        `${oidc}/auth`,
        `${oidc}/token`,
        `${oidc}/token/introspect`,
        `${oidc}/revoke`,
        `${oidc}/userinfo`,
        `${oidc}/logout`,
        `${oidc}/certs`,
        '/realms/{realm}/.well-known/openid-configuration',
        '/realms/{realm}/broker/{alias}/endpoint',
        '/realms/{realm}/contexts',
        '/health/ready',
      ]),
    );
  });

  it('describes the token endpoint’s form body and its RFC 6749 §5.2 errors', () => {
    const token = document.paths['/realms/{realm}/protocol/openid-connect/token'].post;
    const form = token.requestBody.content['application/x-www-form-urlencoded'].schema;
    expect(form.required).toEqual(['grant_type']);
    expect(form.properties.grant_type.enum).toEqual(expect.arrayContaining(['authorization_code', 'client_credentials']));
    expect(token.responses['400'].content['application/json'].schema.required).toEqual(['error']);
    expect(token.tags).toEqual(['OpenID Connect']);
  });

  it('describes the form body of every operation that takes one, so a generator can send it', () => {
    const posts = Object.entries(document.paths as Record<string, Record<string, any>>).filter(([, item]) => item.post);
    const bodiless = posts.filter(([, item]) => !item.post.requestBody?.content?.['application/x-www-form-urlencoded']);
    // The admin API's POSTs (a rotation, a withdrawal, a user's logout) take their input in the path and query.
    expect(bodiless.map(([path]) => path).filter((path) => !path.startsWith('/admin/'))).toEqual([]);
    const fields = (path: string) =>
      Object.keys(document.paths[path].post.requestBody.content['application/x-www-form-urlencoded'].schema.properties);
    expect(fields('/realms/{realm}/protocol/openid-connect/userinfo')).toEqual(['access_token']);
    expect(fields('/realms/{realm}/broker/{alias}/endpoint')).toEqual(
      expect.arrayContaining(['SAMLResponse', 'SAMLRequest', 'RelayState']),
    );
    expect(fields('/realms/{realm}/protocol/openid-connect/auth')).toEqual(expect.arrayContaining(['client_id', 'code_challenge']));
  });

  // OpenAPI 3.0 §4.7.12.1: each template expression of a path MUST be a path parameter of its operations;
  // a client generator cannot build the URL otherwise. The schema validator above does not check it.
  it('declares every path template’s parameters on each operation', () => {
    const undeclared: string[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      for (const [method, operation] of Object.entries<Record<string, any>>(item)) {
        const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])].filter((p) => p.in === 'path').map((p) => p.name);
        for (const name of names) if (!declared.includes(name)) undeclared.push(`${method.toUpperCase()} ${path}: ${name}`);
        for (const name of declared)
          if (!names.includes(name)) undeclared.push(`${method.toUpperCase()} ${path}: ${name} is in no template`);
      }
    }
    expect(undeclared).toEqual([]);
  });

  // A POST without a declared answer is documented as Nest's default 201, which no route here sends.
  it('declares each operation’s success, and no 201', () => {
    const wrong: string[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(document.paths))
      for (const [method, operation] of Object.entries<Record<string, any>>(item)) {
        const statuses = Object.keys(operation.responses);
        if (statuses.includes('201') || !statuses.some((status) => /^[23]/.test(status))) wrong.push(`${method} ${path}: ${statuses}`);
      }
    expect(wrong).toEqual([]);
    // RP-initiated logout answers a page as often as a redirect: the confirmation, the logged-out page, an invalid link.
    const logout = document.paths['/realms/{realm}/protocol/openid-connect/logout'];
    expect(Object.keys(logout.get.responses)).toEqual(expect.arrayContaining(['200', '303', '400']));
    expect(Object.keys(logout.post.responses)).toEqual(expect.arrayContaining(['200', '204', '303', '400']));
  });

  it('describes the admin API as served: its bearer token, the events query’s parameters, the rotation’s algorithm', () => {
    const admin = Object.entries<Record<string, any>>(document.paths).filter(([path]) => path.startsWith('/admin/'));
    expect(admin.length).toBeGreaterThanOrEqual(6);
    for (const [path, item] of admin)
      for (const [method, operation] of Object.entries<Record<string, any>>(item)) {
        expect([`${method} ${path}`, operation.security]).toEqual([`${method} ${path}`, [{ bearer: [] }]]);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
      }
    const events = document.paths['/admin/realms/{realm}/events'].get;
    expect(events.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name)).toEqual([
      'type',
      'client',
      'user',
      'ipAddress',
      'dateFrom',
      'dateTo',
      'direction',
      'first',
      'max',
    ]);
    const rotate = document.paths['/admin/realms/{realm}/keys/rotate'].post;
    expect(rotate.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name)).toEqual(['algorithm']);
  });

  it('declares the 415 every browser route answers a POST body that is no form, and no other route', () => {
    const oidc = '/realms/{realm}/protocol/openid-connect';
    for (const path of [`${oidc}/auth`, `${oidc}/logout`, '/realms/{realm}/broker/{alias}/endpoint'])
      expect(document.paths[path].post.responses['415'].description).toMatch(/application\/x-www-form-urlencoded/);
    expect(document.paths[`${oidc}/token`].post.responses['415']).toBeUndefined();
  });
});
