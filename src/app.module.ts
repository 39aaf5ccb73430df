import { Module, type DynamicModule } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AdminModule } from './admin/admin.module.js';
import { AuditModule } from './audit/audit.module.js';
import { BackchannelModule } from './backchannel/backchannel.module.js';
import { ClientsModule } from './clients/clients.module.js';
import type { Clock } from './common/clock.js';
import { ContextsModule } from './contexts/contexts.module.js';
import { ConfigModule } from './config/config.module.js';
import { FhirModule } from './fhir/fhir.module.js';
import type { Config } from './config/config.schema.js';
import { HealthModule } from './health/health.module.js';
import { KeysModule } from './keys/keys.module.js';
import { LoginModule } from './login/login.module.js';
import { ManagementModule } from './management/management.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OAuthModule } from './oauth/oauth.module.js';
import { RealmsModule } from './realms/realms.module.js';
import { SamlModule } from './saml/saml.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import type { Database } from './storage/database.js';
import { StorageModule } from './storage/storage.module.js';
import { TokensModule } from './tokens/tokens.module.js';

/** What tests (and only tests) may substitute: the clock, a shared database, the log sink. */
export interface AppOverrides {
  clock?: Clock;
  database?: Database;
  logDestination?: DestinationStream;
}

@Module({})
export class AppModule {
  static forRoot(config: Config, overrides: AppOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, overrides.clock),
        StorageModule.forRoot(config, overrides.database),
        FhirModule.forRoot(config),
        RealmsModule,
        KeysModule,
        ClientsModule,
        TokensModule,
        AuditModule,
        SessionsModule,
        BackchannelModule,
        SamlModule,
        ContextsModule,
        LoginModule,
        OAuthModule,
        AdminModule,
        HealthModule,
        MetricsModule.forRoot(config),
        ManagementModule.forRoot(config),
      ],
    };
  }
}
