import { Client, type FhirResource as KitResource, type RequestOptions } from 'fhir-kit-client';
import { DEFAULT_FHIR_MAX_ANSWER_BYTES } from '../config/fhir-config.schema.js';
import { expectResource, readSearchPage, wholeSearch } from './fhir-answers.js';
import {
  FhirError,
  notFoundAsUndefined,
  FhirPreconditionFailedError,
  FhirRequestError,
  FhirUnavailableError,
  type FhirInteraction,
} from './fhir.errors.js';
import { fhirClient } from './fhir-exchange.js';
import { toFhirError } from './fhir-failure.js';
import { isUnderBase, queryString, requestSignal, tenantHeader } from './fhir-request-parts.js';
import type { FhirCallOptions, ResourceOf, ResourceType, SearchPage, SearchParams, Stored } from './fhir-resources.js';
import { withRetries } from './fhir-retry.js';
import { FhirRoundTripMeter, type FhirRoundTripListener, type FhirRoundTrips } from './fhir-round-trips.js';

export interface FhirGatewaySettings {
  /** FHIR base URL (R4 http.html, "Service Base URL"). */
  baseUrl: string;
  /**
   * Where requests go when the server is reached at another address than its base URL (the embedded
   * server: known by `{publicUrl}/fhir/{realm}`, reached on its loopback port); the base URL by default.
   */
  requestUrl?: string;
  bearerToken?: string;
  /** Per HTTP request; the request is aborted when it runs out. */
  timeoutMs: number;
  /** Extra tries for reads and searches only; writes are never repeated. */
  retries: number;
  /** First pause between tries, doubling; 50 ms unless set. */
  backoffMs?: number;
  /** The most of one answer that is read (`fhir.maxAnswerBytes`); its default unless set. */
  maxAnswerBytes?: number;
}

/** Beyond this a search is refused rather than silently cut short. */
const MAX_PAGES = 20;

/**
 * The only code that talks to FHIR (DESIGN.md §4: gateways wrap third-party I/O). Searches go by
 * POST `_search` (R4 http.html#search) so identifiers never appear in URLs and so in no access log.
 * fhir-kit-client types every body as a plain record; the casts to FHIR types stay in this file.
 */
export class FhirGateway {
  readonly baseUrl: string;
  private readonly requestUrl: string;
  private readonly client: Client;

  constructor(
    private readonly settings: FhirGatewaySettings,
    private readonly meter = new FhirRoundTripMeter(),
  ) {
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.requestUrl = (settings.requestUrl ?? settings.baseUrl).replace(/\/+$/, '');
    this.client = fhirClient({
      requestUrl: this.requestUrl,
      bearerToken: settings.bearerToken,
      maxAnswerBytes: settings.maxAnswerBytes ?? DEFAULT_FHIR_MAX_ANSWER_BYTES,
    });
  }

  /**
   * The same server under another base (a realm's base on the embedded server): its own URLs, the
   * same settings, and the same round-trip counts and listeners as this gateway.
   */
  withBase(baseUrl: string, requestUrl: string): FhirGateway {
    return new FhirGateway({ ...this.settings, baseUrl, requestUrl }, this.meter);
  }

  /** `Patient/1` → `{baseUrl}/Patient/1`; an absolute URL is returned as it is. */
  absoluteUrl(reference: string): string {
    return /^https?:\/\//i.test(reference) ? reference : `${this.baseUrl}/${reference}`;
  }

  /**
   * Whether the server answers with its CapabilityStatement (R4 http.html#capabilities) within
   * `withinMs` (at most the request timeout): for readiness, so it is neither retried nor counted as a
   * round trip.
   */
  async answers(withinMs: number): Promise<boolean> {
    try {
      const signal = AbortSignal.timeout(Math.min(withinMs, this.settings.timeoutMs));
      const body = await this.client.capabilityStatement({ signal });
      return body.resourceType === 'CapabilityStatement';
    } catch {
      return false;
    }
  }

  stats(): FhirRoundTrips {
    return this.meter.stats();
  }

  onRoundTrip(listener: FhirRoundTripListener): void {
    this.meter.onRoundTrip(listener);
  }

  /** The first page of a type search. */
  async search<K extends ResourceType>(type: K, params: SearchParams, options: FhirCallOptions = {}): Promise<SearchPage<ResourceOf<K>>> {
    const bundle = await this.sendRead('search', type, options, (o) =>
      this.client.resourceSearch({ resourceType: type, searchParams: params, options: { ...o, postSearch: true } }),
    );
    return readSearchPage<K>(bundle, type, this.requestUrl, '_include' in params || '_revinclude' in params);
  }

