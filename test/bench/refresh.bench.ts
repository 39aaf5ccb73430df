import type autocannon from 'autocannon';
import { loginTokens } from '../support/login-flow.js';
import { LOAD_CONNECTIONS, runLoad, type LoadResult } from './load.js';

const DEMO_PATIENT_APP = { clientId: 'patient-app', redirectUri: 'http://localhost:3000/callback' };

/**
 * RFC 6749 §6 refresh grants with rotation: each connection owns one session's chain and always
 * presents its newest refresh token, as a well-behaved client does. Every grant is a conditional
 * UPDATE in the database (grouped with the others of its event-loop turn), two ES256 signatures (ID
 * and access token) and the refresh token's MAC checked and made anew. The sessions are
 * opened by mock logins before the first round; each call of the returned function is one round.
 * A round's end cuts off the requests in flight, whose successors are never seen: those chains are
 * replaced by fresh logins before the next round, outside the timed load.
 */
export async function prepareRefresh(baseUrl: string, label: string): Promise<(durationSeconds?: number) => Promise<LoadResult>> {
  const chains: string[] = [];
  const topUp = async () => {
    while (chains.length < LOAD_CONNECTIONS * 2) {
      chains.push((await loginTokens(baseUrl, 'nemlogin', 'nancy', 'openid patient/*.read', DEMO_PATIENT_APP)).refresh_token as string);
    }
  };
  await topUp();
  return async (durationSeconds) => {
    await topUp();
    return refreshRound(baseUrl, label, chains, durationSeconds);
  };
}

/** One round of refresh grants over the chains in `chains` (each successor is put back in the pool). */
export function refreshRound(baseUrl: string, label: string, chains: string[], durationSeconds?: number): Promise<LoadResult> {
  const request: autocannon.Request = {
    method: 'POST',
    path: '/realms/nemlogin/protocol/openid-connect/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    // autocannon resets per-connection context between requests, so the chains live in one pool:
    // each request takes a chain's newest token, and its response puts the successor back.
    setupRequest: (req) => {
      const token = chains.shift();
      if (!token) throw new Error('refresh benchmark ran out of chains');
      return { ...req, body: `grant_type=refresh_token&client_id=${DEMO_PATIENT_APP.clientId}&refresh_token=${token}` };
    },
    onResponse: (status, body) => {
      if (status === 200) chains.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
    },
  };
  return runLoad({
    name: `refresh_token rotation (${label})`,
    url: baseUrl,
    requests: [request],
    durationSeconds,
  });
}
