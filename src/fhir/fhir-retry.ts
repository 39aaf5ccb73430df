export interface RetryPolicy {
  /** Tries in all (1 = no retry). */
  attempts: number;
  /** Pause before the first retry; it doubles for each further one. */
  backoffMs: number;
  /** Injected by tests so they do not wait. */
  sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, fails with an error `retryable` rejects, or the attempts are
 * used up. Only safe (idempotent) interactions may be retried this way: a read or a search
 * (RFC 9110 §9.2.2); a create retried after a lost answer could create twice.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<T>,
  retryable: (error: unknown) => boolean,
  onRetry: () => void = () => {},
): Promise<T> {
  const pause = policy.sleep ?? sleep;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= policy.attempts || !retryable(error)) throw error;
      onRetry();
      await pause(backoffDelay(policy.backoffMs, n));
    }
  }
}

/** Exponential backoff with jitter (±25 %), so instances that failed together do not retry together. */
export function backoffDelay(baseMs: number, failedAttempts: number, random: () => number = Math.random): number {
  const exponential = baseMs * 2 ** (failedAttempts - 1);
  return Math.round(exponential * (0.75 + random() * 0.5));
}
