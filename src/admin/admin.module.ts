import { Module } from '@nestjs/common';
import { SigningKeyRepository } from '../storage/signing-key.repository.js';
import { SsoSessionRepository } from '../storage/sso-session.repository.js';
import { UserRepository } from '../storage/user.repository.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { EventsController } from './events.controller.js';
import { KeysAdminController } from './keys-admin.controller.js';
import { SessionAdminService } from './session-admin.service.js';
import { SessionsController } from './sessions.controller.js';

/**
 * The admin API at Keycloak's paths (`/admin/realms/{realm}/…`), for the people who run and audit the
 * service (issue 13): events, a user's sessions, ending sessions, signing keys and their rotation.
 */
@Module({
  controllers: [EventsController, SessionsController, KeysAdminController],
  providers: [AdminAuthGuard, SessionAdminService, SigningKeyRepository, SsoSessionRepository, UserRepository],
})
export class AdminModule {}
