import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UserRepository, type LegacyReplacement, type LegacyUserRow } from '../storage/user.repository.js';
import { ExternalIdDigest } from './external-id-digest.js';

/** Rows read per page of the sweep. */
const PAGE = 500;

/**
 * At boot, replaces the external ids earlier releases stored in the clear (a CPR or BSN among them)
 * by their digests (external-id-digest.ts), so none is left for a person who never logs in again;
 * one who does is taken over by the login itself (UserRepository.upsert). The first page is read
 * before the service starts answering, and on a table without such rows, every boot after the first
 * of this release, that is the whole sweep. The rest runs in the background: logins need not wait for
 * it. Several instances sweeping at once each replace a row only while it is still in the clear.
 */
@Injectable()
export class LegacyExternalIdSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LegacyExternalIds');
  private stopped = false;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly users: UserRepository,
    private readonly digests: ExternalIdDigest,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const first = await this.users.legacyRows('', PAGE);
    if (first.length === 0) return;
    this.running = this.sweep(first).catch((error: unknown) =>
      // What was replaced stays replaced; the next boot goes on with the rest.
      this.logger.warn({ error: (error as Error).name }, 'replacing stored external ids by digests failed'),
    );
  }

  /** Lets the page under way finish, so no statement is left running on a database being closed. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Goes through the table from `page` on; returns how many rows went which way. */
  async sweep(page: LegacyUserRow[]): Promise<Record<LegacyReplacement, number>> {
    const counts: Record<LegacyReplacement, number> = { digest: 0, superseded: 0, gone: 0 };
    while (page.length > 0 && !this.stopped) {
      for (const row of page) {
        counts[await this.users.replaceLegacy(row, this.digests.identity(row.realm, row.idp_alias, row.external_id).digest)]++;
      }
      page = page.length < PAGE ? [] : await this.users.legacyRows(page.at(-1)!.id, PAGE);
    }
    this.logger.log(counts, 'stored external ids replaced by digests');
    return counts;
  }
}
