import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { SAML_OPTIONS, type SamlOptions } from './saml-options.js';
import { SamlBusyError } from './saml.errors.js';
import { SamlLanes, type SamlLane } from './saml-lanes.js';
import type {
  AuthnRequestTask,
  LogoutReply,
  LogoutRequestTask,
  LogoutResponseTask,
  LogoutVerification,
  ValidateTask,
  ValidationResult,
  VerifyLogoutTask,
} from './worker/saml-worker.mjs';

type WorkerModule = typeof import('./worker/saml-worker.mjs');
type WorkerTask = ValidateTask | AuthnRequestTask | VerifyLogoutTask | LogoutResponseTask | LogoutRequestTask;

/** Plain JavaScript, so piscina loads it from `src/` under jest and from `dist/` (copied) alike. */
const WORKER_FILE = new URL('./worker/saml-worker.mjs', import.meta.url).href;

/**
 * The gateway to node-saml: a piscina pool of worker threads, so that ≈7.5 ms of signature
 * verification per login (DESIGN.md §1) never blocks the event loop; or, with `workers: 0`, the
 * same module run inline.
 *
 * What one anonymous POST can cost is bounded (issue 15): each validation has a deadline, counted
 * from when a worker starts on it (the worker says so over a MessagePort), so that neither a wait in
 * the queue nor a worker's start-up counts against an honest Response; past it piscina terminates the
 * worker (a synchronous XPath cannot be interrupted otherwise) and starts a fresh one. At most `maxQueue`
 * tasks wait for a worker; beyond that a task is refused at once ({@link SamlBusyError}), so that a
 * flood sheds load instead of delaying every login. An IdP's logout messages have an allowance of
 * their own (`maxLogoutQueue`) and take turns with logins for a free worker ({@link SamlLanes}), so
 * that a flood of ACS posts cannot shed or stall the LogoutRequest that ends a person's sessions. The
 * bounds are counted here: piscina's own `maxQueue` does not apply to tasks that carry an AbortSignal,
 * which it keeps in a separate, unbounded queue (piscinajs/piscina#899).
 */
@Injectable()
export class SamlWorkers implements OnApplicationShutdown {
  private pool: Piscina<WorkerTask, unknown> | undefined;
  /** Once closed, a task is refused rather than starting a pool that nothing would close. */
  private closed = false;
  private inline: Promise<WorkerModule> | undefined;
  /** Tasks admitted and not yet settled, per lane, and those waiting for a worker. */
  private readonly lanes: SamlLanes;

  constructor(@Inject(SAML_OPTIONS) private readonly options: SamlOptions) {
    const { workers, maxQueue, maxLogoutQueue } = options;
    this.lanes = new SamlLanes(workers, { login: workers + maxQueue, logout: workers + maxLogoutQueue });
  }

  /**
   * Tasks waiting for a worker, for /metrics: in either lane here, and in piscina's queue (its
   * `queueSize`, which counts tasks with a deadline too) while a worker starts or restarts.
   */
  get queueSize(): number {
    return this.lanes.waitingIn() + (this.pool?.queueSize ?? 0);
  }

  /** An IdP's logout messages waiting for a worker (`saml.maxLogoutQueue` bounds them), for /metrics. */
  get logoutQueueSize(): number {
    return this.lanes.waitingIn('logout');
  }

  /** Whether verification runs on worker threads. */
  get pooled(): boolean {
    return this.options.workers > 0;
  }

  async validateResponse(task: ValidateTask): Promise<ValidationResult> {
    if (!this.pooled) return (await this.module()).validateResponse(task);
    return this.withDeadline<ValidationResult>(task, 'validateResponse');
  }

  /**
   * An IdP's LogoutRequest or LogoutResponse: verified with the same deadline as a Response (anyone
   * can send one), in the logout lane, which ACS posts cannot fill (SAML Profiles §4.4.3.2).
   */
  async verifyLogout(task: VerifyLogoutTask): Promise<LogoutVerification> {
    if (!this.pooled) return (await this.module()).verifyLogoutMessage(task);
    return this.withDeadline<LogoutVerification>(task, 'verifyLogoutMessage', 'logout');
  }

  async authnRequestUrl(task: AuthnRequestTask): Promise<string> {
    if (!this.pooled) return (await this.module()).authnRequestUrl(task);
    return (await this.submit(task, 'authnRequestUrl')) as string;
  }

  /**
   * The LogoutResponse owed to an IdP's LogoutRequest, which is never shed: by now its signature was
   * verified, its ID consumed against replay, and the sessions it named have ended here; shed, the IdP
   * would get a 503 in place of its answer, and the browser carrying the logout from SP to SP (SAML
   * Profiles §4.4.3.3) would stop here, leaving the person logged in at the SPs after us. Each such
   * task was bought by a genuine, fresh IdP message, so a flood of anonymous posts cannot queue them.
   * `owed: false` for the answer to a genuine but stale or replayed LogoutRequest, which ended nothing:
   * a captured message can be sent again, so that answer is shed like any other task of the lane.
   */
  async logoutResponse(task: LogoutResponseTask, { owed = true }: { owed?: boolean } = {}): Promise<LogoutReply> {
    if (!this.pooled) return (await this.module()).logoutResponse(task);
    return (await this.submit(task, 'logoutResponse', { lane: 'logout', owed })) as LogoutReply;
  }

  async logoutRequest(task: LogoutRequestTask): Promise<LogoutReply> {
    if (!this.pooled) return (await this.module()).logoutRequest(task);
    return (await this.submit(task, 'logoutRequest')) as LogoutReply;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  /**
   * Nest runs this after the HTTP server has stopped taking requests and finished those under way
   * (the database closes at the same point): a login or IdP logout in flight at SIGTERM completes,
   * where closing the pool at module destruction, before that, failed it with a 500.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** A verification under the deadline, which starts when a worker takes the task up (it says so over `started`). */
  private async withDeadline<T>(
    task: ValidateTask | VerifyLogoutTask,
    name: string,
    lane: SamlLane = 'login',
  ): Promise<T | { ok: false; reason: string }> {
    const deadline = new AbortController();
    const { port1: started, port2 } = new MessageChannel();
    let timer: NodeJS.Timeout | undefined;
    started.once('message', () => {
      timer = setTimeout(() => deadline.abort(), this.options.validationTimeoutMs);
    });
    try {
      return (await this.submit({ ...task, started: port2 }, name, { lane, signal: deadline.signal, transferList: [port2] })) as T;
    } catch (error) {
      if (deadline.signal.aborted) return { ok: false, reason: 'validation did not finish within its deadline' };
      throw error;
    } finally {
      clearTimeout(timer);
      started.close();
    }
  }

  /** `owed`: a task its lane's bound does not shed (counted all the same): see {@link logoutResponse}. */
  private async submit(
    task: WorkerTask,
    name: string,
    {
      lane = 'login',
      owed = false,
      signal,
      transferList = [],
    }: { lane?: SamlLane; owed?: boolean; signal?: AbortSignal; transferList?: MessagePort[] } = {},
  ): Promise<unknown> {
    return this.lanes.run(lane, async () => this.threads().run(task, { name, signal, transferList }), { owed });
  }

  /** Started on first use, so an application whose realms have no SAML IdP runs no threads. */
  private threads(): Piscina<WorkerTask, unknown> {
    if (this.closed) throw new SamlBusyError('SAML worker pool closed: the service is shutting down');
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
