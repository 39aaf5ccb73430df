import { Module } from '@nestjs/common';
import { ContextSelectionService } from './context-selection.service.js';
import { ContextsController } from './contexts.controller.js';

/** Organization, CareTeam, Patient and EpisodeOfCare contexts: listed, and checked when chosen. */
@Module({ controllers: [ContextsController], providers: [ContextSelectionService], exports: [ContextSelectionService] })
export class ContextsModule {}
