import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Piscina } from 'piscina';
import { SAML_OPTIONS, type SamlOptions } from './saml-options.js';
import { SamlBusyError } from './saml.errors.js';
import type { AuthnRequestTask, ValidateTask, ValidationResult } from './worker/saml-worker.mjs';

type WorkerModule = typeof import('./worker/saml-worker.mjs');

/** Plain JavaScript, so piscina loads it from `src/` under jest and from `dist/` (copied) alike. */
const WORKER_FILE = new URL('./worker/saml-worker.mjs', import.meta.url).href;

/**
 * The gateway to node-saml: a piscina pool of worker threads, so that ≈7.5 ms of signature
 * verification per login (DESIGN.md §1) never blocks the event loop; or, with `workers: 0`, the
 * same module run inline.
 *
 * What one anonymous POST can cost is bounded (issue 15): each validation has a deadline, counted
 * from submission so that time in the queue counts too; past it piscina terminates the worker running
 * it (a synchronous XPath cannot be interrupted otherwise) and starts a fresh one. At most `maxQueue`
 * tasks wait for a worker; beyond that a task is refused at once ({@link SamlBusyError}), so that a
 * flood sheds load instead of delaying every login. The bound is counted here: piscina's own
 * `maxQueue` does not apply to tasks that carry an AbortSignal, which it keeps in a separate,
 * unbounded queue (piscinajs/piscina#899).
 */
@Injectable()
export class SamlWorkers implements OnModuleDestroy {
  private pool: Piscina<ValidateTask | AuthnRequestTask, ValidationResult | string> | undefined;
  private inline: Promise<WorkerModule> | undefined;
  /** Tasks submitted to the pool and not yet settled: running plus waiting. */
  private inFlight = 0;

  constructor(@Inject(SAML_OPTIONS) private readonly options: SamlOptions) {}

  /** Whether verification runs on worker threads. */
  get pooled(): boolean {
    return this.options.workers > 0;
  }

  async validateResponse(task: ValidateTask): Promise<ValidationResult> {
    if (!this.pooled) return (await this.module()).validateResponse(task);
    const deadline = AbortSignal.timeout(this.options.validationTimeoutMs);
    try {
      return (await this.submit(task, 'validateResponse', deadline)) as ValidationResult;
    } catch (error) {
      if (deadline.aborted) return { ok: false, reason: 'validation did not finish within its deadline' };
      throw error;
    }
  }

  async authnRequestUrl(task: AuthnRequestTask): Promise<string> {
    if (!this.pooled) return (await this.module()).authnRequestUrl(task);
    return (await this.submit(task, 'authnRequestUrl')) as string;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  private async submit(task: ValidateTask | AuthnRequestTask, name: string, signal?: AbortSignal): Promise<ValidationResult | string> {
    if (this.inFlight >= this.options.workers + this.options.maxQueue) throw new SamlBusyError();
    this.inFlight++;
    try {
      return await this.threads().run(task, { name, signal });
    } finally {
      this.inFlight--;
    }
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