  /** Every page of a type search (`next` links on this server only, R4 http.html "Paging"): every match, or wholeSearch refuses it. */
  async searchAll<K extends ResourceType>(
    type: K,
    params: SearchParams,
    options: FhirCallOptions = {},
  ): Promise<SearchPage<ResourceOf<K>>> {
    return wholeSearch(await this.followPages(type, await this.search(type, params, options), options), type);
  }

  /** `first` (a page from {@link search}) with every later page's entries added, following `next` links, at most MAX_PAGES. */
  async followPages<K extends ResourceType>(
    type: K,
    first: SearchPage<ResourceOf<K>>,
    options: FhirCallOptions = {},
  ): Promise<SearchPage<ResourceOf<K>>> {
    const result = { ...first, matches: [...first.matches], included: [...first.included] };
    for (let pages = 1; result.next !== undefined; pages++) {
      if (pages >= MAX_PAGES) throw new FhirRequestError(`FHIR search ${type}: more than ${MAX_PAGES} pages`);
      const page = readSearchPage<K>(await this.nextPage(type, result.next, options), type, this.requestUrl, result.includes === true);
      result.matches.push(...page.matches);
      result.included.push(...page.included);
      result.next = page.next;
    }
    return result;
  }

  /**
   * Enough of a search to tell none from one from several: `_count=2`, and its later pages while it has shown
   * fewer (R4 search.html#count: a server may). Several: more matches, or a `Bundle.total` above one.
   */
  async searchOneOrSeveral<K extends ResourceType>(
    type: K,
    criteria: SearchParams,
    options: FhirCallOptions = {},
  ): Promise<SearchPage<ResourceOf<K>>> {
    const first = await this.search(type, { ...criteria, _count: '2' }, options);
    return first.matches.length > 1 ? first : this.followPages(type, first, options);
  }

  /** The answer a `next` link leads to, on this server only. */
  private async nextPage(type: ResourceType, next: string, options: FhirCallOptions): Promise<KitResource> {
    if (!this.isThisServer(new URL(next))) throw new FhirRequestError(`FHIR search ${type}: a next link leaves the server`);
    return this.sendRead('search', type, options, (o) => this.client.request(next, { options: o }));
  }

  async readResource<K extends ResourceType>(type: K, id: string, options: FhirCallOptions = {}): Promise<Stored<ResourceOf<K>>> {
    const body = await this.sendRead('read', type, options, (o) => this.client.read({ resourceType: type, id, options: o }));
    return expectResource(body, type, 'read');
  }

  /**
   * Conditional create (R4 http.html#ccreate, `If-None-Exist`): the server creates the resource only when
   * the criteria match nothing, so concurrent first logins converge on one resource — provided the
   * server evaluates criteria and insert atomically. `created` is false when it already existed.
   * `isMeant` tells whether a resource found by other means than the answer's body is the one the
   * criteria name (the identifier a search for them would check).
   */
  async createIfNoneExist<K extends ResourceType>(
    resource: ResourceOf<K>,
    criteria: SearchParams,
    isMeant: (found: Stored<ResourceOf<K>>) => boolean,
    options: FhirCallOptions = {},
  ): Promise<{ resource: Stored<ResourceOf<K>>; created: boolean }> {
    const type = resource.resourceType as K;
    const ifNoneExist = queryString(criteria);
    const body = await this.sendWrite('create', type, options, { 'if-none-exist': ifNoneExist }, (o) =>
      this.client.create({ resourceType: type, body: resource as unknown as KitResource, options: o }),
    );
    const { response } = Client.httpFor(body);
    const created = response?.status === 201;
    if (typeof body.id === 'string') return { resource: expectResource(body, type, 'create'), created };
    return { resource: await this.findCreated(type, criteria, isMeant, response?.headers.get('location') ?? undefined, options), created };
  }

  /**
   * The resource a conditional create answered without a body is about. R4 http.html#create: the
   * Location header names it (`{base}/{type}/{id}/_history/{vid}`), read on this server only, as a `next`
   * link is followed; without one (or when it is not found), the criteria do (searchOneOrSeveral). Only one
   * match, the one meant, is taken. None yet is retryable (the server just said it exists); several is the
   * 412 the create could have answered (criteria not selective, R4 http.html#ccreate); one not meant is unsafe.
   */
  private async findCreated<K extends ResourceType>(
    type: K,
    criteria: SearchParams,
    isMeant: (found: Stored<ResourceOf<K>>) => boolean,
    location: string | undefined,
    options: FhirCallOptions,
  ): Promise<Stored<ResourceOf<K>>> {
    const id = location === undefined ? undefined : this.idInLocation(type, location);
    const named = id === undefined ? undefined : await this.readResource(type, id, options).catch(notFoundAsUndefined);
    const { matches: found, total = 0 } =
      named === undefined ? await this.searchOneOrSeveral(type, criteria, options) : { matches: [named] };
    if (found.length === 0) throw new FhirUnavailableError(`FHIR create ${type}: the resource cannot be found after creating it`);
    if (found.length > 1 || total > 1)
      throw new FhirPreconditionFailedError(`FHIR create ${type}: several resources match the criteria after creating one`);
    if (!isMeant(found[0]!))
      throw new FhirRequestError(`FHIR create ${type}: the resource found after creating one does not match the criteria`);
    return found[0]!;
  }

