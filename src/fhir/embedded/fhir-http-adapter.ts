import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, getStatus, normalizeOperationOutcome, validateResource } from '@medplum/core';
import type { FhirRequest, FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { BodyError, readBody, type ParsedBody } from './http-body.js';
import { capabilityStatement } from './capability-statement.js';
import { isHeldResourceType } from './resource-types.js';
import { parameterNames, unknownSearchParameters } from './strict-search.js';

type Outcome = ReturnType<typeof badRequest>;
type RouterResource = Parameters<typeof validateResource>[0];
type Method = FhirRequest['method'];

const METHODS = new Set<string>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

interface StoredResource {
  resourceType: string;
  id?: string;
  meta?: { versionId?: string; lastUpdated?: string };
  entry?: { fullUrl?: string; resource?: StoredResource }[];
}

/**
 * One FHIR base the embedded server answers at: its path on this server, and the absolute URL it is
 * known by (in `fullUrl`, `Location`), which need not be this server's own address — the service
 * serves the same store on its own port too (embedded-fhir-routes.ts).
 */
export interface FhirBase {
  path: string;
  url: string;
  /** The authorization server whose tokens the base's clients bring (SMART App Launch 2.x, CapabilityStatement). */
  oauth?: { authorize: string; token: string; introspect: string; revoke: string };
}

/**
 * Serves FHIR REST (R4 http.html) from Medplum's router over `node:http`. Medplum leaves the HTTP side
 * to its host (DESIGN.md §5): each request needs `url` relative to the base and an empty `pathname`,
 * and ETag, Location and Last-Modified are set here. On top of the router it refuses what would make
 * this server quietly unlike a real one: unknown search parameters, resources that do not conform
 * to their StructureDefinition (Medplum stores anything), transaction Bundles (not atomic here), and
 * resource types it does not hold (resource-types.ts).
 * Several bases may share the one store (one per realm); each answers with its own URLs and its own
 * CapabilityStatement (`metadata`).
 */
export class FhirHttpAdapter {
  private readonly router: FhirRouter;
  private readonly repo: MemoryRepository;
  private bases: FhirBase[];

  constructor(router: FhirRouter, repo: MemoryRepository, bases: FhirBase[]) {
    this.router = router;
    this.repo = repo;
    this.bases = bases;
  }

  /** Known only once the server listens on its (ephemeral) port: a base that is this server's own address. */
  setBaseUrl(baseUrl: string): void {
    this.bases = this.bases.map((base) => (base.url === '' ? { ...base, url: baseUrl } : base));
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://embedded.invalid');
      const method = request.method ?? 'GET';
      const base = this.bases.find((b) => url.pathname === b.path || url.pathname.startsWith(`${b.path}/`));
      if (!base) return send(response, 404, normalizeOperationOutcome(new Error('not a FHIR endpoint')));
      if (!METHODS.has(method)) return send(response, 405, badRequest(`method ${method} is not supported`));
      const path = url.pathname.slice(base.path.length).replace(/^\/+/, '');
      if (path === 'metadata' && method === 'GET') return send(response, 200, capabilityStatement(base));
      const unheld = unheldResourceType(path);
      if (unheld) {
        // R4 http.html: "404 Not Found - resource type not supported".
        return send(response, 404, normalizeOperationOutcome(new Error(`resource type ${unheld} is not held by this server`)));
      }
      const body = await readBody(request);
      const refusal = this.refusal(method as Method, path, url.search, body, request);
      if (refusal) return send(response, 400, refusal);

      const fhirRequest: FhirRequest = {
        method: method as Method,
        url: `${path}${url.search}`,
        pathname: '',
        body: body.value,
        params: {},
        query: {},
        headers: request.headers,
      };
      const [outcome, resource] = await this.router.handleRequest(fhirRequest, this.repo);
      const status = getStatus(outcome);
      return send(
        response,
        status,
        resource ? decorate(resource as StoredResource, base.url) : outcome,
        this.headers(status, resource, base.url),
      );
    } catch (error) {
      if (error instanceof BodyError) return send(response, error.status, badRequest(error.message));
      return send(response, 500, normalizeOperationOutcome(new Error('internal error')));
    }
  }

  /** Why the request is refused before it reaches Medplum, if it is. */
  private refusal(method: Method, path: string, search: string, body: ParsedBody, request: IncomingMessage): Outcome | undefined {
    const [resourceType = '', second] = path.split('/');
    const queries = [
      resourceType !== '' && (second === undefined || second === '_search') ? search : '',
      second === '_search' ? (body.form ?? '') : '',
      method === 'POST' && typeof request.headers['if-none-exist'] === 'string' ? request.headers['if-none-exist'] : '',
    ];
    const unknown = queries.flatMap((query) => unknownSearchParameters(resourceType, parameterNames(query)));
    if (unknown.length > 0) return badRequest(`unknown search parameter(s) for ${resourceType}: ${unknown.join(', ')}`);

    const bundle = body.value as { type?: string; entry?: unknown } | undefined;
    // A Bundle posted to the base (R4 http.html#transaction): its entries, else none; each an object
    // (R4 Bundle.entry is a BackboneElement), or the batch is malformed.
    const entries = method === 'POST' && path === '' ? (bundle?.entry ?? []) : undefined;
    if (
      entries &&
      (!Array.isArray(entries) || !entries.every((entry) => typeof entry === 'object' && entry !== null && !Array.isArray(entry)))
    ) {
      return badRequest('Bundle.entry must be a list of objects');
    }
    if (entries && bundle?.type === 'transaction') {
      return badRequest('transaction Bundles are not atomic on the embedded server; send a batch instead');
    }
    for (const [index, entry] of ((entries ?? []) as BatchEntry[]).entries()) {
      const unheld = unheldResourceType(String(entry.request?.url ?? '').split('?', 1)[0]!);
      if (unheld) return badRequest(`batch entry #${index}: resource type ${unheld} is not held by this server`);
    }
    const isCreateOrUpdate = resourceType !== '' && ((method === 'POST' && second === undefined) || method === 'PUT');
    const written = entries ? (entries as BatchEntry[]).map((e) => e.resource) : isCreateOrUpdate ? [body.value] : [];
    return invalidResource(written);
  }

  /** R4 http.html#versioning (ETag W/"versionId") and #create (Location with the version). */
  private headers(status: number, resource: unknown, baseUrl: string): Record<string, string> {
    const stored = resource as StoredResource | undefined;
    if (!stored?.id || !stored.meta?.versionId || stored.resourceType === 'Bundle') return {};
    const headers: Record<string, string> = { etag: `W/"${stored.meta.versionId}"` };
    if (stored.meta.lastUpdated) headers['last-modified'] = new Date(stored.meta.lastUpdated).toUTCString();
    if (status === 201) {
      headers.location = `${baseUrl}/${stored.resourceType}/${stored.id}/_history/${stored.meta.versionId}`;
    }
    return headers;
  }
}

