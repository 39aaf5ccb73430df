import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { DATABASE, type Database } from './database.js';
import { openDatabase } from './database.factory.js';
import { migrate } from './migrator.js';

const OWNS_DATABASE = Symbol('OWNS_DATABASE');

/**
 * Opens the configured database and applies pending migrations before anything else starts.
 * A database handed in from outside (tests running two instances on one database) is migrated
 * but left open at shutdown, since its owner closes it.
 */
@Global()
@Module({})
export class StorageModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(OWNS_DATABASE) private readonly ownsDatabase: boolean,
  ) {}

  static forRoot(config: Config, external?: Database): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        {
          provide: DATABASE,
          useFactory: async (): Promise<Database> => {
            const db = external ?? (await openDatabase(config.database));
            await migrate(db);
            return db;
          },
        },
        { provide: OWNS_DATABASE, useValue: external === undefined },
      ],
      exports: [DATABASE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ownsDatabase) await this.db.close();
  }
}
