/** What a {@link PeriodicTask} runs, how often, and where a failed round is reported. */
export interface PeriodicTaskOptions {
  intervalMs: number;
  round: () => Promise<unknown>;
  /** A failed round ends there; the next tick starts a new one as usual. */
  onFailure: (error: unknown) => void;
}

/**
 * Runs a round every `intervalMs` after start(), the first one interval later, never two at once: a
 * tick that finds the last round still running (a slow server on the other end) is skipped, not
 * queued, so slow rounds do not pile up. The timer is unref'd, so it alone never keeps the process
 * alive; stop() lets the round in flight finish, so its work is not cut off half-way at shutdown.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> | undefined;

  constructor(private readonly options: PeriodicTaskOptions) {}

  /** From start() until stop(); a round that loops checks it to end early at shutdown. */
  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** No round starts after this; resolves once the round in flight, if any, has ended. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private tick(): void {
    this.inFlight ??= this.options
      .round()
      .catch((error: unknown) => this.options.onFailure(error))
      .finally(() => (this.inFlight = undefined));
  }
}
