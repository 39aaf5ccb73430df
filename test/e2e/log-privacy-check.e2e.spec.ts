import { linesWithPersonalData } from '../support/log-privacy.js';
import { startTestServer } from '../support/test-server.js';

const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 30, time: 1764892800123, pid: 4242, ...fields });

/** The suite-wide check every test server runs on its log when it closes (support/log-privacy.ts). */
describe('the log privacy check of every test server', () => {
  it('finds a CPR, a CPR with its hyphen, a BSN and a test name, wherever in the line they stand', () => {
    const leaking = [
      line({ msg: 'linked citizen 0101011234' }),
      line({ subject: { cpr: '010101-1234' } }),
      line({ msg: 'request completed', path: '/x/111222333' }),
      line({ msg: 'user Karen Jensen' }),
      line({ bsn: 111222333 }),
      line({ client: 'cpr0101011234' }),
      line({ ignored: ['patient/Patient.read?identifier=urn%3Aoid%3A1.2.208.176.1.2%7C0101011234'] }),
      line({ typed: '010101 1234' }),
      line({ wide: '０１０１０１１２３４' }),
      line({ dotted: '010101.1234', spaced: 'x' }),
      line({ bsn: '111 222 333' }),
      line({ msg: 'named d0c4f0a2-3a6e-4c1c-9b7f-a0101011234b' }),
      line({ reqId: 'cpr-0101011234' }),
      line({ reqId: '0101011234-1764892800123' }),
      line({ path: '/admin/realms/nemlogin/users/123%20456%20782/sessions' }),
      line({ path: '/x/010101%2F1234' }),
      line({ path: '/x/01%3A01%3A01%2B1234' }),
      line({ path: '/x/%280101011234%29' }),
      line({ path: '/x/%22999911120%22' }),
    ];
    expect(linesWithPersonalData(leaking)).toEqual(leaking);
  });

  it('passes pino time, request ids, durations, ports, usernames and longer or shorter digit runs', () => {
    const clean = [
      line({ reqId: 'd0c4f0a2-3a6e-4c1c-9b7f-123456789012', msg: 'request completed', ms: 12, statusCode: 200 }),
      line({ reqId: 'd0c4f0a2-3a6e-4c1c-9b7f-a0101011234b', msg: 'request completed' }),
      line({ ip: '192.168.100.123', oid: 'urn:oid:1.2.208.176.1.1', at: '2026-12-05 10:04:22.123' }),
      line({ msg: 'listening', port: 55433, bytes: 262144, jti: 'aZ_123456789012x' }),
      line({ msg: 'rotated', kid: 'k-20261205-1', count: 12345678, big: 12345678901 }),
      line({ msg: 'mock login', username: 'dr-hansen' }),
      line({ path: '/x/%2001234567', at: '%201764892800123' }),
    ];
    expect(linesWithPersonalData(clean)).toEqual([]);
  });

  it('passes a CPR a client put in a path, alone or in quotes: the service masks it in the request log', async () => {
    const server = await startTestServer();
    for (const [sent, logged] of [
      ['0101011234', '[digits masked]'],
      ['%220101011234%22', '%22[digits masked]%22'],
    ]) {
      const answer = await fetch(`${server.baseUrl}/realms/nemlogin/patients/${sent}`);
      expect(answer.status).toBe(404);
      const paths = server.logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'request completed' && l.statusCode === 404)
        .map((l) => l.path);
      expect(paths).toContain(`/realms/nemlogin/patients/${logged}`);
    }
    await server.close();
  });

  it('fails the close of a server whose log holds a name', async () => {
    const server = await startTestServer();
    server.app.getHttpAdapter().getInstance().log.warn({ user: 'Karen Jensen' }, 'a careless line');
    await expect(server.close()).rejects.toThrow(/personal data in 1 log line\(s\), the first: .*Karen Jensen/);
  });
});
