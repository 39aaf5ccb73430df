import { z } from 'zod';
import { FHIR_ID } from '../../fhir/fhir-references.js';
import { USER_TYPES } from '../../identity/user-type.js';
import { isNationalIdentifierShaped } from '../../common/national-identifier-shape.js';
import { OAuthError } from '../../protocol/oauth-error.js';
import { parseOrganisationAgb } from '../../tenancy/organisation-agb.js';

/** How deep a chain of `act` claims (RFC 8693 §4.1) a partner's token may bring: more is not a delegation anyone made. */
export const MAX_ACTORS = 8;

/** RFC 7519 §4.1.2 StringOrURI, of a length a database column and a log reader can hold. */
const name = z.string().min(1).max(255);
const fhirId = z.string().regex(FHIR_ID);
/** SMART App Launch 2.0 `fhirUser`'s resource types. */
const FHIR_USER_TYPES = new Set(['Patient', 'Practitioner', 'RelatedPerson', 'Person']);
/** RFC 3986 unreserved characters, `%`, `:` and `/`: a reference, with no query, fragment or markup. */
const REFERENCE_CHARACTERS = /^[A-Za-z0-9\-._~%:/]+$/;

/**
 * SMART App Launch 2.0 `fhirUser`: `Type/id` of a Patient, Practitioner, RelatedPerson or Person, on
 * its own or at the end of an http(s) URL; the id a FHIR id (fhir/fhir-references.ts's `FHIR_ID`).
 */
function isFhirUser(value: string): boolean {
  if (value.length > 2048 || !REFERENCE_CHARACTERS.test(value)) return false;
  let path = value;
  const absolute = /^https?:\/\//i.test(value);
  if (absolute) {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    if (url.username || url.password) return false;
    path = url.pathname.slice(1);
  }
  const segments = path.split('/');
  if (!absolute && segments.length !== 2) return false;
  const [type, id] = segments.slice(-2);
  return type !== undefined && id !== undefined && FHIR_USER_TYPES.has(type) && FHIR_ID.test(id);
}

/**
 * The tenant, in either form an `organisation_agb` header has (tenancy/organisation-agb.ts), carried as
 * the bare code this service's tokens hold: a partner writing `agb-z|code` names the same organisation
 * as the header, and must not be refused as naming another (tenancy/exchange-tenant.ts compares codes).
 */
const agbCode = z
  .string()
  .max(255)
  .transform((value, context) => {
    const parsed = parseOrganisationAgb(value);
    if (parsed.ok) return parsed.code;
    context.addIssue({ code: 'custom', message: 'malformed' });
    return z.NEVER;
  });

/**
 * No CPR or BSN as a subject or an actor, which a token any client of the exchange gets names, and the
 * audit trail records: such an identifier enters a token only for a client configured for it. A FHIR
 * id (`patient`, a `context` member, `fhirUser`'s) is an id on a server, not checked so: a numeric id
 * passes the eleven-test one time in eleven, and this realm's own tokens carry such ids.
 */
const NATIONAL_IDENTIFIER = 'is a CPR or BSN; a subject must be pseudonymous';
const notNationalIdentifier = (value: string) => !isNationalIdentifierShaped(value);
const pseudonym = name.refine(notNationalIdentifier, NATIONAL_IDENTIFIER);

type Actor = { sub: string; client_id?: string; act?: Actor };
/** One actor of a chain, the actor it acted for under `act` (checked as the next link). */
const actor = z.object({ sub: pseudonym, client_id: pseudonym.optional(), act: z.unknown().optional() });

/**
 * A member of `context`: a FHIR id, or an absolute http(s) URL as this service's own tokens write it
 * (DESIGN.md §3); which server and type it names is checked against the realm's FHIR base when it is
 * carried (external-subject-context.ts). A relative `Type/id` is neither, and is refused.
 */
const contextMember = z.string().refine((value) => fhirId.safeParse(value).success || isAbsoluteUrl(value), 'malformed');

function isAbsoluteUrl(value: string): boolean {
  return value.length <= 2048 && REFERENCE_CHARACTERS.test(value) && /^https?:\/\//i.test(value) && URL.canParse(value);
}

const claims = z.object({
  sub: pseudonym,
  user_type: z.enum(USER_TYPES).optional(),
  fhirUser: z.string().refine(isFhirUser, 'malformed').optional(),
  patient: fhirId.optional(),
  context: z
    .strictObject({
      organization_id: contextMember.optional(),
      care_team_id: contextMember.optional(),
      patient_id: contextMember.optional(),
      episode_of_care_id: contextMember.optional(),
    })
    .optional(),
  may_act: z.object({ sub: name.optional(), client_id: name.optional() }).optional(),
  scope: z.string().max(4096).optional(),
  organisation_agb: agbCode.optional(),
});

export type ExternalSubjectClaims = z.infer<typeof claims> & { act?: Actor };

/**
 * The claims of a trusted issuer's subject token that an exchange carries into its own token or acts
 * on (exchange-subject.resolver.ts), held to the shapes this service's own tokens give them. The
 * partner signed the token, but what it says becomes a claim that FHIR servers and GP systems read in
 * a token of ours, and a row of our audit trail: so `sub` and an actor are refused when they are a CPR
 * or BSN (NATIONAL_IDENTIFIER), `patient` must be a FHIR id and `context` FHIR ids or absolute URLs
 * (placed on the realm's FHIR server, where all that names a patient must name one:
 * external-subject-context.ts), and `user_type` one this service issues.
 * A claim of another shape is refused by its name, `invalid_request` as for any unusable subject token
 * (RFC 8693 §2.2.2), never carried as it came.
 */
export function externalSubjectClaims(payload: Record<string, unknown>): ExternalSubjectClaims {
  const parsed = claims.safeParse(payload);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    // Fixed wording that names the claim, never its value (it may be anything a partner put there).
    throw refused(String(issue!.path[0]), issue!.code === 'custom' ? issue!.message : 'malformed');
  }
  const act = actorChain(payload.act);
  return act === undefined ? parsed.data : { ...parsed.data, act };
}

/**
 * The `act` chain, each link an actor of its own members only; walked, not recursed into, so no depth
 * of nesting costs a stack.
 */
function actorChain(act: unknown): Actor | undefined {
  const links: Actor[] = [];
  for (let link = act; link !== undefined;) {
    if (links.length === MAX_ACTORS) throw refused('act', `nests more than ${MAX_ACTORS} actors`);
    const parsed = actor.safeParse(link);
    if (!parsed.success) throw refused('act', parsed.error.issues[0]!.code === 'custom' ? parsed.error.issues[0]!.message : 'malformed');
    const { act: next, ...own } = parsed.data;
    links.push(own);
    link = next;
  }
  return links.reduceRight<Actor | undefined>((inner, own) => (inner ? { ...own, act: inner } : own), undefined);
}

export function refused(claim: string, why: string): OAuthError {
  return new OAuthError('invalid_request', `external subject token rejected: claim ${claim} ${why}`);
}
