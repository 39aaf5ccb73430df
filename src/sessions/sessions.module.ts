import { Global, Module } from '@nestjs/common';
import { SessionRepository } from '../storage/session.repository.js';
import { SessionService } from './session.service.js';

@Global()
@Module({ providers: [SessionRepository, SessionService], exports: [SessionService, SessionRepository] })
export class SessionsModule {}
