import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import pg from 'pg';
import { DatabaseUnavailableError } from './storage/database.js';
import { PostgresDatabase } from './storage/pg.database.js';
import { databaseFailure } from './start-failure.js';

/** What PostgreSQL answers a connection it refuses, as `pg` hands it over. */
function refusal(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

describe('databaseFailure', () => {
  const url = 'postgres://fed:S3cretPW@db.example:5432/fed';

  it('names database.url and what PostgreSQL refused, never the password', () => {
    for (const [code, message] of [
      ['3D000', 'database "fed" does not exist'],
      ['28000', 'role "fed" does not exist'],
      ['28P01', 'password authentication failed for user "fed"'],
    ] as const) {
      const said = databaseFailure(refusal(code, message), url);
      expect(said).toBe(`database.url (DATABASE_URL): the database at db.example:5432 refused the connection: ${message} (${code})`);
      expect(said).not.toContain('S3cretPW');
    }
  });

  it('says a database that does not answer is unavailable, and leaves any error not the database’s to its stack', () => {
    expect(databaseFailure(new DatabaseUnavailableError('ECONNREFUSED', false), url)).toBe(
      'database.url (DATABASE_URL): the database at db.example:5432 is unavailable (ECONNREFUSED)',
    );
    expect(databaseFailure(new Error('anything else'), url)).toBeUndefined();
    expect(databaseFailure(Object.assign(new Error('bad option'), { code: 'ERR_INVALID_ARG_TYPE' }), url)).toBeUndefined();
    // The embedded database: nothing PostgreSQL answered over a connection.
    expect(databaseFailure(refusal('42P01', 'relation "x" does not exist'), '')).toBeUndefined();
  });

  it('names database.url, the SQLSTATE and what PostgreSQL said when the URL or its role is the cause, on one line', () => {
    for (const [code, message] of [
      ['42704', 'unrecognized configuration parameter "foo"'],
      ['22023', 'invalid value for parameter "statement_timeout": "NaN"'],
      ['42501', 'permission denied for schema public'],
      ['08P01', 'invalid startup packet layout'],
    ] as const)
      expect(databaseFailure(refusal(code, message), url)).toBe(
        `database.url (DATABASE_URL): the database at db.example:5432 answered an error at start: ${message} (${code})`,
      );
    expect(databaseFailure(refusal('08006', 'first line\n  second line'), url)).toBe(
      'database.url (DATABASE_URL): the database at db.example:5432 answered an error at start: first line second line (08006)',
    );
  });

  it('leaves an error of a migration the URL is not the cause of to its stack', () => {
    for (const [code, message] of [
      ['42P07', 'relation "sessions" already exists'],
      ['42601', 'syntax error at or near "TABEL"'],
      ['XX000', 'internal error'],
    ] as const)
      expect(databaseFailure(refusal(code, message), url)).toBeUndefined();
  });

  it('prints no password even where a message quotes the URL or the password', () => {
    const said = databaseFailure(refusal('22023', `bad value "${url}" or "S3cretPW" or "postgres://u:other@h/d"`), url);
    expect(said).toBe(
      'database.url (DATABASE_URL): the database at db.example:5432 answered an error at start: ' +
        'bad value "postgres://fed:***@db.example:5432/fed" or "***" or "postgres://u:***@h/d" (22023)',
    );
    const encoded = 'postgres://fed:p%40ss%2Fword@db.example/fed';
    expect(databaseFailure(refusal('22023', 'bad value "p@ss/word"'), encoded)).not.toContain('p@ss/word');
  });

  it('says why TLS failed for the errors node and OpenSSL name by code, and no other', () => {
    const tls = (code: string, message: string) => databaseFailure(Object.assign(new Error(message), { code }), url);
    expect(tls('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')).toBe(
      "database.url (DATABASE_URL): no connection to the database at db.example:5432: TLS: the server's certificate was refused: " +
        'unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
    );
    expect(tls('CERT_HAS_EXPIRED', 'certificate has expired')).toMatch(
      /: TLS: the server's certificate was refused: certificate has expired \(CERT_HAS_EXPIRED\)$/,
    );
    expect(tls('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number')).toMatch(
      /: TLS: the handshake failed: wrong version number \(ERR_SSL_WRONG_VERSION_NUMBER\)$/,
    );
    expect(tls('ERR_TLS_HANDSHAKE_TIMEOUT', 'TLS handshake timeout')).toMatch(
      /: TLS: the handshake failed: TLS handshake timeout \(ERR_TLS_HANDSHAKE_TIMEOUT\)$/,
    );
    expect(tls('ERR_HTTP_HEADERS_SENT', 'not TLS')).toBeUndefined();
  });
});

/**
 * A server speaking just enough of PostgreSQL's protocol to fail a connection the way `answer` says:
 * "N" to the SSLRequest, a TLS handshake with `certificate` (self-signed, for no host), or an
 * ErrorResponse to the startup message. The errors come from `pg` itself, as the service meets them.
 */
async function fakePostgres(answer: 'no-tls' | 'tls' | { code: string; message: string }): Promise<{ port: number; server: Server }> {
  const certificate = readFileSync('fixtures/saml/sp-signing.crt', 'utf8');
  const key = readFileSync('fixtures/saml/sp-signing.TEST-ONLY.key', 'utf8');
  const server = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (answer === 'no-tls') return void socket.write('N');
      if (answer === 'tls') {
        socket.write('S');
        return void new TLSSocket(socket, { isServer: true, cert: certificate, key }).on('error', () => undefined);
      }
      const fields = Buffer.from(`SFATAL\0C${answer.code}\0M${answer.message}\0\0`);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(fields.length + 4);
      socket.end(Buffer.concat([Buffer.from('E'), length, fields]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

/** What connecting to `url` fails with, as the service's first statement meets it. */
async function failureOf(url: string): Promise<unknown> {
  const db = new PostgresDatabase(url, { maxConnections: 1, connectTimeoutSeconds: 5 });
  try {
    return await db.query('SELECT 1').then(
      () => undefined,
      (error: unknown) => error,
    );
  } finally {
    await db.close();
  }
}

describe('databaseFailure, of what pg fails a connection with', () => {
  let servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    servers = [];
  });
  const serve = async (answer: Parameters<typeof fakePostgres>[0]) => {
    const { port, server } = await fakePostgres(answer);
    servers.push(server);
    return port;
  };

  it('names database.url and TLS when the URL asks for TLS the server does not offer', async () => {
    const port = await serve('no-tls');
    for (const sslmode of ['require', 'verify-full']) {
      const url = `postgres://fed:S3cretPW@127.0.0.1:${port}/fed?sslmode=${sslmode}`;
      expect(databaseFailure(await failureOf(url), url)).toBe(
        `database.url (DATABASE_URL): no connection to the database at 127.0.0.1:${port}: ` +
          "TLS: the server does not support SSL connections (the URL's sslmode or ssl asks for TLS)",
      );
    }
  });

  it("names database.url and TLS when the server's certificate is refused", async () => {
    const port = await serve('tls');
    const url = `postgres://fed:S3cretPW@127.0.0.1:${port}/fed?sslmode=verify-full`;
    // Node 24 adds a hint to OpenSSL's reason ("…; if the root CA is installed locally, try …").
    expect(databaseFailure(await failureOf(url), url)).toMatch(
      new RegExp(
        `^database\\.url \\(DATABASE_URL\\): no connection to the database at 127\\.0\\.0\\.1:${port}: ` +
          "TLS: the server's certificate was refused: self-signed certificate[^\\n]* \\(DEPTH_ZERO_SELF_SIGNED_CERT\\)$",
      ),
    );
    // Trusted, but for no such host.
    const pinned = `${url}&sslrootcert=fixtures/saml/sp-signing.crt`;
    expect(databaseFailure(await failureOf(pinned), pinned)).toMatch(
      new RegExp(
        `^database\\.url \\(DATABASE_URL\\): no connection to the database at 127\\.0\\.0\\.1:${port}: ` +
          "TLS: the server's certificate was refused: [^\\n]*127\\.0\\.0\\.1[^\\n]* \\(ERR_TLS_CERT_ALTNAME_INVALID\\)$",
      ),
    );
  });

  it('names database.url, the SQLSTATE and the message when the server refuses a startup parameter', async () => {
    const port = await serve({ code: '42704', message: 'unrecognized configuration parameter "foo"' });
    const url = `postgres://fed:S3cretPW@127.0.0.1:${port}/fed?options=-c%20foo%3Dbar`;
    const error = await failureOf(url);
    expect(error).toBeInstanceOf(pg.DatabaseError);
    expect(databaseFailure(error, url)).toBe(
      `database.url (DATABASE_URL): the database at 127.0.0.1:${port} answered an error at start: unrecognized configuration parameter "foo" (42704)`,
    );
  });
});
