import type { FhirResource as KitResource } from 'fhir-kit-client';
import type * as fhir4 from 'fhir/r4.js';
import { FhirUnavailableError, type FhirInteraction } from './fhir.errors.js';
import type { ResourceOf, ResourceType, SearchPage, Stored } from './fhir-resources.js';
import { malformedField } from './fhir-resource-shapes.js';

/**
 * A search's answer as a page: the matches of `type`, what `_include` added (when `includes`, the
 * search asked for it), the `next` link made absolute against `requestUrl` (where the gateway reaches
 * the server) and `Bundle.total`. A Bundle that breaks its own shape, holds a resource breaking the
 * shape of a field this service reads (fhir-resource-shapes.ts), or, for a search that asked for
 * nothing else, a resource that is no match of it (read as "no match", a citizen would log in without
 * their patient), is refused here, retryable, before anything reads it.
 */
export function readSearchPage<K extends ResourceType>(
  body: KitResource,
  type: K,
  requestUrl: string,
  includes: boolean,
): SearchPage<ResourceOf<K>> {
  const bundle = expectResource(body, 'Bundle', 'search', type);
  const page: SearchPage<ResourceOf<K>> = {
    matches: [],
    included: [],
    next: nextLink(bundle, type, requestUrl),
    total: bundleTotal(bundle, type),
    includes,
  };
  for (const entry of listOf<fhir4.BundleEntry>(bundle.entry, 'entry', type)) {
    const resource = entry.resource;
    if (resource !== undefined && !isObject(resource)) throw brokenBundle(type, 'an entry resource is not a resource');
    if (resource === undefined) continue;
    if (resource.resourceType === 'OperationOutcome') {
      // R4 search.html#errors: an outcome entry carries hints and warnings; an issue of severity error or
      // fatal ("sufficiently important to cause the action to fail", R4 valueset-issue-severity) says the
      // search failed, so its matches are no answer — none of them is not "no such patient".
      const failed = failedIssueCodes(resource);
      if (failed !== undefined)
        throw new FhirUnavailableError(`FHIR search ${type}: the answer holds an OperationOutcome saying the search failed${failed}`);
      continue;
    }
    if (typeof resource.id !== 'string') throw new FhirUnavailableError(`FHIR search ${type}: an entry has no id`);
    const malformed = malformedField(resource);
    if (malformed !== undefined)
      throw new FhirUnavailableError(`FHIR search ${type}: a ${resource.resourceType} in the answer is malformed (${malformed})`);
    const isMatch = entry.search?.mode ? entry.search.mode === 'match' : resource.resourceType === type;
    if (isMatch && resource.resourceType === type) page.matches.push(resource as Stored<ResourceOf<K>>);
    else if (includes) page.included.push(resource as Stored<fhir4.FhirResource>);
    else throw brokenBundle(type, `an entry is a ${resource.resourceType} the search did not ask for`);
  }
  return page;
}

/**
 * `page` (every page of a search) when it holds every match, for FhirGateway.searchAll, whose every
 * caller takes what it gets for all there is. `Bundle.total` counts the matches of the whole search (R4
 * bundle.html), so one above what every page held means some were left out: a clinician's role or
 * membership left out would never be ended, keeping in FHIR what the assertion took away; an
 * organisation, care team or episode the assertion or the citizen names, left out, would be a login
 * that succeeds without the rights it should carry. A broken answer, so retryable.
 */
export function wholeSearch<T extends fhir4.Resource>(page: SearchPage<T>, type: ResourceType): SearchPage<T> {
  if (page.total !== undefined && page.total > page.matches.length)
    throw new FhirUnavailableError(`FHIR search ${type}: Bundle.total counts more matches than the answer holds`);
  return page;
}

/**
 * `subject`: the resource type the interaction was about (a search's answer is a Bundle). A 2xx whose
 * body is not the resource asked for — empty (fhir-kit-client gives `{}`), an OperationOutcome, a
 * resource without its id, one breaking the shape of a field this service reads
 * (fhir-resource-shapes.ts) — is a broken answer, not a refusal: R4 http.html answers a refusal with a
 * 4xx status (and an OperationOutcome), a search with a searchset Bundle (search.html). So it is
 * retryable, like a 2xx that is not JSON at all (fhir-failure.ts).
 */
export function expectResource<K extends ResourceType>(
  body: KitResource,
  type: K,
  interaction: FhirInteraction,
  subject: string = type,
): Stored<ResourceOf<K>> {
  if (body.resourceType !== type || (type !== 'Bundle' && typeof body.id !== 'string')) {
    throw new FhirUnavailableError(`FHIR ${interaction} ${subject}: the answer is not a ${type}`);
  }
  const malformed = malformedField(body);
  if (malformed !== undefined)
    throw new FhirUnavailableError(`FHIR ${interaction} ${subject}: the answer is a malformed ${type} (${malformed})`);
  return body as unknown as Stored<ResourceOf<K>>;
}

/**
 * The `next` link, absolute. R4 http.html#paging: the links are opaque, to be followed as the server
 * gives them; a relative one is read, like any relative URL in a FHIR answer, against the service
 * base (R4 references.html#literal), here the address the gateway reaches that server at.
 */
function nextLink(bundle: fhir4.Bundle, type: string, requestUrl: string): string | undefined {
  const next = listOf<fhir4.BundleLink>(bundle.link, 'link', type).find((link) => link.relation === 'next');
  if (next === undefined) return undefined;
  if (typeof next.url !== 'string' || !URL.canParse(next.url, `${requestUrl}/`)) throw brokenBundle(type, 'the next link is not a URL');
  return new URL(next.url, `${requestUrl}/`).href;
}

/**
 * A Bundle that breaks its own shape (R4 bundle.html: `entry` and `link` are lists of elements,
 * `total` an unsignedInt) is a broken answer, like one that is not JSON: retryable, since the server
 * that sent it cannot be refusing anything (R4 http.html: refusals come as 4xx with an OperationOutcome).
 */
function brokenBundle(type: string, what: string): FhirUnavailableError {
  return new FhirUnavailableError(`FHIR search ${type}: the answer is a broken Bundle (${what})`);
}

function listOf<T>(value: unknown, field: 'entry' | 'link', type: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject)) throw brokenBundle(type, `${field} is not a list of elements`);
  return value as T[];
}

function bundleTotal(bundle: fhir4.Bundle, type: string): number | undefined {
  const total: unknown = bundle.total;
  if (total === undefined) return undefined;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) throw brokenBundle(type, 'total is not a count');
  return total;
}

/**
 * The codes of an OperationOutcome's issues of severity error or fatal, as ` (a, b)` (R4
 * OperationOutcome.issue.code is a fixed value set; diagnostics may echo input, so never those); `''`
 * for such issues without a code; undefined when it has none.
 */
function failedIssueCodes(outcome: object): string | undefined {
  const issues: unknown = (outcome as { issue?: unknown }).issue;
  const failed = (Array.isArray(issues) ? issues : []).filter(
    (issue): issue is { code?: unknown } =>
      isObject(issue) && ['error', 'fatal'].includes((issue as { severity?: unknown }).severity as string),
  );
  if (failed.length === 0) return undefined;
  const codes = failed.map((issue) => issue.code).filter((code): code is string => typeof code === 'string' && /^[a-z-]+$/.test(code));
  return codes.length > 0 ? ` (${[...new Set(codes)].join(', ')})` : '';
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
