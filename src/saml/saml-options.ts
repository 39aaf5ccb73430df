import { availableParallelism } from 'node:os';

/** Nest injection token for {@link SamlOptions}; SamlModule provides the defaults. */
export const SAML_OPTIONS = Symbol('SAML_OPTIONS');

export interface SamlOptions {
  /** Worker threads verifying signatures; 0 runs node-saml inline on the event loop (tests, tools). */
  workers: number;
  /** How long an AuthnRequest waits for its Response (the user may take a while at the IdP). */
  pendingRequestTtlSeconds: number;
  /** Tolerance for the IdP's clock on every NotBefore / NotOnOrAfter; at most 60 s. */
  clockSkewSeconds: number;
}

export const MAX_CLOCK_SKEW_SECONDS = 60;

export const DEFAULT_SAML_OPTIONS: SamlOptions = {
  // One per core: verification is pure CPU, so more threads than cores only queue (DESIGN.md §1).
  workers: Math.max(1, availableParallelism()),
  pendingRequestTtlSeconds: 1800,
  clockSkewSeconds: MAX_CLOCK_SKEW_SECONDS,
};
