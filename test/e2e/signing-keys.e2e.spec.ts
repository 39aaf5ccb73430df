import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify, type JSONWebKeySet } from 'jose';
import { KEY_PREPUBLICATION_MS, SigningKeyService } from '../../src/keys/signing-key.service.js';
import { RealmRegistry } from '../../src/realms/realm.registry.js';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { openDatabase } from '../../src/storage/database.factory.js';
import { TestClock } from '../support/test-clock.js';
import { TEST_SECRETS } from '../support/test-config.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { basic, postForm } from '../support/token-requests.js';

/** The SIGNING_KEY_INSTALLED events in `db`, by realm: the keys a start made or took from a file. */
const installedKeys = async (db: Database) =>
  (
    await db.query<{ realm: string; kid: string; algorithm: string; source: string; replaced_kid: string | null }>(
      `SELECT realm, details->>'kid' AS kid, details->>'algorithm' AS algorithm, details->>'source' AS source,
              details->>'replaced_kid' AS replaced_kid
         FROM audit_events WHERE type = 'SIGNING_KEY_INSTALLED' ORDER BY realm, id`,
    )
  ).rows;

const jwksOf = async (server: TestServer, realm: string) =>
  (await (await fetch(`${server.baseUrl}/realms/${realm}/protocol/openid-connect/certs`)).json()) as JSONWebKeySet;

const systemToken = async (server: TestServer, realm = 'nemlogin') => {
  const response = await postForm(`${server.baseUrl}/realms/${realm}/protocol/openid-connect/token`, 'grant_type=client_credentials', {
    authorization: basic('system', TEST_SECRETS.system),
  });
  expect(response.status).toBe(200);
  return response.body.access_token as string;
};

/** Every realm gets a system client, so each algorithm can be exercised through the token endpoint. */
const withSystemClientInEveryRealm = (raw: Record<string, any>) => {
  for (const realm of raw.realms.slice(1)) {
    realm.clients = [{ clientId: 'system', type: 'confidential', secret: TEST_SECRETS.system, grantTypes: ['client_credentials'] }];
  }
};

