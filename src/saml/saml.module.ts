import { Module } from '@nestjs/common';
import { SamlAssertionRepository } from '../storage/saml-assertion.repository.js';
import { SamlRequestRepository } from '../storage/saml-request.repository.js';
import { DEFAULT_SAML_OPTIONS, SAML_OPTIONS } from './saml-options.js';
import { SamlWorkers } from './saml-workers.js';
import { SamlService } from './saml.service.js';

/**
 * The SAML service provider. Needs the global CONFIG, CLOCK, DATABASE and RealmRegistry; override
 * SAML_OPTIONS (e.g. `workers: 0`) in tests. The worker pool closes with the application.
 */
@Module({
  providers: [
    { provide: SAML_OPTIONS, useValue: DEFAULT_SAML_OPTIONS },
    SamlWorkers,
    SamlRequestRepository,
    SamlAssertionRepository,
    SamlService,
  ],
  exports: [SamlService],
})
export class SamlModule {}
