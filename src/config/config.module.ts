import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from '../common/clock.js';
import type { Config } from './config.schema.js';
import { CONFIG } from './config.token.js';

/** The validated config and the clock, available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: Config, clock: Clock = systemClock): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [CONFIG, CLOCK],
    };
  }
}
