import { SamlRejectedError } from './saml.errors.js';
import type { LogoutBinding } from './worker/saml-worker.mjs';

/** What answering a refused LogoutRequest needs: its ID (InResponseTo), binding and RelayState. */
export interface RefusedLogoutRequest {
  id: string;
  binding: LogoutBinding;
  relayState?: string;
}

/**
 * A LogoutRequest refused though genuine: its signature verified with the IdP's certificates, its
 * Issuer the IdP and its Destination this endpoint, but stale (outside its time window) or replayed
 * (its ID already used). It ends nothing, yet may be answered with a non-success LogoutResponse
 * (SamlLogoutService.answerRefusal) so that the IdP's logout chain goes on (SAML Profiles §4.4.3.3–4).
 * Any other refusal is a plain {@link SamlRejectedError}: never answered, since the message was not
 * verifiably the IdP's, or not for us.
 */
export class LogoutRequestRefusedError extends SamlRejectedError {
  constructor(
    reason: string,
    readonly request: RefusedLogoutRequest,
  ) {
    super(reason);
  }
}
