import { z } from 'zod';

/**
 * Delivery of OIDC Back-Channel Logout 1.0 logout tokens (issue 12) from the database outbox to the
 * clients' `backchannelLogoutUri`. Kept beside config.schema.ts, which places it under `backchannelLogout`.
 */
export const backchannelLogoutSchema = z
  .strictObject({
    /** How often each instance looks for notifications due. */
    intervalMs: z.number().int().min(100).max(3_600_000).default(5000),
    /** One POST's deadline; a slower client counts as failed and is retried. */
    timeoutMs: z.number().int().min(100).max(60_000).default(5000),
    /** Attempts per notification; the wait between them doubles from `initialBackoffSeconds`. */
    maxAttempts: z.number().int().min(1).max(20).default(8),
    initialBackoffSeconds: z.number().int().min(1).max(3600).default(10),
    /**
     * A SAML single logout waits at most this long for the clients before it answers the IdP
     * (PartialLogout if one was not told by then). It bounds only that wait: a POST still under way
     * goes on, with its `timeoutMs`, and counts as any other attempt.
     */
    sloWaitMs: z.number().int().min(0).max(30_000).default(3000),
  })
  .prefault({});

export type BackchannelLogoutConfig = z.infer<typeof backchannelLogoutSchema>;
