import type * as fhir4 from 'fhir/r4.js';
import type { Identifier } from '../identity/principal.js';

/**
 * FHIR R4 `id` (datatypes.html#id): 1–64 of `[A-Za-z0-9\-.]`, less `.` and `..`: the grammar allows
 * them, but as a URL path segment they mean "this type" and "the base" (RFC 3986 §5.2.4), so a read
 * of `Patient/..` would become an unfiltered search.
 */
export const FHIR_ID = /^(?!\.{1,2}$)[A-Za-z0-9\-.]{1,64}$/;

/**
 * A token search value `system|value` (R4 search.html#token), with `\ , $ |` escaped as R4
 * search.html#escaping requires, so an identifier value cannot split into an OR (`,`).
 */
export function searchToken(identifier: Identifier): string {
  return `${escapeSearchValue(identifier.system)}|${escapeSearchValue(identifier.value)}`;
}

export function escapeSearchValue(value: string): string {
  return value.replace(/[\\,$|]/g, (c) => `\\${c}`);
}

/** A relative literal reference `Type/id` (R4 references.html#literal). */
export function referenceTo(resource: { resourceType: string; id: string }): string {
  return `${resource.resourceType}/${resource.id}`;
}

/**
 * The resource a literal reference names (R4 references.html#literal), as the absolute URL a context
 * carries (DOMAIN.md: absolute FHIR URLs on the realm's server): relative ones on `base`, a version
 * (`…/_history/n`) dropped, since a context is the resource and not one version of it. Undefined for
 * what names no resource on this server: a contained `#id`, a reference without `Type/id` at its end,
 * or one on another server, which nothing here can check and a context choice refuses (contextId).
 */
export function resourceUrl(reference: string | undefined, base: string): string | undefined {
  const match = reference === undefined ? null : /^(.*?)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  if (!match) return undefined;
  const [, prefix, typeAndId] = match;
  return prefix === '' || prefix === `${base}/` ? `${base}/${typeAndId}` : undefined;
}

/**
 * Whether `reference` (relative, absolute, or versioned `…/_history/n`) points at `Type/id`. Other
 * writers may store absolute references to the same server (R4 references.html#literal), so compare by the tail.
 */
export function pointsTo(reference: fhir4.Reference | undefined, target: string): boolean {
  const value = reference?.reference;
  if (value === undefined) return false;
  const withoutHistory = value.replace(/\/_history\/[^/]+$/, '');
  return withoutHistory === target || withoutHistory.endsWith(`/${target}`);
}

export function hasIdentifier(resource: { identifier?: fhir4.Identifier[] }, identifier: Identifier): boolean {
  return (resource.identifier ?? []).some((i) => i.system === identifier.system && i.value === identifier.value);
}
