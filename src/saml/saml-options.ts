import { availableParallelism } from 'node:os';
import type { Config } from '../config/config.schema.js';
import { DEFAULT_XML_LIMITS, type XmlLimits } from './xml-prechecks.js';

/** Nest injection token for {@link SamlOptions}; SamlModule provides the defaults. */
export const SAML_OPTIONS = Symbol('SAML_OPTIONS');

export interface SamlOptions {
  /** Worker threads verifying signatures; 0 runs node-saml inline on the event loop (tests, tools). */
  workers: number;
  /** How long an AuthnRequest waits for its Response (the user may take a while at the IdP). */
  pendingRequestTtlSeconds: number;
  /** Tolerance for the IdP's clock on every NotBefore / NotOnOrAfter; at most 60 s. */
  clockSkewSeconds: number;
  /** Per Response, from when a worker starts on it (config `saml.validationTimeoutMs`); not enforceable inline. */
  validationTimeoutMs: number;
  /** Tasks waiting for a worker beyond this are shed (config `saml.maxQueue`). */
  maxQueue: number;
  /** An IdP's logout messages waiting for a worker beyond this are shed; logins cannot use it up (config `saml.maxLogoutQueue`). */
  maxLogoutQueue: number;
  /** Checked on the decoded Response before any parser (config `saml.xmlLimits`). */
  xmlLimits: XmlLimits;
}

export const MAX_CLOCK_SKEW_SECONDS = 60;

export const DEFAULT_SAML_OPTIONS: SamlOptions = {
  // One per core: verification is pure CPU, so more threads than cores only queue (DESIGN.md §1).
  workers: Math.max(1, availableParallelism()),
  pendingRequestTtlSeconds: 1800,
  clockSkewSeconds: MAX_CLOCK_SKEW_SECONDS,
  // The config schema's defaults (config.schema.ts `saml`); saml-options.spec.ts keeps them equal.
  validationTimeoutMs: 2000,
  maxQueue: 64,
  maxLogoutQueue: 16,
  xmlLimits: DEFAULT_XML_LIMITS,
};

/** The defaults, with what the config file sets. */
export function samlOptionsFromConfig(config: Config): SamlOptions {
  const { validationTimeoutMs, maxQueue, maxLogoutQueue, xmlLimits } = config.saml;
  return { ...DEFAULT_SAML_OPTIONS, validationTimeoutMs, maxQueue, maxLogoutQueue, xmlLimits };
}
