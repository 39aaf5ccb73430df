import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { GRANT_TYPES } from '../config/client-config.schema.js';
import type { PreviousSecretUses } from '../clients/previous-secret-uses.js';
import type { Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';
import type { FhirGateways } from '../fhir/fhir-gateways.js';
import type { IdpSettingsRegistry } from '../saml/idp-settings.registry.js';
import type { SamlWorkers } from '../saml/saml-workers.js';
import { RequestDurations } from './request-durations.js';
import { ThrottledReading } from '../common/throttled-reading.js';
import { within } from '../common/within.js';

/** Seconds; from a cached JWKS answer (~1 ms) to a login waiting on FHIR and a SAML worker. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds; a FHIR request times out at `fhir.timeoutMs` (3 s by default). */
const FHIR_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** What the metrics read from the modules below them. */
export interface MetricSources {
  fhir: FhirGateways;
  saml: Pick<SamlWorkers, 'queueSize' | 'logoutQueueSize'>;
  /** Each configured SAML IdP's signing certificate expiry. */
  idps: Pick<IdpSettingsRegistry, 'certificateExpiries'>;
  /** FHIR AuditEvents waiting for delivery (audit.fhirDelivery). */
  auditQueue: QueueBacklog;
  /** Logout tokens owed to clients with a backchannelLogoutUri. */
  logoutQueue: QueueBacklog;
  /** Clients still authenticating with their `previousSecret`. */
  previousSecrets: Pick<PreviousSecretUses, 'all'>;
  clock: Clock;
}

/** A database queue's entries waiting, and when the oldest of them was queued (null when none). */
export interface QueueBacklog {
  backlog(): Promise<Backlog>;
}

type Backlog = { entries: number; oldest: Date | null };

/** A database queue is counted at most this often, whoever scrapes. */
const QUEUE_READ_MS = 1000;

/**
 * How long a scrape waits for a queue's count. Prometheus gives a whole scrape 10 s by default
 * (`scrape_timeout`), and a database that stops answering holds a read for the statement timeout plus
 * the connect timeout (15 s by default): a scrape that waited for it would fail whole (`up` 0), every
 * series lost for the outage, the 503s an operator then needs first. Past this the gauges keep the
 * last values read, as readiness waits no longer for FHIR (health/readiness.service.ts, FHIR_PROBE_MS).
 */
const QUEUE_SCRAPE_MS = 1000;

/** The alias of the mocked-user login (login/idp-redirector.ts), which is no configured IdP. */
const MOCK_ALIAS = 'mock';

/**
 * Every metric of one application, in a registry of its own: never prom-client's global default
 * registry, where two applications in one process (the tests, the benchmark) would register the same
 * names twice and count into each other. Label values come only from bounded sets (route templates,
 * configured realms and IdPs, grant types, error codes), never from raw input.
 */
export class FederationMetrics {
  readonly registry = new Registry();
  readonly requests: RequestDurations;
  private readonly logins: Counter<'realm' | 'idp' | 'outcome'>;
  private readonly grants: Counter<'grant_type' | 'outcome'>;
  private readonly refreshReuse: Counter<'realm'>;
  private readonly backchannelAttempts: Counter<'outcome'>;
  /** Realm name → its IdP aliases: what a realm or IdP label may be; anything else is `other`. */
  private readonly aliases: Map<string, Set<string>>;

  constructor(sources: MetricSources, config: Pick<Config, 'realms'>) {
    this.aliases = new Map(config.realms.map((r) => [r.name, new Set([...r.identityProviders.map((i) => i.alias), MOCK_ALIAS])]));
    const registers = [this.registry];
    // Process (CPU, memory, file descriptors) and Node.js (event-loop lag, heap, GC) metrics.
    collectDefaultMetrics({ register: this.registry });
    this.requests = new RequestDurations(
      new Histogram({
        name: 'federation_http_request_duration_seconds',
        help: 'HTTP requests by method, route template (never the raw path) and status, until the response is sent.',
        labelNames: ['method', 'route', 'status'],
        buckets: REQUEST_BUCKETS,
        registers,
      }),
    );
    this.logins = new Counter({
      name: 'federation_logins_total',
      help: 'Browser logins that ended, by realm, IdP alias and outcome (success, an OAuth error code sent to the client, or the page shown).',
      labelNames: ['realm', 'idp', 'outcome'],
      registers,
    });
    this.grants = new Counter({
      name: 'federation_grants_total',
      help: 'Token requests by grant type and outcome (success or the OAuth error code).',
      labelNames: ['grant_type', 'outcome'],
      registers,
    });
    this.refreshReuse = new Counter({
      name: 'federation_refresh_token_reuse_total',
      help: 'Refresh tokens presented again after rotation; each ended its session (RFC 9700 §4.14.2).',
      labelNames: ['realm'],
      registers,
    });
    this.backchannelAttempts = new Counter({
      name: 'federation_backchannel_logout_attempts_total',
      help: 'Back-channel logout deliveries by outcome: delivered, retry (to be tried again), given_up (refused by the client, or out of attempts).',
      labelNames: ['outcome'],
      registers,
    });
    this.watchFhir(sources.fhir, registers);
    new Gauge({
      name: 'federation_saml_queue_depth',
      help: 'SAML tasks waiting for a worker (Responses to validate, and the IdP logout messages counted below too).',
      registers,
      collect() {
        this.set(sources.saml.queueSize);
      },
    });
    // The IdP's LogoutRequests have an allowance of their own (saml.maxLogoutQueue): near it, forged ones
    // are flooding it, and a genuine one may be answered 503.
    new Gauge({
      name: 'federation_saml_logout_queue_depth',
      help: "An IdP's SAML LogoutRequests and LogoutResponses waiting for a worker (bounded by saml.maxLogoutQueue).",
      registers,
      collect() {
        this.set(sources.saml.logoutQueueSize);
      },
    });
    // The alert an operator sets before a national IdP's certificate rollover (probe_ssl_earliest_cert_expiry's
    // counterpart): a login is refused the moment its IdP has no valid signing certificate left.
    new Gauge({
      name: 'federation_saml_idp_certificate_expiry_seconds',
      help: "Seconds until the last of a SAML IdP's signing certificates valid now expires (configured, else from its metadata); 0 when none is valid, and its logins are refused.",
      labelNames: ['realm', 'idp'],
      registers,
      collect() {
        const now = sources.clock.now().getTime();
        for (const { realm, idp, until } of sources.idps.certificateExpiries())
          this.set({ realm, idp }, until === undefined ? 0 : Math.max(0, (until.getTime() - now) / 1000));
      },
    });
    // Until every instance of a client has taken its new secret, the previous one cannot go.
    new Gauge({
      name: 'federation_client_previous_secret_last_use_timestamp_seconds',
      help: 'When a client last authenticated with its previousSecret (epoch seconds; this instance): remove that secret once no instance presents it.',
      labelNames: ['realm', 'client'],
      registers,
      collect() {
        for (const { realm, clientId, at } of sources.previousSecrets.all()) this.set({ realm, client: clientId }, at / 1000);
      },
    });
    // So that an operator sees a backlog grow, or an entry that will not go, before anyone asks for the
    // record or wonders why an app still shows someone logged in.
    this.watchQueue(
      'federation_fhir_audit_queue',
      'FHIR AuditEvents waiting in the database queue for delivery',
      sources.auditQueue,
      sources.clock,
      registers,
    );
    this.watchQueue(
      'federation_backchannel_logout_queue',
      'Back-channel logout tokens owed to clients, neither delivered nor given up',
      sources.logoutQueue,
      sources.clock,
      registers,
    );
  }

  /** Realm and IdP as they came in the path: labelled only when configured, so a stranger cannot add series. */
  login(realm: unknown, idp: unknown, outcome: string): void {
    const aliases = typeof realm === 'string' ? this.aliases.get(realm) : undefined;
    this.logins.inc({
      realm: aliases ? (realm as string) : 'other',
      idp: aliases && typeof idp === 'string' && aliases.has(idp) ? idp : 'other',
      outcome,
    });
  }

  /** The grant type as the client sent it: labelled only when it is one this service implements. */
  grant(grantType: unknown, outcome: string): void {
    const known = (GRANT_TYPES as readonly unknown[]).includes(grantType);
    this.grants.inc({ grant_type: known ? (grantType as string) : 'other', outcome });
  }

  refreshTokenReused(realm: string): void {
    this.refreshReuse.inc({ realm: this.aliases.has(realm) ? realm : 'other' });
  }

  /** A logout token's delivery attempt ended: a `given_up` is a client that never heard its session end. */
  backchannelAttempt(outcome: 'delivered' | 'retry' | 'given_up'): void {
    this.backchannelAttempts.inc({ outcome });
  }

  /** The Prometheus text exposition format (0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * `{name}_entries` and `{name}_oldest_seconds` of a database queue, all realms. Read from the database
   * at most once a second however often `/metrics` is scraped; when it cannot be read, or not within
   * QUEUE_SCRAPE_MS, the last values read stay (the oldest's age counted on from them) and readiness
   * reports the database.
   */
  private watchQueue(name: string, what: string, queue: QueueBacklog, clock: Clock, registers: Registry[]): void {
    // One read at a time: while the database is silent, a scrape each second must not start a read of
    // its own, each holding a connection until its timeouts. A read that answers after its scrape gave
    // up is kept for the next scrape; one that fails then is handled (by ThrottledReading and within).
    let reading: Promise<Backlog> | undefined;
    let last: Backlog | undefined;
    const readOnce = () =>
      (reading ??= queue
        .backlog()
        .then((read) => (last = read))
        .finally(() => (reading = undefined)));
    const backlog = new ThrottledReading(readOnce, QUEUE_READ_MS);
    const latest = async () => (await within(backlog.get(), QUEUE_SCRAPE_MS).catch(() => undefined)) ?? last;
    new Gauge({
      name: `${name}_entries`,
      help: `${what}, all realms.`,
      registers,
      async collect() {
        const read = await latest();
        if (read) this.set(read.entries);
      },
    });
    new Gauge({
      name: `${name}_oldest_seconds`,
      help: `Age in seconds of the oldest of ${name}_entries; 0 when none waits.`,
      registers,
      async collect() {
        const read = await latest();
        if (read) this.set(read.oldest ? Math.max(0, (clock.now().getTime() - read.oldest.getTime()) / 1000) : 0);
      },
    });
  }

  /** FHIR round trips as they end, from every gateway (the service-wide one and each realm's own). */
  private watchFhir(fhir: FhirGateways, registers: Registry[]): void {
    const requests = new Counter({
      name: 'federation_fhir_requests_total',
      help: 'FHIR requests sent, by kind (retries included).',
      labelNames: ['kind'],
      registers,
    });
    const failures = new Counter({ name: 'federation_fhir_failures_total', help: 'FHIR requests that failed.', registers });
    const retries = new Counter({
      name: 'federation_fhir_retries_total',
      help: 'FHIR reads retried after a transient failure.',
      registers,
    });
    const latency = new Histogram({
      name: 'federation_fhir_request_duration_seconds',
      help: 'FHIR round trips by kind and outcome.',
      labelNames: ['kind', 'outcome'],
      buckets: FHIR_BUCKETS,
      registers,
    });
    // Present from the first scrape, so a rate() over them starts at zero rather than at the first login.
    for (const kind of ['read', 'write']) requests.inc({ kind }, 0);
    fhir.onRoundTrip({
      roundTrip(kind, ok, seconds) {
        requests.inc({ kind });
        if (!ok) failures.inc();
        latency.observe({ kind, outcome: ok ? 'ok' : 'failed' }, seconds);
      },
      retry() {
        retries.inc();
      },
    });
  }
}
