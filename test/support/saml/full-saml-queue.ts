import type { SamlLane } from '../../../src/saml/saml-lanes.js';
import type { SamlWorkers } from '../../../src/saml/saml-workers.js';

/**
 * One lane of the SAML pool full, as {@link SamlWorkers} counts it (the tasks in flight against
 * `workers + maxQueue` for logins, `workers + maxLogoutQueue` for an IdP's logout messages), until the
 * returned function is called: the next task of that lane is shed with a SamlBusyError where a flood
 * would shed it, without a flood's timing on a shared machine. The other lane is left as it was.
 * Throws if SamlWorkers no longer keeps that count, rather than filling nothing.
 */
export function fillSamlQueue(workers: SamlWorkers, lane: SamlLane = 'login'): () => void {
  const counted = (workers as unknown as { lanes?: { inFlight?: Record<string, unknown> } }).lanes?.inFlight;
  if (typeof counted?.[lane] !== 'number') throw new Error('SamlWorkers keeps no inFlight count per lane: fillSamlQueue needs updating');
  const inFlight = counted as Record<SamlLane, number>;
  const held = 1_000_000;
  inFlight[lane] += held;
  return () => {
    inFlight[lane] -= held;
  };
}
