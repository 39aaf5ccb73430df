import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { ThrottledReading } from '../common/throttled-reading.js';
import { FhirGateways } from '../fhir/fhir-gateways.js';
import type { FhirGateway } from '../fhir/fhir.gateway.js';
import { DATABASE, databaseReadiness, type Database, type DatabaseReadiness } from '../storage/database.js';

/**
 * How long readiness waits for a FHIR server's CapabilityStatement. A probe that hangs as long as
 * a FHIR request may (`fhir.timeoutMs`, up to minutes) outlasts the prober's own timeout (one
 * second by default in Kubernetes), which would count as not ready: the very thing `degraded` exists
 * to avoid. A server that is this slow to say what it is counts as unreachable.
 */
const FHIR_PROBE_MS = 1000;

/**
 * Probes are shared for this long: `/health/ready` stays on the public port, and each probe asks the
 * database and every FHIR server the logins use; a stranger polling it must not pass every request on.
 * A prober asks every few seconds, so an answer this old is still news to it.
 */
const PROBE_SHARED_MS = 1000;

export type Readiness =
  | { httpStatus: 503; body: { status: 'unavailable'; database: Exclude<DatabaseReadiness, 'ok'> } }
  | { httpStatus: 200; body: { status: 'ok' | 'degraded'; database: 'ok'; fhir: 'ok' | 'unreachable' } };

/**
 * Whether the service can do its work. Without its database it can do nothing, and with one that
 * refuses writes (a standby) it can do almost nothing: 503 either way, so a load balancer sends
 * traffic elsewhere. Without FHIR it still refreshes, exchanges and introspects
 * tokens and only logins fail (with a try-again page): `degraded`, still 200, so an outage of the
 * FHIR server does not take every instance out of rotation at once. Shared by the public port and
 * the management port (src/management).
 */
@Injectable()
export class ReadinessService {
  /** The FHIR servers the realms' logins use: each once, however many realms share it. */
  private readonly fhirServers: FhirGateway[];
  private readonly latest = new ThrottledReading(() => this.probe(), PROBE_SHARED_MS);

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CONFIG) config: Config,
    fhir: FhirGateways,
  ) {
    this.fhirServers = [...new Set(config.realms.map((realm) => fhir.forRealm(realm.name)))];
  }

  check(): Promise<Readiness> {
    return this.latest.get();
  }

  private async probe(): Promise<Readiness> {
    const [database, ...fhirAnswers] = await Promise.all([
      databaseReadiness(this.db),
      ...this.fhirServers.map((server) => server.answers(FHIR_PROBE_MS)),
    ]);
    const fhir = fhirAnswers.every(Boolean);
    if (database !== 'ok') return { httpStatus: 503, body: { status: 'unavailable', database } };
    return { httpStatus: 200, body: { status: fhir ? 'ok' : 'degraded', database: 'ok', fhir: fhir ? 'ok' : 'unreachable' } };
  }
}
