import { createLogger } from './logger.js';
import { REDACTED, redactCredential } from './credential-redaction.js';
import { mapLoggedFields } from './logged-fields.js';

/** The redaction step of the logger's one walk over a line's fields (logger.ts). */
const redactCredentials = (line: Record<string, unknown>) => mapLoggedFields(line, redactCredential);

describe('redactCredentials', () => {
  it('passes a line without credentials on as it is', () => {
    const line = { method: 'POST', path: '/token', statusCode: 200, ms: 3, nested: { realm: 'r' } };
    expect(redactCredentials(line)).toBe(line);
  });

  it('redacts credentials at the top and one level down on a copy, leaving the caller’s object as it was', () => {
    const line = {
      client_secret: 's3cret',
      request: { authorization: 'Basic cG9ydGFsOnMzY3JldA==', client_assertion: 'eyJ.x.y', path: '/token' },
      other: { secret: 'k' },
      form: { grant_type: 'refresh_token', refresh_token: 'eyJ.r.t', code_verifier: 'v', SAMLResponse: 'PHNhbWw+' },
      clean: { realm: 'r' },
    };
    const before = structuredClone(line);
    const redacted = redactCredentials(line);
    expect(redacted).toEqual({
      client_secret: REDACTED,
      request: { authorization: REDACTED, client_assertion: REDACTED, path: '/token' },
      other: { secret: REDACTED },
      form: { grant_type: 'refresh_token', refresh_token: REDACTED, code_verifier: REDACTED, SAMLResponse: REDACTED },
      clean: { realm: 'r' },
    });
    expect(redacted.clean).toBe(line.clean);
    expect(line).toEqual(before);
  });

  it('leaves `err` to its serializer', () => {
    const err = Object.assign(new Error('boom'), { secret: 'k' });
    expect(redactCredentials({ err }).err).toBe(err);
  });
});

describe('the logger', () => {
  const linesOf = () => {
    const lines: string[] = [];
    return { lines, logger: createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) }) };
  };

  it('writes no credential, wherever the logged object or a child’s bindings hold it', () => {
    const { lines, logger } = linesOf();
    logger.info({ authorization: 'Bearer at-1', headers: { authorization: 'Basic b-1' }, body: { client_secret: 'cs-1' } }, 'm');
    logger.child({ secret: 'bound-1' }).warn({ client_assertion: 'ca-1', statusCode: 401 }, 'refused');
    const written = lines.join('');
    for (const credential of ['at-1', 'b-1', 'cs-1', 'bound-1', 'ca-1']) expect(written).not.toContain(credential);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      authorization: REDACTED,
      headers: { authorization: REDACTED },
      body: { client_secret: REDACTED },
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({ secret: REDACTED, client_assertion: REDACTED, statusCode: 401, msg: 'refused' });
  });

  it('keeps every other field of the line', () => {
    const { lines, logger } = linesOf();
    logger.child({ reqId: 'r-1' }).info({ method: 'POST', path: '/token', statusCode: 200, ms: 3 }, 'request completed');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      reqId: 'r-1',
      method: 'POST',
      path: '/token',
      statusCode: 200,
      ms: 3,
      msg: 'request completed',
    });
  });
});
