/**
 * SMART App Launch 2.x resource scopes (§"Scopes for requesting clinical data"):
 * `{patient|user|system}/{ResourceType|*}.{permissions}`, where the permissions are v2's `cruds`
 * letters — any non-empty subset, in that order — or v1's `read`, `write`, `*`. A v2 scope may be
 * narrowed by search parameters (`patient/Observation.rs?category=…`, §"Finer-grained resource
 * constraints using search parameters"): {@link parseSmartResourceScope} reads only the resource
 * scope itself, {@link splitSearchNarrowing} separates the two.
 *
 * Written here rather than taken from a library: the grammar is one regular expression, and the
 * SMART client libraries on npm parse scopes only to build requests, not to compare them.
 */

export type SmartScopeContext = 'patient' | 'user' | 'system';

export interface SmartResourceScope {
  context: SmartScopeContext;
  /** A FHIR resource type, or `*` for all of them. */
  resource: string;
  /** The v2 permission letters it grants, in `cruds` order (v1 values translated). */
  permissions: string;
}

const RESOURCE_SCOPE = /^(patient|user|system)\/([A-Z][A-Za-z]{0,63}|\*)\.(read|write|\*|c?r?u?d?s?)$/;

/**
 * SMART 2.x §"Scopes for requesting clinical data", v1 compatibility: `read` is `rs` (read and
 * search), `write` is `cud`, `*` is everything.
 */
const V1_PERMISSIONS: Readonly<Record<string, string>> = { read: 'rs', write: 'cud', '*': 'cruds' };

/** The parts of a SMART resource scope, or undefined when `scope` is not one. */
export function parseSmartResourceScope(scope: string): SmartResourceScope | undefined {
  const match = RESOURCE_SCOPE.exec(scope);
  if (!match) return undefined;
  const permissions = V1_PERMISSIONS[match[3]!] ?? match[3]!;
  // The pattern lets the empty string through (every letter is optional); v2 needs at least one.
  if (permissions === '') return undefined;
  return { context: match[1] as SmartScopeContext, resource: match[2]!, permissions };
}

/**
 * A resource scope and the search parameters narrowing it: `patient/Observation.rs?category=…` is
 * `patient/Observation.rs` and `category=…`. Undefined for a value that is no resource scope, or whose
 * `?` is followed by nothing.
 */
export function splitSearchNarrowing(scope: string): { resourceScope: SmartResourceScope; search: string | undefined } | undefined {
  const at = scope.indexOf('?');
  const resourceScope = parseSmartResourceScope(at === -1 ? scope : scope.slice(0, at));
  if (resourceScope === undefined || at === scope.length - 1) return undefined;
  return { resourceScope, search: at === -1 ? undefined : scope.slice(at + 1) };
}

/**
 * Whether holding `held` allows `requested`: both are resource scopes of the same context, `held`
 * names the same resource type or `*`, and grants every permission `requested` asks for — so
 * `patient/*.rs` covers `patient/Observation.r` and `patient/*.read`, but not `patient/*.write`.
 * Search parameters only narrow (SMART 2.x: "the scope grants access only to resources matching the
 * search"), so `patient/*.rs` covers `patient/Observation.rs?category=laboratory`; a narrowed scope
 * held covers only itself, since which other searches stay within one is the FHIR server's to say.
 * Any other value covers only itself.
 */
export function scopeCovers(held: string, requested: string): boolean {
  if (held === requested) return true;
  const h = splitSearchNarrowing(held);
  const r = splitSearchNarrowing(requested);
  if (!h || !r || h.search !== undefined) return false;
  const [hs, rs] = [h.resourceScope, r.resourceScope];
  if (hs.context !== rs.context) return false;
  if (hs.resource !== '*' && hs.resource !== rs.resource) return false;
  return [...rs.permissions].every((permission) => hs.permissions.includes(permission));
}

/**
 * The context (`patient`, `user`, `system`) of a SMART resource scope, a search-narrowed one
 * (`patient/Observation.rs?category=…`) too; undefined for any other value.
 */
export function resourceScopeContext(scope: string): SmartScopeContext | undefined {
  return splitSearchNarrowing(scope)?.resourceScope.context;
}

/**
 * Whether `scope` needs a patient in context (SMART App Launch 2.x §"Scopes and launch context": a
 * server granting a patient-level scope SHALL provide a `patient` launch context): `launch/patient`,
 * and every `patient/…` resource scope, search-narrowed or not.
 */
export function needsPatientContext(scope: string): boolean {
  return scope === 'launch/patient' || resourceScopeContext(scope) === 'patient';
}

/**
 * Of `scopes`, those a token of this subject can bear: a patient-level scope only beside a patient
 * ({@link needsPatientContext}), and a `system/…` scope only in a machine's token, never in a person's,
 * which a FHIR server would not limit to that person.
 */
export function scopesTheSubjectBears(scopes: readonly string[], subject: { person: boolean; hasPatient: boolean }): string[] {
  return scopes.filter(
    (scope) => !(needsPatientContext(scope) && !subject.hasPatient) && !(subject.person && resourceScopeContext(scope) === 'system'),
  );
}
