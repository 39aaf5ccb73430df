import type { SamlWorkers } from '../../../src/saml/saml-workers.js';

/**
 * Every worker of the SAML pool busy and its queue full, as {@link SamlWorkers} counts them (the
 * tasks in flight against `workers + maxQueue`), until the returned function is called: the next
 * task is shed with a SamlBusyError where a flood would shed it, without a flood's timing on a
 * shared machine. Throws if SamlWorkers no longer keeps that count, rather than filling nothing.
 */
export function fillSamlQueue(workers: SamlWorkers): () => void {
  const counted = workers as unknown as { inFlight: unknown };
  if (typeof counted.inFlight !== 'number') throw new Error('SamlWorkers keeps no inFlight count: fillSamlQueue needs updating');
  const held = 1_000_000;
  counted.inFlight += held;
  return () => {
    (counted as { inFlight: number }).inFlight -= held;
  };
}