/**
 * The resource type a path names that this server does not hold, if any: `Type…` and a compartment's
 * `Type/id/OtherType` (R4 http.html#search). System paths (`metadata`, `_history`, `_search`,
 * `$operation`, the base itself) name none; any other first segment does, `patient` too (R4 types are
 * case-sensitive), rather than reach the router as an empty search.
 */
function unheldResourceType(path: string): string | undefined {
  const segments = path.replace(/^\/+/, '').split('/');
  const [first = '', , third] = segments;
  if (first !== '' && !/^[_$]/.test(first) && first !== 'metadata' && !isHeldResourceType(first)) return first;
  return third !== undefined && /^[A-Z]/.test(third) && !isHeldResourceType(third) ? third : undefined;
}

/** Real servers give search entries a `fullUrl` (R4 Bundle.entry.fullUrl); Medplum's memory store does not. */
function decorate(resource: StoredResource, baseUrl: string): StoredResource {
  for (const entry of resource.resourceType === 'Bundle' ? (resource.entry ?? []) : []) {
    if (entry.resource?.id && entry.fullUrl === undefined) entry.fullUrl = `${baseUrl}/${entry.resource.resourceType}/${entry.resource.id}`;
  }
  return resource;
}

/** The first structural problem (StructureDefinition, not value sets) among resources to be written. */
function invalidResource(resources: unknown[]): Outcome | undefined {
  for (const resource of resources) {
    if (resource === undefined) continue;
    try {
      validateResource(resource as RouterResource);
    } catch (error) {
      return normalizeOperationOutcome(error);
    }
  }
  return undefined;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': FHIR_JSON, 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** What the refusal reads of a batch entry. */
interface BatchEntry {
  resource?: unknown;
  request?: { url?: unknown };
}
