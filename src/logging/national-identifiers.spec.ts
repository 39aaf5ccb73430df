import { createLogger } from './logger.js';
import { MASKED_DIGITS, maskNationalIdentifiersInLine } from './national-identifiers.js';

const lineOf = (fields: Record<string, unknown>) => `${JSON.stringify({ level: 30, time: 1764892800123, pid: 4242, ...fields })}\n`;

describe('maskNationalIdentifiersInLine', () => {
  it('masks a CPR, a CPR with its hyphen and a BSN in a string, a key, a number and an array, at any depth', () => {
    const line = lineOf({
      msg: 'unknown client 0101011234',
      path: '/realms/nemlogin/x/010101-1234',
      patient: 'cpr-0404041234',
      nested: { deeper: { bsn: 111222333, list: ['a', 'cpr=0202021234'] }, '0303031234': true },
    });
    const masked = maskNationalIdentifiersInLine(line);
    expect(masked.endsWith('}\n')).toBe(true);
    expect(JSON.parse(masked)).toEqual({
      level: 30,
      time: 1764892800123,
      pid: 4242,
      msg: `unknown client ${MASKED_DIGITS}`,
      path: `/realms/nemlogin/x/${MASKED_DIGITS}`,
      patient: `cpr-${MASKED_DIGITS}`,
      nested: { deeper: { bsn: MASKED_DIGITS, list: ['a', `cpr=${MASKED_DIGITS}`] }, [MASKED_DIGITS]: true },
    });
  });

  it('passes a line without one as the same string: pino time, UUIDs, AGB codes, ports, longer and shorter runs', () => {
    const line = lineOf({
      reqId: 'd0c4f0a2-3a6e-4c1c-9b7f-123456789012',
      organisation_agb: '01234567',
      port: 55433,
      ms: 1234,
      sor: '123456789012345',
      kid: 'k-20261205-1',
    });
    expect(maskNationalIdentifiersInLine(line)).toBe(line);
  });

  it('masks one stuck to letters, behind a percent-escape, with a space, or in full-width digits', () => {
    const line = lineOf({
      client: 'cpr0101011234',
      token: 'abc0101011234x',
      scope: 'patient/Patient.read?identifier=urn%3Aoid%3A1.2.208.176.1.2%7C0101011234',
      typed: 'cpr 010101 1234',
      bsn: 'bsn111222333',
      wide: 'cpr ０１０１０１１２３４',
    });
    expect(JSON.parse(maskNationalIdentifiersInLine(line))).toMatchObject({
      client: `cpr${MASKED_DIGITS}`,
      token: `abc${MASKED_DIGITS}x`,
      scope: `patient/Patient.read?identifier=urn%3Aoid%3A1.2.208.176.1.2%7C${MASKED_DIGITS}`,
      typed: `cpr ${MASKED_DIGITS}`,
      bsn: `bsn${MASKED_DIGITS}`,
      wide: `cpr ${MASKED_DIGITS}`,
    });
  });

  it('masks one written as people write them, and leaves IPv4 addresses, dates and times alone', () => {
    const written = ['010101–1234', '010101.1234', '010101/1234', '010101:1234', '010101+1234', '010101%201234', '010101%2D1234'];
    const more = ['01 01 01 1234', '010101\u00a01234', '111 222 333', '111.222.333', '1112.22.333'];
    const line = lineOf({ written, more, ip: '192.168.100.123', other: '10.0.0.1', at: '2026-12-05 10:04:22.123' });
    expect(JSON.parse(maskNationalIdentifiersInLine(line))).toMatchObject({
      written: written.map(() => MASKED_DIGITS),
      more: more.map(() => MASKED_DIGITS),
      ip: '192.168.100.123',
      other: '10.0.0.1',
      at: '2026-12-05 10:04:22.123',
    });
  });

  it('masks one written with spaces, or with a separator a path or query escapes (encodeURIComponent), as a URL carries it', () => {
    const escaped = ['111%20222%20333', '01%2001%2001%201234', '1112.22.333', '010101%2F1234'];
    const more = ['010101%3A1234', '010101%2B1234', '010101%3a1234', 'users/111%20222%20333/sessions'];
    // Beyond ASCII, a path carries a separator's UTF-8 bytes escaped: en dash, non-breaking hyphen, minus, no-break space.
    const unicode = ['010101\u22121234', '010101%E2%80%931234', '010101%e2%80%911234', '010101%E2%88%921234', '010101%C2%A01234'];
    const grouped = ['111%C2%A0222%C2%A0333', '111\u00a0222\u00a0333', '01%C2%A001%C2%A001%C2%A01234', 'x/010101%E2%80%951234/y'];
    const line = lineOf({ escaped, more, unicode, grouped, ip: '192.168.100.123', at: '2026-12-05%2010:04:22' });
    expect(JSON.parse(maskNationalIdentifiersInLine(line))).toMatchObject({
      escaped: escaped.map(() => MASKED_DIGITS),
      more: [MASKED_DIGITS, MASKED_DIGITS, MASKED_DIGITS, `users/${MASKED_DIGITS}/sessions`],
      unicode: unicode.map(() => MASKED_DIGITS),
      grouped: [MASKED_DIGITS, MASKED_DIGITS, MASKED_DIGITS, `x/${MASKED_DIGITS}/y`],
      ip: '192.168.100.123',
      at: '2026-12-05%2010:04:22',
    });
  });

  // An escape's last hex digit is no digit of the run: %20 (space), %22 and %27 (quotes), %28 (a
  // parenthesis), %E2%80%93 (an en dash), as a path carries what a person typed before the number.
  it('masks one right behind a percent-escape that ends in a digit, as one behind an escape ending in a letter', () => {
    const behind = ['x%200101011234', '%280101011234%29', '%22999911120%22', '%27010101-1234%27', 'x%E2%80%930101011234'];
    const grouped = ['bsn%20111%20222%20333', 'users/Nancy%20Berggren%20010101-1234/sessions'];
    const line = lineOf({ behind, grouped, time2: '%201764892800123', agb: '%2001234567' });
    const M = MASKED_DIGITS;
    expect(JSON.parse(maskNationalIdentifiersInLine(line))).toMatchObject({
      behind: [`x%20${M}`, `%28${M}%29`, `%22${M}%22`, `%27${M}%27`, `x%E2%80%93${M}`],
      grouped: [`bsn%20${M}`, `users/Nancy%20Berggren%20${M}/sessions`],
      // Runs of 13 and 8 digits stay what they are behind an escape, as anywhere.
      time2: '%201764892800123',
      agb: '%2001234567',
    });
  });

  it('leaves a hex request id whole, though it holds a run of 10 digits, and masks that run anywhere else', () => {
    const reqId = 'd0c4f0a2-3a6e-4c1c-9b7f-a0101011234b';
    const line = lineOf({ reqId, msg: `request ${reqId} named 0101011234`, nested: { reqId } });
    expect(JSON.parse(maskNationalIdentifiersInLine(line))).toMatchObject({
      reqId,
      msg: `request d0c4f0a2-3a6e-4c1c-9b7f-a${MASKED_DIGITS}b named ${MASKED_DIGITS}`,
      nested: { reqId: `d0c4f0a2-3a6e-4c1c-9b7f-a${MASKED_DIGITS}b` },
    });
    // A client's own X-Request-Id that is not hex is masked as anything else.
    expect(JSON.parse(maskNationalIdentifiersInLine(lineOf({ reqId: 'cpr-0101011234' }))).reqId).toBe(`cpr-${MASKED_DIGITS}`);
    // So is one of hex and hyphens that is no random id's shape: an integrator's `{CPR}-{time}`.
    for (const [reqId, masked] of [
      ['0101011234-1764892800123', `${MASKED_DIGITS}-1764892800123`],
      ['0101011234-0000-0000-0000-000000000000', `${MASKED_DIGITS}-0000-0000-0000-000000000000`],
    ])
      expect(JSON.parse(maskNationalIdentifiersInLine(lineOf({ reqId }))).reqId).toBe(masked);
    // nginx's `$request_id`: 32 hex digits, whole.
    const nginx = 'a0101011234bcdef0123456789abcdef';
    expect(JSON.parse(maskNationalIdentifiersInLine(lineOf({ reqId: nginx }))).reqId).toBe(nginx);
  });

  it('masks what is not JSON as plain text', () => {
    expect(maskNationalIdentifiersInLine('cpr 0101011234, "bsn": 111222333\n')).toBe(`cpr ${MASKED_DIGITS}, "bsn": ${MASKED_DIGITS}\n`);
  });
});

describe('the logger', () => {
  it('writes no national identifier a request carried, in its fields, its message or a child’s bindings', () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) });
    logger.child({ clientId: '0101011234' }).warn({ path: '/x/111222333', statusCode: 404 }, 'refused parameter 010101-1234');
    const written = lines.join('');
    for (const identifier of ['0101011234', '111222333', '010101-1234']) expect(written).not.toContain(identifier);
    expect(JSON.parse(lines[0]!)).toMatchObject({ clientId: MASKED_DIGITS, path: `/x/${MASKED_DIGITS}`, statusCode: 404 });
  });
});
