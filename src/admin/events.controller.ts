import { applyDecorators, Controller, Get, Header, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { AuditEventRepository } from '../storage/audit-event.repository.js';
import { adminAction } from './admin-action.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { ApiAdminController } from './admin-openapi.js';
import { RecordRefusedAdminCall } from './refused-admin-call.interceptor.js';
import { RequiresRole } from './admin-roles.js';
import { toEventRepresentation, type EventRepresentation } from './event-representation.js';
import { EVENT_QUERY_PARAMETERS, parseEventQuery, queryDetails } from './event-query.js';

/** The events query's parameters, each optional, as OpenAPI query parameters. */
function ApiEventQuery() {
  return applyDecorators(
    ...Object.entries(EVENT_QUERY_PARAMETERS).map(([name, description]) =>
      ApiQuery({ name, description, required: false, schema: { type: 'string' } }),
    ),
  );
}

/** Keycloak's `GET /admin/realms/{realm}/events`: the audit trail, newest first, for a client with `view-events`. */
@ApiAdminController()
@Controller('admin/realms/:realm')
@UseGuards(AdminAuthGuard)
@UseInterceptors(RecordRefusedAdminCall)
export class EventsController {
  constructor(
    private readonly events: AuditEventRepository,
    private readonly audit: AuditTrail,
  ) {}

  @Get('events')
  @ApiOperation({ summary: 'Keycloak’s events endpoint: the realm’s audit trail, newest first (view-events)' })
  @ApiEventQuery()
  @RequiresRole('view-events')
  @Header('Cache-Control', 'no-store')
  async list(@Req() request: FastifyRequest): Promise<EventRepresentation[]> {
    const query = parseEventQuery(request.oauthRealm!.name, request.query as Record<string, unknown>);
    const rows = await this.events.list(query);
    // Recorded after the read it describes, so a page never shows its own reading.
    const details = { ...queryDetails(query), count: rows.length };
    await this.audit.record(adminAction(request, 'READ', 'events', { details }));
    return rows.map(toEventRepresentation);
  }
}