describe('realm signing keys', () => {
  describe('algorithms, JWKS and rotation', () => {
    const clock = new TestClock();
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer({ patch: withSystemClientInEveryRealm, overrides: { clock } });
    });
    afterAll(() => server.close());

    it.each([
      ['nemlogin', 'ES256', 'EC'],
      ['ehealth', 'RS256', 'RSA'],
      ['ssl', 'EdDSA', 'OKP'],
    ])('realm %s signs with %s and publishes only public %s keys', async (realm, alg, kty) => {
      const jwks = await jwksOf(server, realm);
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kty, alg, use: 'sig', kid: expect.any(String) });
      for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0]).not.toHaveProperty(privateMember);
      const token = await systemToken(server, realm);
      expect(decodeProtectedHeader(token)).toMatchObject({ alg, kid: jwks.keys[0]!.kid });
      await expect(jwtVerify(token, createLocalJWKSet(jwks))).resolves.toBeDefined();
    });

    it('stores private keys only encrypted', async () => {
      const db = server.app.get<Database>(DATABASE);
      const { rows } = await db.query<{ private_jwk_enc: string; public_jwk: Record<string, unknown> }>(
        'SELECT private_jwk_enc, public_jwk FROM signing_keys',
      );
      expect(rows.length).toBeGreaterThanOrEqual(3);
      for (const row of rows) {
        expect(row.private_jwk_enc).toMatch(/^v1\./);
        expect(row.private_jwk_enc).not.toContain('"d"');
        expect(row.public_jwk).not.toHaveProperty('d');
      }
    });

    it('rotation: the new key is published at once and signs from KEY_PREPUBLICATION_MS on; the retired key stays published until its tokens have expired', async () => {
      const realm = server.app.get(RealmRegistry).get('nemlogin');
      // What a resource server fetched and may keep for the JWKS's max-age.
      const cachedJwks = createLocalJWKSet(await jwksOf(server, 'nemlogin'));
      const oldKid = decodeProtectedHeader(await systemToken(server)).kid;

      const { kid: newKid, signsFrom } = await server.app.get(SigningKeyService).rotate(realm);
      expect(newKid).not.toBe(oldKid);
      expect(signsFrom.getTime()).toBe(clock.now().getTime() + KEY_PREPUBLICATION_MS);
      // The key that signs comes first, for a verifier that takes the first key without reading `kid`.
      expect((await jwksOf(server, 'nemlogin')).keys.map((k) => k.kid)).toEqual([oldKid, newKid]);

      // Until then the old key signs, so the JWKS cached before the rotation still verifies every token.
      clock.advance(KEY_PREPUBLICATION_MS / 1000 - 1);
      const lastOfTheOldKey = await systemToken(server);
      expect(decodeProtectedHeader(lastOfTheOldKey).kid).toBe(oldKid);
      await expect(jwtVerify(lastOfTheOldKey, cachedJwks, { currentDate: clock.now() })).resolves.toBeDefined();
      clock.advance(1);
      const first = await systemToken(server);
      expect(decodeProtectedHeader(first).kid).toBe(newKid);
      const jwks = await jwksOf(server, 'nemlogin');
      expect(jwks.keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
      await expect(jwtVerify(first, createLocalJWKSet(jwks), { currentDate: clock.now() })).resolves.toBeDefined();

      // Longest token of the realm is the 1800 s refresh token, signed up to the switch; the window adds cache and skew leeway.
      clock.advance(1800);
      expect((await jwksOf(server, 'nemlogin')).keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
      clock.advance(121);
      expect((await jwksOf(server, 'nemlogin')).keys.map((k) => k.kid)).toEqual([newKid]);
    });

    it('lets verifiers keep the JWKS for less than a rotation publishes a key ahead', async () => {
      const response = await fetch(`${server.baseUrl}/realms/nemlogin/protocol/openid-connect/certs`);
      const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1]);
      expect(maxAge).toBe(60);
      expect(maxAge * 1000).toBeLessThan(KEY_PREPUBLICATION_MS);
    });
  });

  describe('persistence', () => {
    it('keeps the same key across restarts on one database, and refuses another encryption key', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'keys-pglite-'));
      const first = await startTestServer({ patch: (raw) => (raw.database.dataDir = dataDir) });
      const kid = (await jwksOf(first, 'nemlogin')).keys[0]!.kid;
      await first.close();

      const second = await startTestServer({ patch: (raw) => (raw.database.dataDir = dataDir) });
      expect((await jwksOf(second, 'nemlogin')).keys.map((k) => k.kid)).toEqual([kid]);
      expect(decodeProtectedHeader(await systemToken(second)).kid).toBe(kid);
      await second.close();

      await expect(
        startTestServer({
          patch: (raw) => ((raw.database.dataDir = dataDir), (raw.keys.encryptionKey = 'another-encryption-key-0123456789abcdef')),
        }),
        // Said as the config's error, naming the key (the keys bootstrap proves it before writing anything).
      ).rejects.toThrow(/keys\.encryptionKey: does not decrypt the signing keys stored in this database/);
    });

    it('a first start records each key it makes as a SIGNING_KEY_INSTALLED; a restart that finds them records none', async () => {
      const db: Database = await openDatabase({ url: '', dataDir: 'memory://' });
      const first = await startTestServer({ overrides: { database: db } });
      const kids = await Promise.all(['ehealth', 'nemlogin', 'ssl'].map(async (realm) => (await jwksOf(first, realm)).keys[0]!.kid));
      await first.close();
      const recorded = await installedKeys(db);
      expect(recorded).toEqual([
        { realm: 'ehealth', kid: kids[0], algorithm: 'RS256', source: 'generated', replaced_kid: null },
        { realm: 'nemlogin', kid: kids[1], algorithm: 'ES256', source: 'generated', replaced_kid: null },
        { realm: 'ssl', kid: kids[2], algorithm: 'EdDSA', source: 'generated', replaced_kid: null },
      ]);

      const second = await startTestServer({ overrides: { database: db } });
      await second.close();
      expect(await installedKeys(db)).toEqual(recorded);
      await db.close();
    });

    it('two instances starting together on one database install a single key per realm', async () => {
      const db: Database = await openDatabase({ url: '', dataDir: 'memory://' });
      const [a, b] = await Promise.all([
        startTestServer({ overrides: { database: db } }),
        startTestServer({ overrides: { database: db } }),
      ]);
      const { rows } = await db.query<{ realm: string; n: string }>(
        'SELECT realm, count(*)::text AS n FROM signing_keys GROUP BY realm ORDER BY realm',
      );
      expect(rows).toEqual([
        { realm: 'ehealth', n: '1' },
        { realm: 'nemlogin', n: '1' },
        { realm: 'ssl', n: '1' },
      ]);
      expect(await jwksOf(a, 'nemlogin')).toEqual(await jwksOf(b, 'nemlogin'));
      // Of the two starts, the one whose key won records it: one event per realm, naming the key there is.
      const keys = await db.query<{ realm: string; kid: string; algorithm: string }>(
        'SELECT realm, kid, alg AS algorithm FROM signing_keys ORDER BY realm',
      );
      expect(await installedKeys(db)).toEqual(keys.rows.map((key) => ({ ...key, source: 'generated', replaced_kid: null })));
      await a.close();
      await b.close();
      await db.close();
    });
  });

  describe('a key loaded from a PEM file', () => {
    it('signs with the file’s key, and a new file rotates to it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'keys-file-'));
      const db: Database = await openDatabase({ url: '', dataDir: 'memory://' });
      const writeKey = async (name: string) => {
        const { privateKey } = await generateKeyPair('PS256', { extractable: true });
        writeFileSync(join(dir, name), await exportPKCS8(privateKey));
        return join(dir, name);
      };
      const usingFile = (file: string) => (raw: Record<string, any>) => {
        withSystemClientInEveryRealm(raw);
        Object.assign(raw.realms[1], { signingAlg: 'PS256', signingKeyFile: file });
      };

      const first = await startTestServer({ patch: usingFile(await writeKey('one.pem')), overrides: { database: db } });
      const firstKid = (await jwksOf(first, 'ehealth')).keys[0]!.kid;
      expect(decodeProtectedHeader(await systemToken(first, 'ehealth'))).toMatchObject({ alg: 'PS256', kid: firstKid });
      await first.close();

      const second = await startTestServer({ patch: usingFile(await writeKey('two.pem')), overrides: { database: db } });
      const kids = (await jwksOf(second, 'ehealth')).keys.map((k) => k.kid);
      expect(kids).toHaveLength(2);
      expect(kids[1]).toBe(firstKid);
      expect(decodeProtectedHeader(await systemToken(second, 'ehealth')).kid).toBe(kids[0]);
      // Each file's key in the audit trail as it came in, the second with the key it replaced.
      expect((await installedKeys(db)).filter((key) => key.realm === 'ehealth')).toEqual([
        { realm: 'ehealth', kid: firstKid, algorithm: 'PS256', source: 'file', replaced_kid: null },
        { realm: 'ehealth', kid: kids[0], algorithm: 'PS256', source: 'file', replaced_kid: firstKid },
      ]);
      await second.close();
      await db.close();
    });

    it('signingAlg RS256 → PS256 on the same file stops the start, naming the key and the reason; the RS256 key stays active', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'keys-file-'));
      const db: Database = await openDatabase({ url: '', dataDir: 'memory://' });
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const file = join(dir, 'rsa.pem');
      writeFileSync(file, await exportPKCS8(privateKey));
      const signingWith = (signingAlg: string) => (raw: Record<string, any>) => {
        withSystemClientInEveryRealm(raw);
        Object.assign(raw.realms[1], { signingAlg, signingKeyFile: file });
      };

      try {
        const first = await startTestServer({ patch: signingWith('RS256'), overrides: { database: db } });
        const kid = (await jwksOf(first, 'ehealth')).keys[0]!.kid;
        await first.close();

        await expect(startTestServer({ patch: signingWith('PS256'), overrides: { database: db } })).rejects.toThrow(
          `realms.ehealth.signingKeyFile: ${file} holds the key this realm signed RS256 tokens with, and a key signs with one algorithm only (RFC 8725 §3.1): give PS256 a key file of its own`,
        );
        const { rows } = await db.query<{ kid: string; alg: string; retired_at: Date | null }>(
          "SELECT kid, alg, retired_at FROM signing_keys WHERE realm = 'ehealth'",
        );
        expect(rows).toEqual([{ kid, alg: 'RS256', retired_at: null }]);
      } finally {
        await db.close();
      }
    });
  });
});
