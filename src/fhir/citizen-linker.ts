import type * as fhir4 from 'fhir/r4.js';
import type { IdentityLink } from '../identity/identity-link.js';
import type { CitizenPrincipal } from '../identity/principal.js';
import { AmbiguousIdentityError } from '../identity/linking-errors.js';
import { FhirRequestError, FhirUnavailableError } from './fhir.errors.js';
import type { FhirGateway } from './fhir.gateway.js';
import type { FhirCallOptions, SearchPage, SearchParams, Stored } from './fhir-resources.js';
import { hasIdentifier, searchToken } from './fhir-references.js';
import { recordsInUse, recordsStandingFor } from './patient-records.js';
import { checkedCitizenEpisode } from './citizen-episode.js';
import { PatientReplacements } from './patient-replacement.js';

/**
 * How many records the search asks for on a page (R4 search.html#count). Two would tell one match from
 * several, but records not in use (merged away, inactive) do not count, so the one in use may come
 * after them; and a server need not give `next` links (the embedded server gives `Bundle.total` and no
 * links), so what the first page leaves out may be out of reach. Ten holds every record of a person
 * with a few merges behind them in one round trip, and still keeps a bad register from being read
 * whole: more than that on a server without `next` links is a broken answer (below), never a guess.
 */
const RECORDS_PER_PAGE = 10;

/**
 * Citizen login (DOMAIN.md): search `Patient?identifier={system}|{ssn}` — one round trip. One match
 * links the Patient; none still lets the citizen in, with no patient and so no rights; more than
 * one links nobody, since picking one could show a citizen another person's record. Only the records
 * that stand for the person count (patient-records.ts): not one a merge replaced, and not an inactive
 * one beside a record in use. When every record found was replaced, the record that replaced them is
 * followed to (patient-replacement.ts): a merge must not leave the citizen without their record.
 */
export class CitizenLinker {
  private readonly replacements: PatientReplacements;

  constructor(private readonly gateway: FhirGateway) {
    this.replacements = new PatientReplacements(gateway);
  }

  async link(principal: CitizenPrincipal, options: FhirCallOptions): Promise<IdentityLink> {
    const matches = await this.matches({ identifier: searchToken(principal.ssn), _count: String(RECORDS_PER_PAGE) }, options);
    const standing = recordsStandingFor(matches);
    if (standing.length > 1) throw new AmbiguousIdentityError('Patient', principal.ssn.system);
    // A server that ignored the identifier parameter would hand back some other person: fail closed.
    // With no record standing, every match is a replaced record whose links would be followed.
    if ((standing.length > 0 ? standing : matches).some((match) => !hasIdentifier(match, principal.ssn)))
      throw new FhirRequestError('FHIR search Patient: a match lacks the searched identifier');
    const patient = standing[0] ?? (matches.length > 0 ? await this.replacements.survivor(matches, principal.ssn, options) : undefined);
    const url = patient === undefined ? undefined : this.gateway.absoluteUrl(`Patient/${patient.id}`);
    if (principal.episodeOfCare === undefined) return { kind: 'patient', patient: url };
    // A mocked citizen's episode: one more read, checked as the citizen's own choice of one is.
    return {
      kind: 'patient',
      patient: url,
      episodeOfCare: await checkedCitizenEpisode(this.gateway, principal.episodeOfCare, url, options),
    };
  }

  /**
   * Enough of the records found to tell none standing for the person from one from several. "None" links a
   * citizen with no rights while the login succeeds, and a record in use on a later page outranks an
   * inactive one, so only two records in use decide before the answer is complete: a page with a
   * `next` link (R4 http.html#paging) may have its matches on later pages, which are followed; a
   * `total` above the matches returned (R4 bundle.html, Bundle.total counts the whole search) means
   * some were left out, and if even every page does not hold them the answer is broken, so retryable.
   */
  private async matches(params: SearchParams, options: FhirCallOptions): Promise<Stored<fhir4.Patient>[]> {
    const first = await this.gateway.search('Patient', params, options);
    if (recordsInUse(first.matches) > 1 || isComplete(first)) return first.matches;
    const all = await this.gateway.followPages('Patient', first, options);
    if (recordsInUse(all.matches) > 1 || isComplete(all)) return all.matches;
    throw new FhirUnavailableError('FHIR search Patient: Bundle.total counts more matches than the answer holds');
  }
}

function isComplete(page: SearchPage<fhir4.Patient>): boolean {
  return page.next === undefined && (page.total === undefined || page.total <= page.matches.length);
}