  /** Whether `url` is on this server: under its base URL or the one it is reached at (isUnderBase). */
  private isThisServer(url: URL): boolean {
    return isUnderBase(url, this.requestUrl) || isUnderBase(url, this.baseUrl);
  }

  /** The logical id a Location header names for a resource of `type` on this server, if it does. */
  private idInLocation(type: ResourceType, location: string): string | undefined {
    if (!URL.canParse(location, `${this.requestUrl}/`)) return undefined;
    const url = new URL(location, `${this.requestUrl}/`);
    if (!this.isThisServer(url)) return undefined;
    // R4 datatypes.html#id: an id is 1 to 64 of [A-Za-z0-9\-.].
    const match = /\/([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?\/?$/.exec(url.pathname);
    return match?.[1] === type ? match[2] : undefined;
  }

  /**
   * Plain create (R4 http.html#create), for what is only ever added, such as AuditEvents; returns the id
   * the server gave it, if it says. Like every write, never repeated here: a create is not idempotent,
   * so whoever retries decides what a repeat may cost (fhir-audit-delivery.service.ts: a duplicate).
   */
  async create<K extends ResourceType>(resource: ResourceOf<K>, options: FhirCallOptions = {}): Promise<string | undefined> {
    const body = await this.sendWrite('create', resource.resourceType, options, {}, (o) =>
      this.client.create({ resourceType: resource.resourceType, body: resource as unknown as KitResource, options: o }),
    );
    return typeof body.id === 'string' ? body.id : undefined;
  }

  /** Versioned update (R4 http.html#concurrency): `If-Match: W/"version"`; a concurrent change gives 412 (some servers: 409). */
  async update<K extends ResourceType>(
    resource: Stored<ResourceOf<K>>,
    version: string,
    options: FhirCallOptions = {},
  ): Promise<Stored<ResourceOf<K>>> {
    const body = await this.sendWrite('update', resource.resourceType, options, { 'if-match': `W/"${version}"` }, (o) =>
      this.client.update({ resourceType: resource.resourceType, id: resource.id, body: resource as unknown as KitResource, options: o }),
    );
    if (typeof body.id === 'string') return expectResource(body, resource.resourceType as K, 'update');
    return this.readResource(resource.resourceType as K, resource.id, options);
  }

  private sendRead(
    interaction: FhirInteraction,
    resourceType: string,
    options: FhirCallOptions,
    send: (o: RequestOptions) => Promise<KitResource>,
  ): Promise<KitResource> {
    const policy = { attempts: this.settings.retries + 1, backoffMs: this.settings.backoffMs ?? 50 };
    // Nothing is tried again once the caller's deadline passed: the failure goes to the caller as it is (retryable).
    const retryable = (e: unknown) => e instanceof FhirError && e.retryable && options.signal?.aborted !== true;
    return withRetries(
      policy,
      () => this.send('read', interaction, resourceType, options, {}, send),
      retryable,
      () => this.meter.retried(),
    );
  }

  private sendWrite(
    interaction: FhirInteraction,
    resourceType: string,
    options: FhirCallOptions,
    headers: Record<string, string>,
    send: (o: RequestOptions) => Promise<KitResource>,
  ): Promise<KitResource> {
    // R4 http.html, `Prefer: return=representation`: ask for the stored resource back, so a write needs no follow-up read.
    return this.send('write', interaction, resourceType, options, { prefer: 'return=representation', ...headers }, send);
  }

  private async send(
    kind: 'read' | 'write',
    interaction: FhirInteraction,
    resourceType: string,
    options: FhirCallOptions,
    headers: Record<string, string>,
    send: (o: RequestOptions) => Promise<KitResource>,
  ): Promise<KitResource> {
    // Past the caller's deadline nothing more is sent (nor counted as a round trip): the login has its answer.
    if (options.signal?.aborted) throw new FhirUnavailableError(`FHIR ${interaction} ${resourceType}: past the deadline of the call`);
    const allHeaders = { ...headers, ...tenantHeader(options) };
    try {
      return await this.meter.measure(kind, () =>
        send({ headers: allHeaders, signal: requestSignal(this.settings.timeoutMs, options.signal) }),
      );
    } catch (error) {
      throw toFhirError(error, { interaction, resourceType });
    }
  }
}
