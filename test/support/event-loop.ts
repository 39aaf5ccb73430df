/** Resolves after the event loop's next check phase: what a turn's I/O callbacks asked for has been dispatched. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
