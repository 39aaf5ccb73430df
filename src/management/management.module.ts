import { Module, type DynamicModule } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { HealthModule } from '../health/health.module.js';
import { ManagementServer } from './management.server.js';

/** The management port, when `managementPort` is set; nothing otherwise. */
@Module({})
export class ManagementModule {
  static forRoot(config: Pick<Config, 'managementPort'>): DynamicModule {
    return {
      module: ManagementModule,
      imports: [HealthModule],
      providers: config.managementPort === undefined ? [] : [ManagementServer],
      exports: config.managementPort === undefined ? [] : [ManagementServer],
    };
  }
}
