import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { realmFromConfig } from '../realms/realm.js';
import type { FhirBase } from './embedded/fhir-http-adapter.js';

/** A realm's FHIR base on the embedded server: the URL tokens name, and where the gateway sends requests. */
export interface RealmFhirBase {
  baseUrl: string;
  requestUrl: string;
}

/** Where the gateway sends its requests, and what to stop at shutdown. */
export interface FhirEndpoint {
  /** The configured FHIR base; embedded: the root `{publicUrl}/fhir` under which each realm has its base. */
  readonly baseUrl: string;
  readonly embedded: boolean;
  /** Embedded: the base of each realm without a FHIR server of its own (`realms[].fhir`). */
  readonly realmBases: ReadonlyMap<string, RealmFhirBase>;
  /** Embedded: answers a request for the store, so the service can serve it on its own port (embedded-fhir-routes.ts). */
  readonly handle?: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  close(): Promise<void>;
}

/**
 * The configured FHIR server, or — with `fhir.baseUrl: embedded` — an embedded one started from
 * `fhir.seed` on a loopback ephemeral port, which the gateway reaches over HTTP only, exactly as it
 * would reach a real server. Each realm sharing it gets a base of its own over the one store,
 * `{publicUrl}/fhir/{realm}`: that is the URL in `fhirUser`, `user_id` and `context`, served on the
 * service's own port, so FHIR URLs in tokens survive restarts (the loopback port changes at each).
 */
export async function openFhirEndpoint(
  config: Pick<Config, 'environment' | 'fhir'> & Partial<Pick<Config, 'publicUrl' | 'realms'>>,
): Promise<FhirEndpoint> {
  if (config.fhir.baseUrl !== 'embedded') {
    return { baseUrl: config.fhir.baseUrl, embedded: false, realmBases: new Map(), close: async () => {} };
  }
  const { publicUrl } = config;
  const sharing = publicUrl === undefined ? [] : (config.realms ?? []).filter((realm) => !realm.fhir);
  const bases: FhirBase[] | undefined =
    publicUrl === undefined || sharing.length === 0
      ? undefined
      : sharing.map((realm) => {
          const { endpoints } = realmFromConfig(publicUrl, realm);
          return {
            path: `/fhir/${realm.name}`,
            url: `${publicUrl}/fhir/${realm.name}`,
            oauth: {
              authorize: endpoints.authorization,
              token: endpoints.token,
              introspect: endpoints.introspection,
              revoke: endpoints.revocation,
            },
          };
        });
  // Imported only here: Medplum's FHIR definitions cost ≈130 MB of RSS, which a service with an external
  // FHIR server must not pay (issue 14). The config schema refuses this in production; the server refuses it too.
  const { startEmbeddedFhirServer } = await import('./embedded/embedded-fhir-server.js');
  const server = await startEmbeddedFhirServer({ environment: config.environment, seedFile: config.fhir.seed, bases });
  const realmBases = new Map(
    sharing.map((realm) => [realm.name, { baseUrl: `${publicUrl}/fhir/${realm.name}`, requestUrl: `${server.origin}/fhir/${realm.name}` }]),
  );
  new Logger('Fhir').log(
    `embedded FHIR server (${server.seeded} seed entries) at ${bases ? bases.map((base) => base.url).join(', ') : server.baseUrl}`,
  );
  return {
    baseUrl: bases ? `${publicUrl}/fhir` : server.baseUrl,
    embedded: true,
    realmBases,
    handle: server.handle,
    close: () => server.close(),
  };
}
