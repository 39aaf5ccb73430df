import { Module } from '@nestjs/common';
import { BackchannelLogoutRepository } from '../storage/backchannel-logout.repository.js';
import { BackchannelLogoutService } from './backchannel-logout.service.js';
import { BackchannelWorker } from './backchannel-worker.js';

/** OIDC Back-Channel Logout 1.0: the outbox's delivery, in the background and on demand (SAML single logout). */
@Module({
  providers: [BackchannelLogoutRepository, BackchannelLogoutService, BackchannelWorker],
  exports: [BackchannelLogoutService],
})
export class BackchannelModule {}
