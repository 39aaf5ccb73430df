/** What `work` was rejected with, or undefined when it resolved: for asserting on an error's class and fields. */
export function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  );
}
