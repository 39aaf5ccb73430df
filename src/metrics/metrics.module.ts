import { Module, type DynamicModule } from '@nestjs/common';
import { PreviousSecretUses } from '../clients/previous-secret-uses.js';
import { CLOCK, type Clock } from '../common/clock.js';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { FhirGateways } from '../fhir/fhir-gateways.js';
import { SamlModule } from '../saml/saml.module.js';
import { IdpSettingsRegistry } from '../saml/idp-settings.registry.js';
import { SamlWorkers } from '../saml/saml-workers.js';
import { backchannelSubscribers, BackchannelLogoutRepository } from '../storage/backchannel-logout.repository.js';
import { FhirAuditOutboxRepository } from '../storage/fhir-audit-outbox.repository.js';
import { FederationMetrics } from './federation-metrics.js';
import { HttpMetricsHook } from './http-metrics.hook.js';
import { MetricsController } from './metrics.controller.js';

/**
 * The application's metrics (one registry per application instance) and `GET /metrics` on the
 * public port, unless a `managementPort` serves them instead (src/management). Global, so a module
 * that counts something of its own (the refresh grant) need not import it.
 */
@Module({})
export class MetricsModule {
  static forRoot(config: Pick<Config, 'managementPort'>): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      imports: [SamlModule],
      controllers: config.managementPort === undefined ? [MetricsController] : [],
      providers: [
        FhirAuditOutboxRepository,
        BackchannelLogoutRepository,
        {
          provide: FederationMetrics,
          useFactory: (
            fhir: FhirGateways,
            saml: SamlWorkers,
            idps: IdpSettingsRegistry,
            auditQueue: FhirAuditOutboxRepository,
            logouts: BackchannelLogoutRepository,
            previousSecrets: PreviousSecretUses,
            clock: Clock,
            config: Config,
          ) => {
            const subscribers = [...backchannelSubscribers(config).keys()];
            const logoutQueue = { backlog: () => logouts.backlog(subscribers) };
            return new FederationMetrics({ fhir, saml, idps, auditQueue, logoutQueue, previousSecrets, clock }, config);
          },
          inject: [
            FhirGateways,
            SamlWorkers,
            IdpSettingsRegistry,
            FhirAuditOutboxRepository,
            BackchannelLogoutRepository,
            PreviousSecretUses,
            CLOCK,
            CONFIG,
          ],
        },
        HttpMetricsHook,
      ],
      exports: [FederationMetrics],
    };
  }
}
