/** The longest wait between two attempts at one notification. */
const MAX_BACKOFF_SECONDS = 3600;

/**
 * When to try again after attempt number `attempts` failed: `initialSeconds`, doubling with each
 * attempt, at most an hour. Counted on the injected clock, so the schedule is the same on every instance.
 */
export function nextAttemptAt(now: Date, attempts: number, initialSeconds: number): Date {
  const seconds = Math.min(initialSeconds * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_SECONDS);
  return new Date(now.getTime() + seconds * 1000);
}
