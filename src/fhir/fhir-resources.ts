import type * as fhir4 from 'fhir/r4.js';

/** The words every FHIR client here shares: resource types, stored resources, searches and their pages. */

export type ResourceType = fhir4.FhirResource['resourceType'];
export type ResourceOf<K extends ResourceType> = Extract<fhir4.FhirResource, { resourceType: K }>;
/** A resource as the server holds it: it has a logical id (and normally `meta.versionId`). */
export type Stored<T extends fhir4.Resource> = T & { id: string };
export type SearchParams = Record<string, string | string[]>;

export interface FhirCallOptions {
  /** AGB code (or `agb-z|code`) of the tenant, sent as the `organisation_agb` header (Spreekuur). */
  tenant?: string;
  /**
   * Ends every request of the call, and its retries, when it aborts: a login's overall FHIR deadline
   * (`fhir.loginDeadlineMs`), on top of each request's own `timeoutMs`.
   */
  signal?: AbortSignal;
}

export interface SearchPage<T extends fhir4.Resource> {
  /** Entries with `search.mode = match`. */
  matches: Stored<T>[];
  /** Entries added by `_include` / `_revinclude` (`search.mode = include`). */
  included: Stored<fhir4.FhirResource>[];
  /** Whether the search asked for `_include` / `_revinclude`: without, an entry that is no match is a broken answer. */
  includes?: boolean;
  /** The `next` link, absolute (resolved against the base when the server sent it relative). */
  next?: string;
  /**
   * `Bundle.total`, when the server says: the matches in the whole search, not on this page (R4
   * bundle.html, Bundle.total), so a page holding fewer shows that the rest are elsewhere.
   */
  total?: number;
}
