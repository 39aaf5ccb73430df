import { loginTokens } from '../support/login-flow.js';
import { fhirRoundTrips, runFlows } from './flows.js';
import type { LoadResult } from './load.js';

const APP = { clientId: 'patient-app', redirectUri: 'http://localhost:3000/callback' };
const CLINICIAN_APP = { clientId: 'clinician-app', redirectUri: 'http://localhost:3000/callback' };

export interface LinkedLoginResult extends LoadResult {
  fhirReadsPerLogin: number;
  fhirWritesPerLogin: number;
}

/**
 * Whole logins through the mock login page (authorize → page → post → code → token: 4 requests),
 * linked to the embedded FHIR server: a citizen found by CPR, a returning clinician. The FHIR
 * round trips per login come from /metrics.
 */
export async function benchLinkedLogins(baseUrl: string): Promise<LinkedLoginResult[]> {
  const scenarios = [
    { name: 'login, citizen found in FHIR (mock IdP)', realm: 'nemlogin', user: 'nancy', client: APP, scope: 'openid patient/*.read' },
    { name: 'login, returning clinician (mock IdP)', realm: 'ehealth', user: 'dr-hansen', client: CLINICIAN_APP, scope: 'openid' },
  ];
  const results: LinkedLoginResult[] = [];
  for (const s of scenarios) {
    await loginTokens(baseUrl, s.realm, s.user, s.scope, s.client); // first login: the clinician is created here
    const before = await fhirRoundTrips(baseUrl);
    const result = await runFlows(s.name, () => loginTokens(baseUrl, s.realm, s.user, s.scope, s.client).then(() => undefined));
    const after = await fhirRoundTrips(baseUrl);
    results.push({
      ...result,
      fhirReadsPerLogin: Math.round(((after.reads - before.reads) / result.total) * 100) / 100,
      fhirWritesPerLogin: Math.round(((after.writes - before.writes) / result.total) * 100) / 100,
    });
  }
  return results;
}
