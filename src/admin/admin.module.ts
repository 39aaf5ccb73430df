import { Module } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { EventsController } from './events.controller.js';

/**
 * The admin API at Keycloak's paths (`/admin/realms/{realm}/…`), for the people who run and audit the
 * service (issue 13): the audit trail's events.
 */
@Module({
  controllers: [EventsController],
  providers: [AdminAuthGuard],
})
export class AdminModule {}
