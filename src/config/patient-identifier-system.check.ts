import type { z } from 'zod';
import { BSN_SYSTEM, CPR_SYSTEM, NATIONAL_IDENTIFIER_CLAIMS } from './national-identifier-systems.js';

/** What of a realm the check reads (the parsed `realms[]` entry). */
interface RealmIdentifiers {
  patientIdentifierSystem?: string;
  identityProviders: readonly { alias: string; profile: string }[];
  clients: readonly { clientId: string; nationalIdentifier?: boolean }[];
}

/**
 * `patientIdentifierSystem` is applied unevenly by design: NemLog-in (oiosaml3-citizen.profile.ts,
 * CPR when unset) and mocked citizens (login/mock-principal.ts) are searched by it, the nl-citizen
 * profile always by the BSN's system (nl-citizen.profile.ts). Two combinations would fail silently:
 * - a system with no claim (tokens/national-identifier-claim.ts) beside a client that asks for the
 *   national identifier (`nationalIdentifier: true`, DESIGN.md §3): its tokens would carry none;
 * - a system other than the BSN's in a realm with an nl-citizen IdP: mocked citizens would be another
 *   person (another identifier) than the same citizen logging in by DigiD.
 * Refused at boot with the key and the reason (DESIGN.md §4).
 */
export function checkPatientIdentifierSystem(realm: RealmIdentifiers, ctx: z.RefinementCtx): void {
  const system = realm.patientIdentifierSystem;
  if (system === undefined) return;
  const path = ['patientIdentifierSystem'];
  const asking = realm.clients.find((client) => client.nationalIdentifier);
  if (asking && NATIONAL_IDENTIFIER_CLAIMS[system] === undefined) {
    ctx.addIssue({
      code: 'custom',
      path,
      message:
        `client ${asking.clientId} has nationalIdentifier: true, but only a CPR (${CPR_SYSTEM}) or BSN (${BSN_SYSTEM}) ` +
        `travels in a token (cpr, bsn); this realm's citizens would carry none`,
    });
  }
  const dutch = realm.identityProviders.find((idp) => idp.profile === 'nl-citizen');
  if (dutch && system !== BSN_SYSTEM) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: `the nl-citizen IdP ${dutch.alias} identifies citizens by BSN (${BSN_SYSTEM}); mocked citizens of this realm would be searched by another system`,
    });
  }
}
