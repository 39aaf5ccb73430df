/**
 * SMART App Launch 2.x resource scopes (§"Scopes for requesting clinical data"):
 * `{patient|user|system}/{ResourceType|*}.{permissions}`, where the permissions are v2's `cruds`
 * letters — any non-empty subset, in that order — or v1's `read`, `write`, `*`. Search-narrowed v2
 * scopes (`patient/Observation.rs?category=…`) are not parsed: a client gets one only when registered
 * for it word for word (`scopeCovers`).
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
 * Whether holding `held` allows `requested`: both are resource scopes of the same context, `held`
 * names the same resource type or `*`, and grants every permission `requested` asks for — so
 * `patient/*.rs` covers `patient/Observation.r` and `patient/*.read`, but not `patient/*.write`.
 * Any other value covers only itself, a search-narrowed one too (held or asked for): its search is
 * free text from the request, and covered by a wider scope it would carry whatever a client wrote
 * (a CPR in `identifier=`) into the token's `scope`, the token response and the audit trail; only
 * one an administrator registered for the client, word for word, is granted.
 */
export function scopeCovers(held: string, requested: string): boolean {
  if (held === requested) return true;
  const h = parseSmartResourceScope(held);
  const r = parseSmartResourceScope(requested);
  if (!h || !r || h.context !== r.context) return false;
  if (h.resource !== '*' && h.resource !== r.resource) return false;
  return [...r.permissions].every((permission) => h.permissions.includes(permission));
}

/**
 * The context (`patient`, `user`, `system`) of a SMART resource scope, a search-narrowed one
 * (`patient/Observation.rs?category=…`, which a client may be registered for) too; undefined for any
 * other value.
 */
export function resourceScopeContext(scope: string): SmartScopeContext | undefined {
  const query = scope.indexOf('?');
  return parseSmartResourceScope(query === -1 ? scope : scope.slice(0, query))?.context;
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
