import { Controller, Get, Header, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiOAuthErrors } from '../protocol/openapi.js';
import type { FastifyRequest } from 'fastify';
import { ContextDirectory } from '../fhir/context-directory.js';
import { FhirError } from '../fhir/fhir.errors.js';
import { bearerToken } from '../protocol/bearer-token.js';
import { OAuthError } from '../protocol/oauth-error.js';
import { RealmRegistry } from '../realms/realm.registry.js';
import { TokenInspector } from '../sessions/token-inspector.js';

/**
 * `GET /realms/{realm}/contexts`: what the bearer may choose with the refresh grant. A clinician's
 * care teams (with organisation and roles) and organisations come from the session's linked data;
 * a citizen's episodes of care from one FHIR search. The current choice is included.
 */
@ApiTags('Contexts')
@Controller('realms/:realm/contexts')
export class ContextsController {
  constructor(
    private readonly realms: RealmRegistry,
    private readonly inspector: TokenInspector,
    private readonly directory: ContextDirectory,
  ) {}

  @Get()
  // Whose patients and care teams a person may choose: kept out of the browser's cache, as UserInfo's answer.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The contexts (care teams, patients, episodes of care) the bearer may choose with a refresh_token grant' })
  @ApiBearerAuth('bearer')
  @ApiResponse({ status: 200, description: 'The choosable contexts' })
  @ApiOAuthErrors(401, 403)
  async list(@Param('realm') realmName: string, @Req() request: FastifyRequest): Promise<Record<string, unknown>> {
    const realm = this.realms.get(realmName);
    // The person's live session, as UserInfo reads it (a machine's live token: 403); no tenant is named here.
    const { session } = await this.inspector.personsAccessToken(realm, bearerToken(request), undefined);
    const { roles: _roles, ...current } = session.context ?? {};
    const base = { user_type: session.user_type, current };
    const { link } = session;
    // A session delegated by token exchange keeps its context (ContextSelectionService): the listing has
    // its usual shape, with nothing to choose in it.
    if (session.delegation) {
      if (link.kind === 'practitioner') return { ...base, care_teams: [], organizations: [] };
      if (link.kind === 'patient') return { ...base, ...(link.patient ? { patient_id: link.patient } : {}), episodes_of_care: [] };
      return base;
    }
    switch (link.kind) {
      case 'practitioner':
        return {
          ...base,
          care_teams: link.careTeams.map((t) => ({ care_team_id: t.careTeam, organization_id: t.organization, roles: t.roles })),
          organizations: link.organisations.map((o) => ({ organization_id: o.organization, roles: o.roles })),
        };
      case 'patient': {
        if (!link.patient) return { ...base, episodes_of_care: [] };
        const episodes = await this.directory.episodesOf(session.realm, link.patient).catch((error: unknown) => {
          // Any FHIR failure (an outage or an answer breaking the REST contract) is retryable, never a 500.
          if (error instanceof FhirError) throw new OAuthError('temporarily_unavailable', error.message);
          throw error;
        });
        return {
          ...base,
          patient_id: link.patient,
          // Only what may be chosen: an episode entered in error or cancelled is not (episodeInForce).
          episodes_of_care: episodes
            .filter((e) => e.inForce)
            .map((e) => ({
              episode_of_care_id: e.episode,
              care_team_ids: e.teams,
              organization_id: e.organization,
            })),
        };
      }
      case 'none':
        return base;
    }
  }
}
