import { Controller, Delete, Get, Header, HttpCode, Param, Post, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { OAuthError } from '../protocol/oauth-error.js';
import { ApiOAuthErrors } from '../protocol/openapi.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { ApiAdminController } from './admin-openapi.js';
import { malformedAdminCall } from './malformed-admin-call.js';
import { RecordRefusedAdminCall } from './refused-admin-call.interceptor.js';
import { RequiresRole } from './admin-roles.js';
import { SessionAdminService, type UserSessionRepresentation } from './session-admin.service.js';

/** User ids are UUIDs, session ids random tokens (`{sso}.{own}` in an SSO session): anything else is refused before a query. */
const ID = /^[A-Za-z0-9_.-]{1,100}$/;

/** Keycloak's admin paths for sessions: a user's sessions, log a user out everywhere, end one session. */
@ApiAdminController()
@Controller('admin/realms/:realm')
@UseGuards(AdminAuthGuard)
@UseInterceptors(RecordRefusedAdminCall)
export class SessionsController {
  constructor(private readonly admin: SessionAdminService) {}

  @Get('users/:id/sessions')
  @ApiOperation({ summary: 'The user’s live client sessions (view-users)' })
  @ApiResponse({ status: 200, description: 'Keycloak’s UserSessionRepresentations ([] for none)' })
  @ApiOAuthErrors(404)
  @RequiresRole('view-users')
  @Header('Cache-Control', 'no-store')
  async sessions(@Req() request: FastifyRequest, @Param('id') userId: string): Promise<UserSessionRepresentation[]> {
    return (await this.admin.userSessions(request, id(userId))) ?? noSuchUser();
  }

  @Post('users/:id/logout')
  @ApiOperation({ summary: 'End every client and SSO session of the user (manage-users)' })
  @ApiResponse({ status: 204, description: 'Every session of the user ended' })
  @ApiOAuthErrors(404)
  @HttpCode(204)
  @RequiresRole('manage-users')
  async logout(@Req() request: FastifyRequest, @Param('id') userId: string): Promise<void> {
    if ((await this.admin.logoutUser(request, id(userId))) === undefined) noSuchUser();
  }

  @Delete('sessions/:id')
  @ApiOperation({ summary: 'End a live session, with the SSO session it belongs to and what was delegated from it (manage-users)' })
  @ApiResponse({ status: 204, description: 'The session ended' })
  @ApiOAuthErrors(404)
  @HttpCode(204)
  @RequiresRole('manage-users')
  async endSession(@Req() request: FastifyRequest, @Param('id') sessionId: string): Promise<void> {
    if (!(await this.admin.endSession(request, id(sessionId)))) {
      throw new OAuthError('not_found', 'admin API: no such live session', { description: 'Not found.' });
    }
  }
}

function noSuchUser(): never {
  throw new OAuthError('not_found', 'admin API: no such user', { description: 'User not found.' });
}

function id(value: string): string {
  if (!ID.test(value)) throw malformedAdminCall('malformed id');
  return value;
}
