import { decodeJwt, SignJWT } from 'jose';
import { DATABASE, type Database } from '../../src/storage/database.js';
import { EXTERNAL_ISSUER, expectRefused, JWT, exchangeServerForSuite } from '../support/token-exchange-server.js';

/**
 * A trusted partner's `context` in the token this service issues: DESIGN.md §3 and DOMAIN.md
 * ("`context` with `organization_id`, `care_team_id`, `episode_of_care_id`, `patient_id` as absolute
 * FHIR URLs"), whichever issuer vouched for the subject, since FHIR servers and the XIS read every
 * token of this realm alike.
 */
describe('token exchange: a trusted partner’s context, in the shape of this realm’s tokens', () => {
  const h = exchangeServerForSuite();

  /** This realm's FHIR base, as its own tokens name it: the base of a citizen's `context.patient_id`. */
  const fhirBase = async (): Promise<string> => {
    const own = decodeJwt((await h.patientLogin()).access_token) as { context: { patient_id: string } };
    return own.context.patient_id.replace(/\/Patient\/[^/]+$/, '');
  };

  const partnerToken = (context?: Record<string, string>) =>
    new SignJWT({ user_type: 'PATIENT', patient: 'p-1', ...(context ? { context } : {}) })
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .setIssuer(EXTERNAL_ISSUER)
      .setSubject('partner-user-7')
      .setAudience(h.issuer)
      .setExpirationTime(Math.floor(h.clock.now().getTime() / 1000) + 300)
      .sign(h.externalKey);

  it('a partner’s bare ids become absolute FHIR URLs on this realm’s FHIR server, as every context here is', async () => {
    const base = await fhirBase();
    const response = await h.exchange(await partnerToken({ patient_id: 'p-1', organization_id: 'org.2' }), { subject_token_type: JWT });
    expect(response.status).toBe(200);
    const claims = decodeJwt(response.body.access_token as string);
    expect(claims.context).toEqual({ patient_id: `${base}/Patient/p-1`, organization_id: `${base}/Organization/org.2` });
    // SMART's `patient` stays the bare id.
    expect(claims.patient).toBe('p-1');
  });

  it('a partner’s context written as this realm’s tokens write it (absolute URLs) is taken as it is', async () => {
    const base = await fhirBase();
    const context = { patient_id: `${base}/Patient/p-1`, care_team_id: `${base}/CareTeam/ct-1` };
    const response = await h.exchange(await partnerToken(context), { subject_token_type: JWT });
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token as string).context).toEqual(context);
  });

  it('a context on another FHIR server, or naming a resource of another type, is refused, never carried', async () => {
    const base = await fhirBase();
    for (const context of <Record<string, string>[]>[
      { patient_id: 'https://fhir.elsewhere.example/Patient/p-1' },
      { patient_id: `${base}/Practitioner/p-1` },
      { care_team_id: `${base}/CareTeam/ct-1/_history/2` },
    ])
      expectRefused(await h.exchange(await partnerToken(context), { subject_token_type: JWT }), 'invalid_request');
  });

  it('an exchange for the patient a partner names by `patient` alone records that patient, as its own tokens’ exchanges do', async () => {
    const base = await fhirBase();
    const response = await h.exchange(await partnerToken(), { subject_token_type: JWT });
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token as string).patient).toBe('p-1');
    const { rows } = await h.server.app
      .get<Database>(DATABASE)
      .query<{ details: { patient?: string } }>(
        "SELECT details FROM audit_events WHERE type = 'TOKEN_EXCHANGE' AND user_id = 'partner-user-7'",
      );
    expect(rows.at(-1)!.details.patient).toBe(`${base}/Patient/p-1`);
  });

  it('a partner’s token naming two patients is refused, never carried', async () => {
    const response = await h.exchange(await partnerToken({ patient_id: 'p-2' }), { subject_token_type: JWT });
    expectRefused(response, 'invalid_request');
  });
});
