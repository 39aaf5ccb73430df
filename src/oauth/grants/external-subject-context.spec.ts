import { OAuthError } from '../../protocol/oauth-error.js';
import { onePatient } from './external-subject-context.js';

const BASE = 'https://auth.example/fhir/nemlogin';

describe('the one patient a trusted partner’s token names', () => {
  it('is the same Patient on the realm’s FHIR server, however many of patient, context.patient_id and fhirUser name it', () => {
    expect(onePatient({ patient: 'p-1' }, undefined, BASE)).toBe(`${BASE}/Patient/p-1`);
    expect(onePatient({ patient: 'p-1', fhirUser: 'Patient/p-1' }, { patient_id: `${BASE}/Patient/p-1` }, BASE)).toBe(
      `${BASE}/Patient/p-1`,
    );
    expect(onePatient({ fhirUser: `${BASE}/Patient/p-1` }, undefined, BASE)).toBe(`${BASE}/Patient/p-1`);
    expect(onePatient({ fhirUser: 'Practitioner/d-1' }, undefined, BASE)).toBeUndefined();
  });

  it('leaves out a fhirUser on the partner’s own server: its record there, by its own id', () => {
    expect(onePatient({ patient: 'p-1', fhirUser: 'https://fhir.partner.example/Patient/77' }, undefined, BASE)).toBe(
      `${BASE}/Patient/p-1`,
    );
  });

  it('refuses two patients, by the patient claim', () => {
    for (const [claims, context] of [
      [{ patient: 'p-1' }, { patient_id: `${BASE}/Patient/p-2` }],
      [{ patient: 'p-1', fhirUser: 'Patient/p-3' }, undefined],
      [{ fhirUser: `${BASE}/Patient/p-4` }, { patient_id: `${BASE}/Patient/p-1` }],
    ] as const) {
      let error: unknown;
      try {
        onePatient(claims, context, BASE);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(OAuthError);
      expect((error as OAuthError).reason).toBe(
        'external subject token rejected: claim patient names another patient than context.patient_id or fhirUser',
      );
    }
  });
});
