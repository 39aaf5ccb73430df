import type { Server } from 'node:http';
import { connect } from 'node:net';
import { startTestServer } from '../support/test-server.js';

const TOKEN = '/realms/nemlogin/protocol/openid-connect/token';
const AUTH = '/realms/nemlogin/protocol/openid-connect/auth';

/**
 * A request that reaches the service after its shutdown began (pipelined behind one still in flight,
 * so its connection was never idle to close) is refused, and told to go elsewhere, in the service's
 * own words: RFC 6749 §5.2 `temporarily_unavailable` at an API route, the error page at a browser's.
 */
describe('a request arriving while the service shuts down', () => {
  it.each([
    [
      'an API route',
      `POST ${TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n\r\ngrant_type=client_credentials`,
    ],
    ['a browser route', `GET ${AUTH}?client_id=patient-app HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n`],
  ])(
    'at %s gets 503 in the route’s own form, and its connection closes',
    async (route, second) => {
      const server = await startTestServer();
      const http = server.app.getHttpServer() as Server;
      // The first request in flight: its headers read (an idle connection would be closed at once).
      const inFlight = new Promise((resolve) => http.once('request', resolve));
      const socket = connect(Number(new URL(server.baseUrl).port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      const ended = new Promise((resolve) => socket.on('close', resolve));
      // The first request's body is still coming when the shutdown begins: its connection is busy.
      const body = 'grant_type=client_credentials';
      socket.write(
        `POST ${TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\ngrant`,
      );
      await inFlight;
      const closing = server.close();
      // Fastify stops listening once its preClose hooks have run: the shutdown has begun.
      while (http.listening) await new Promise((resolve) => setTimeout(resolve, 10));
      socket.write(`${body.slice('grant'.length)}${second}`);
      await ended;
      await closing;

      // A refusal in the normal course of a shutdown: an info line, not a failure with its stack.
      expect(server.logs.filter((line) => /"level":50/.test(line))).toEqual([]);
      const answers = received.split(/(?=HTTP\/1\.1 )/);
      expect(answers).toHaveLength(2);
      const [head, content] = answers[1]!.split('\r\n\r\n') as [string, string];
      expect(head).toMatch(/^HTTP\/1\.1 503 /);
      expect(head).toMatch(/\r\nconnection: close/i);
      if (route === 'an API route')
        expect(JSON.parse(content)).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
      else {
        expect(head).toMatch(/\r\ncontent-type: text\/html/i);
        expect(content).toContain('<!doctype html>');
      }
    },
    30_000,
  );
});
