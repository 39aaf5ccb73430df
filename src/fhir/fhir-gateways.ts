import type { Config } from '../config/config.schema.js';
import type { RealmFhirBase } from './fhir-endpoint.js';
import { FhirGateway } from './fhir.gateway.js';
import type { FhirRoundTripListener, FhirRoundTrips } from './fhir-round-trips.js';

/**
 * One gateway per FHIR server: the service-wide one (`fhir.baseUrl`, possibly embedded) and one for
 * each realm that names its own (`realms[].fhir`). Everything that talks to FHIR for a realm asks
 * here, so a realm's logins and context checks reach that realm's server only. Realms sharing the
 * embedded server each get the fallback under their own base (fhir-endpoint.ts), counted with it.
 */
export class FhirGateways {
  private readonly byRealm = new Map<string, FhirGateway>();
  /** The realms' own servers: counted apart from the fallback (a rebased fallback shares its counts). */
  private readonly ownServers: FhirGateway[] = [];

  constructor(
    readonly fallback: FhirGateway,
    config: Pick<Config, 'realms' | 'fhir'>,
    embeddedBases: ReadonlyMap<string, RealmFhirBase> = new Map(),
  ) {
    for (const [realm, base] of embeddedBases) this.byRealm.set(realm, fallback.withBase(base.baseUrl, base.requestUrl));
    for (const realm of config.realms) {
      if (!realm.fhir) continue;
      const gateway = new FhirGateway({
        baseUrl: realm.fhir.baseUrl,
        bearerToken: realm.fhir.bearerToken,
        timeoutMs: config.fhir.timeoutMs,
        retries: config.fhir.retries,
        maxAnswerBytes: config.fhir.maxAnswerBytes,
      });
      this.byRealm.set(realm.name, gateway);
      this.ownServers.push(gateway);
    }
  }

  forRealm(realm: string): FhirGateway {
    return this.byRealm.get(realm) ?? this.fallback;
  }

  /** Subscribes to the round trips of every gateway (the realms' servers are all known at start). */
  onRoundTrip(listener: FhirRoundTripListener): void {
    this.fallback.onRoundTrip(listener);
    for (const gateway of this.ownServers) gateway.onRoundTrip(listener);
  }

  /** Round trips of every gateway, summed (for /metrics and the benchmark). */
  stats(): FhirRoundTrips {
    const total: FhirRoundTrips = { ...this.fallback.stats() };
    for (const gateway of this.ownServers) {
      for (const [key, value] of Object.entries(gateway.stats()) as [keyof FhirRoundTrips, number][]) total[key] += value;
    }
    return total;
  }
}
