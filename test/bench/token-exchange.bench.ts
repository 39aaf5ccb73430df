import { loginTokens } from '../support/login-flow.js';
import { runLoad, type LoadResult } from './load.js';

const DEMO_PATIENT_APP = { clientId: 'patient-app', redirectUri: 'http://localhost:3000/callback' };

/**
 * RFC 8693 exchanges by the demo portal for the XIS audience, tenant-bound: each one checks the
 * subject token, its session and revocation in the database, and signs one token. The subject token
 * comes from one mock login, as a portal exchanges its user's token for each call: its signature is
 * verified on its first presentation only (src/tokens/verified-signatures.ts). Each call of the
 * returned function is one round.
 */
export async function prepareTokenExchange(baseUrl: string, label: string): Promise<(durationSeconds?: number) => Promise<LoadResult>> {
  const subject = (await loginTokens(baseUrl, 'nemlogin', 'nancy', 'openid patient/*.read', DEMO_PATIENT_APP)).access_token as string;
  return (durationSeconds) =>
    runLoad({
      name: `token exchange portal → xis (${label})`,
      url: `${baseUrl}/realms/nemlogin/protocol/openid-connect/token`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('portal:demo-portal-secret').toString('base64')}`,
        organisation_agb: 'http://fhir.nl/fhir/NamingSystem/agb-z|01234567',
      },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: subject,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: 'xis',
        scope: 'patient/*.read',
      }).toString(),
      durationSeconds,
    });
}
