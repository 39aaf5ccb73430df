import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';
import { IDENTITY_LINKER } from '../identity/identity-link.js';
import { ContextDirectory } from './context-directory.js';
import { FhirGateway } from './fhir.gateway.js';
import { openFhirEndpoint, type FhirEndpoint } from './fhir-endpoint.js';
import { FhirGateways } from './fhir-gateways.js';
import { FhirIdentityLinker } from './fhir-identity-linker.js';

/** Nest token of the {@link FhirEndpoint} (the base URL, and the embedded server when there is one). */
export const FHIR_ENDPOINT = Symbol('FHIR_ENDPOINT');

/**
 * Everything FHIR: the {@link FhirGateway} (injected by its class) and the FHIR-backed
 * `IDENTITY_LINKER`. With `fhir.baseUrl: embedded` it starts the embedded server before anything
 * that needs FHIR is built, and stops it at shutdown. Global, like the database, so the login
 * module can inject the linker without importing this module a second time.
 */
@Global()
@Module({})
export class FhirModule implements OnApplicationShutdown {
  constructor(@Inject(FHIR_ENDPOINT) private readonly endpoint: FhirEndpoint) {}

  static forRoot(config: Config): DynamicModule {
    return {
      module: FhirModule,
      providers: [
        { provide: FHIR_ENDPOINT, useFactory: () => openFhirEndpoint(config) },
        {
          provide: FhirGateway,
          useFactory: (endpoint: FhirEndpoint) =>
            new FhirGateway({
              baseUrl: endpoint.baseUrl,
              bearerToken: config.fhir.bearerToken,
              timeoutMs: config.fhir.timeoutMs,
              retries: config.fhir.retries,
              maxAnswerBytes: config.fhir.maxAnswerBytes,
            }),
          inject: [FHIR_ENDPOINT],
        },
        {
          provide: FhirGateways,
          useFactory: (gateway: FhirGateway, endpoint: FhirEndpoint) => new FhirGateways(gateway, config, endpoint.realmBases),
          inject: [FhirGateway, FHIR_ENDPOINT],
        },
        {
          provide: IDENTITY_LINKER,
          useFactory: (gateways: FhirGateways, clock: Clock | undefined) =>
            new FhirIdentityLinker(gateways, clock ?? systemClock, config.fhir.loginDeadlineMs),
          inject: [FhirGateways, { token: CLOCK, optional: true }],
        },
        ContextDirectory,
      ],
      exports: [FhirGateway, FhirGateways, IDENTITY_LINKER, FHIR_ENDPOINT, ContextDirectory],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.endpoint.close();
  }
}
