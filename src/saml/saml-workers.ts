import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Piscina } from 'piscina';
import { SAML_OPTIONS, type SamlOptions } from './saml-options.js';
import type { AuthnRequestTask, ValidateTask, ValidationResult } from './worker/saml-worker.mjs';

type WorkerModule = typeof import('./worker/saml-worker.mjs');

/** Plain JavaScript, so piscina loads it from `src/` under jest and from `dist/` (copied) alike. */
const WORKER_FILE = new URL('./worker/saml-worker.mjs', import.meta.url).href;

/**
 * The gateway to node-saml: a piscina pool of worker threads, so that ≈7.5 ms of signature
 * verification per login (DESIGN.md §1) never blocks the event loop; or, with `workers: 0`, the
 * same module run inline.
 */
@Injectable()
export class SamlWorkers implements OnModuleDestroy {
  private pool: Piscina<ValidateTask | AuthnRequestTask, ValidationResult | string> | undefined;
  private inline: Promise<WorkerModule> | undefined;

  constructor(@Inject(SAML_OPTIONS) private readonly options: SamlOptions) {}

  /** Whether verification runs on worker threads. */
  get pooled(): boolean {
    return this.options.workers > 0;
  }

  async validateResponse(task: ValidateTask): Promise<ValidationResult> {
    if (this.pooled) return (await this.threads().run(task, { name: 'validateResponse' })) as ValidationResult;
    return (await this.module()).validateResponse(task);
  }

  async authnRequestUrl(task: AuthnRequestTask): Promise<string> {
    if (this.pooled) return (await this.threads().run(task, { name: 'authnRequestUrl' })) as string;
    return (await this.module()).authnRequestUrl(task);
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Started on first use, so an application whose realms have no SAML IdP runs no threads. */
  private threads(): Piscina<ValidateTask | AuthnRequestTask, ValidationResult | string> {
    this.pool ??= new Piscina({
      filename: WORKER_FILE,
      minThreads: this.options.workers,
      maxThreads: this.options.workers,
      idleTimeout: Infinity,
    });
    return this.pool;
  }

  private module(): Promise<WorkerModule> {
    this.inline ??= import('./worker/saml-worker.mjs');
    return this.inline;
  }
}
