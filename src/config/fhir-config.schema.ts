import { z } from 'zod';
import { timerMs } from './shared-values.schema.js';

/** `fhir.maxAnswerBytes` unless configured: a searchset page of a hundred CareTeams is well under it. */
export const DEFAULT_FHIR_MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * `fhir.loginDeadlineMs` unless configured: a clinician's first login is seven requests or so. Never
 * less than one request's `timeoutMs`, so a config that set only a long timeout keeps starting.
 */
export const DEFAULT_FHIR_LOGIN_DEADLINE_MS = 15_000;

export function defaultLoginDeadlineMs(timeoutMs: number): number {
  return Math.max(DEFAULT_FHIR_LOGIN_DEADLINE_MS, timeoutMs);
}

/**
 * The service-wide FHIR server (a realm may name its own, `realms[].fhir`) and how it is called.
 * Kept beside config.schema.ts, which places it under `fhir`.
 */
export const fhirSchema = z
  .strictObject({
    /** `embedded` (an in-process FHIR server, refused in production) or the FHIR base URL. */
    baseUrl: z
      .string()
      .min(1)
      .default('embedded')
      .refine((v) => v === 'embedded' || /^https?:\/\/[^/?#]+/.test(v), 'must be "embedded" or an http(s) URL'),
    /** A FHIR Bundle loaded into the embedded server at start; only with `embedded`. */
    seed: z.string().optional(),
    /** Per FHIR request, in milliseconds; reads are retried within `retries`. */
    timeoutMs: timerMs.default(3000),
    /** Extra tries for reads and searches only (never for writes). */
    retries: z.number().int().min(0).max(5).default(2),
    /**
     * The most a login waits for FHIR in all, in milliseconds: a clinician's login makes several
     * requests, each with its own `timeoutMs` and retries, and a FHIR server that answers each just in
     * time would otherwise hold the browser for minutes. Past it the login gets the retryable error
     * page, and its requests still in flight are given up. 15 s, or `timeoutMs` if that is longer.
     */
    loginDeadlineMs: timerMs.optional(),
    /**
     * The most of one FHIR answer that is read, in bytes (4 MiB by default): a larger one, declared
     * or counted while it arrives, is given up as a broken answer (retryable), so no FHIR server can
     * make this service hold more than this per request in memory. Searches read up to 20 pages.
     */
    maxAnswerBytes: z.number().int().min(65_536).default(DEFAULT_FHIR_MAX_ANSWER_BYTES),
    /** Sent as `Authorization: Bearer` to the FHIR server. */
    bearerToken: z.string().min(1).optional(),
  })
  .refine((fhir) => fhir.loginDeadlineMs === undefined || fhir.loginDeadlineMs >= fhir.timeoutMs, {
    path: ['loginDeadlineMs'],
    message: 'must be at least fhir.timeoutMs: a login makes at least one FHIR request',
  })
  // Reported under baseUrl: that is the key an operator changes (often by FHIR_BASE_URL, on a config
  // written for the embedded server, the demo's), and the variable that set it is named beside it.
  .refine((fhir) => fhir.seed === undefined || fhir.baseUrl === 'embedded', {
    path: ['baseUrl'],
    message: 'only the embedded FHIR server is seeded: remove fhir.seed to use another server',
  })
  .transform((fhir) => ({ ...fhir, loginDeadlineMs: fhir.loginDeadlineMs ?? defaultLoginDeadlineMs(fhir.timeoutMs) }))
  .prefault({});
