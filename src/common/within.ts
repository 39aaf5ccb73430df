/**
 * `work`'s value if it settles within `ms`, else undefined. Only the waiting ends: `work` goes on,
 * and what it does after that is for its owner to handle (a rejection then is handled here, never
 * unhandled, and not reported). The timer is cleared once either settles and is unref'd, so a wait
 * never keeps the process alive.
 */
export async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
