import { Module } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { SamlAssertionRepository } from '../storage/saml-assertion.repository.js';
import { SamlRequestRepository } from '../storage/saml-request.repository.js';
import { IdpSettingsRegistry } from './idp-settings.registry.js';
import { SAML_OPTIONS, samlOptionsFromConfig } from './saml-options.js';
import { SamlWorkers } from './saml-workers.js';
import { SamlLogoutService } from './saml-logout.service.js';
import { SamlService } from './saml.service.js';

/**
 * The SAML service provider. Needs the global CONFIG, CLOCK, DATABASE and RealmRegistry; override
 * SAML_OPTIONS (e.g. `workers: 0`) in tests. The worker pool closes with the application.
 */
@Module({
  providers: [
    { provide: SAML_OPTIONS, useFactory: (config: Config) => samlOptionsFromConfig(config), inject: [CONFIG] },
    SamlWorkers,
    IdpSettingsRegistry,
    SamlRequestRepository,
    SamlAssertionRepository,
    SamlService,
    SamlLogoutService,
  ],
  exports: [SamlService, SamlLogoutService, SamlWorkers, IdpSettingsRegistry],
})
export class SamlModule {}
