import { Global, Module } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { FhirGateways } from '../fhir/fhir-gateways.js';
import { SamlModule } from '../saml/saml.module.js';
import { SamlWorkers } from '../saml/saml-workers.js';
import { FederationMetrics } from './federation-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { HttpMetricsHook } from './http-metrics.hook.js';

/**
 * The application's metrics (one registry per application instance) and `GET /metrics`. Global, so
 * a module that counts something of its own (the refresh grant) need not import it.
 */
@Global()
@Module({
  imports: [SamlModule],
  controllers: [MetricsController],
  providers: [
    {
      provide: FederationMetrics,
      useFactory: (fhir: FhirGateways, saml: SamlWorkers, config: Config) => new FederationMetrics({ fhir, saml }, config),
      inject: [FhirGateways, SamlWorkers, CONFIG],
    },
    HttpMetricsHook,
  ],
  exports: [FederationMetrics],
})
export class MetricsModule {}
