import { SamlBusyError } from './saml.errors.js';

/**
 * Which allowance a SAML task counts against: `logout` for an IdP's LogoutRequest or LogoutResponse
 * (and the LogoutResponse owed to one), `login` for everything else (a Response at the ACS, the
 * AuthnRequest and our own LogoutRequest to sign).
 */
export type SamlLane = 'login' | 'logout';

/** A task waiting for a worker: started when one is handed to it. */
type Waiter = () => void;

/**
 * Admission and order of the tasks given to the SAML worker pool, in two lanes, so that a flood in
 * one cannot shed or delay the other (issue: an anonymous flood of ACS posts made the IdP's
 * LogoutRequest fail with 503, and the person's sessions here were never ended, SAML Profiles
 * §4.4.3.2–3).
 *
 * Each lane admits at most its own bound of tasks in flight (running plus waiting); beyond it a task
 * is refused at once ({@link SamlBusyError}), as before. Both lanes stay bounded because both are
 * anonymous until verified: forged LogoutRequests can fill the logout lane, never the login lane.
 *
 * At most `slots` (the pool's threads) tasks are handed to piscina at a time; the rest wait here, in
 * their lane, rather than in piscina's queue, which is one FIFO for every task carrying an
 * AbortSignal (piscina 5.3 keeps those in its `skipQueue`, where no custom `taskQueue` or priority
 * reaches them). When a worker frees and both lanes wait, they take turns: an IdP's logout waits
 * behind at most the tasks running and one login each, never behind a full queue of logins, and a
 * flood of forged logouts still leaves logins every other worker.
 */
export class SamlLanes {
  /** Tasks admitted and not yet settled, per lane: running plus waiting. */
  readonly inFlight: Record<SamlLane, number> = { login: 0, logout: 0 };
  private readonly waiting: Record<SamlLane, Waiter[]> = { login: [], logout: [] };
  /** Tasks handed to the pool and not yet settled. */
  private running = 0;
  /** The lane last handed a worker, so that the other goes first next time both wait. */
  private last: SamlLane = 'login';

  constructor(
    private readonly slots: number,
    private readonly bounds: Record<SamlLane, number>,
  ) {}

  /** Tasks of a lane (or both) waiting here for a worker. */
  waitingIn(lane?: SamlLane): number {
    return lane ? this.waiting[lane].length : this.waiting.login.length + this.waiting.logout.length;
  }

  /**
   * Runs `work` once a worker is free for it. `owed`: a task the lane's bound does not shed (counted
   * all the same), for the LogoutResponse owed to a verified IdP LogoutRequest.
   */
  async run<T>(lane: SamlLane, work: () => Promise<T>, { owed = false } = {}): Promise<T> {
    if (!owed && this.inFlight[lane] >= this.bounds[lane]) throw new SamlBusyError();
    this.inFlight[lane]++;
    try {
      if (this.running < this.slots) {
        this.running++;
        this.last = lane;
      } else await new Promise<void>((resolve) => this.waiting[lane].push(resolve));
      try {
        return await work();
      } finally {
        this.handOn();
      }
    } finally {
      this.inFlight[lane]--;
    }
  }

  /** A worker freed: straight to the next waiting task (the lanes taking turns), or counted free. */
  private handOn(): void {
    const other: SamlLane = this.last === 'login' ? 'logout' : 'login';
    for (const lane of [other, this.last]) {
      const next = this.waiting[lane].shift();
      if (next) {
        this.last = lane;
        next();
        return;
      }
    }
    this.running--;
  }
}
