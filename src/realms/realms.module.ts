import { Global, Module } from '@nestjs/common';
import { RealmRegistry } from './realm.registry.js';

@Global()
@Module({ providers: [RealmRegistry], exports: [RealmRegistry] })
export class RealmsModule {}
