import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '../config/config.schema.js';
import { CONFIG } from '../config/config.token.js';
import { DATABASE, type Database, type Queryable } from './database.js';

/** An AuthnRequest (or, with `returnTo`, a LogoutRequest) this service sent and has not yet seen answered. */
export interface PendingSamlRequest {
  requestId: string;
  realm: string;
  idpAlias: string;
  relayState: string;
  createdAt: Date;
  expiresAt: Date;
  /** A LogoutRequest's: where the browser goes once its LogoutResponse is in (a post_logout_redirect_uri, or '' for none). */
  returnTo?: string;
}

/** A LogoutRequest's pending record, taken by its LogoutResponse. */
export interface PendingLogout {
  relayState: string;
  returnTo: string;
}

/**
 * Rows of `saml_pending_requests`: the persistent, shared replacement for node-saml's in-memory
 * `InResponseTo` cache (DOMAIN.md, "Known failure modes of peers": such caches break with two
 * instances).
 */
@Injectable()
export class SamlRequestRepository {
  private readonly ceiling: number;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CONFIG) config: Config,
  ) {
    this.ceiling = config.limits.pendingLogins;
  }

  /**
   * Records a request. An AuthnRequest replaces the pending one of the same login (RelayState) and
   * IdP, in the same statement (migration 016): one login keeps one row per IdP however often its
   * chooser link is followed, and the latest request, the one the browser took to the IdP, is the one
   * a Response can answer. (Two racing for one login may both stand; each is then answerable.)
   *
   * AuthnRequests also keep to `limits.pendingLogins` as the logins do (LoginTransactionRepository
   * `create`): they outlive their login threefold, so without it every login ever sent to an IdP in
   * the last pendingRequestTtlSeconds kept a row. Each insert takes the next `seq` (migration 024) and
   * deletes the AuthnRequest `ceiling` places behind it. A LogoutRequest takes a place too but is never
   * the one deleted: anonymous logins must not push out a signed-in person's logout (those are bounded
   * by the sessions that send them). A row whose turn is missed (a gap in `seq` from a failed insert, or
   * one not yet committed when its turn came) is not deleted by the ceiling: it expires.
   */
  async record(request: PendingSamlRequest): Promise<void> {
    await this.db.query(
      `WITH replaced AS (
         DELETE FROM saml_pending_requests
          WHERE $7::text = 'authn' AND kind = 'authn' AND realm = $2 AND idp_alias = $3 AND relay_state = $4
       ), inserted AS (
         INSERT INTO saml_pending_requests (request_id, realm, idp_alias, relay_state, created_at, expires_at, kind, return_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING seq)
       DELETE FROM saml_pending_requests WHERE seq = (SELECT seq - $9 FROM inserted) AND kind = 'authn'`,
      [
        request.requestId,
        request.realm,
        request.idpAlias,
        request.relayState,
        request.createdAt,
        request.expiresAt,
        request.returnTo === undefined ? 'authn' : 'logout',
        request.returnTo ?? null,
        this.ceiling,
      ],
    );
  }

  /**
   * Deletes the request if it is still live and was sent for this realm and IdP, returning the
   * RelayState it was sent with. The delete is the atomic single-use check: of two concurrent
   * Responses to one request, exactly one gets the row. Inside a transaction, a rollback restores it.
   */
  async take(requestId: string, realm: string, idpAlias: string, now: Date, db: Queryable = this.db): Promise<string | undefined> {
    const { rows } = await db.query<{ relay_state: string }>(
      `DELETE FROM saml_pending_requests
        WHERE request_id = $1 AND realm = $2 AND idp_alias = $3 AND expires_at > $4 AND kind = 'authn'
       RETURNING relay_state`,
      [requestId, realm, idpAlias, now],
    );
    return rows[0]?.relay_state;
  }

  /**
   * The RelayState of a live pending LogoutRequest, without taking it: lets a LogoutResponse that
   * answers none be set aside before its signature is verified. {@link takeLogout} stays the single-use check.
   */
  async pendingLogoutRelayState(requestId: string, realm: string, idpAlias: string, now: Date): Promise<string | undefined> {
    const { rows } = await this.db.query<{ relay_state: string }>(
      `SELECT relay_state FROM saml_pending_requests
        WHERE request_id = $1 AND realm = $2 AND idp_alias = $3 AND expires_at > $4 AND kind = 'logout'`,
      [requestId, realm, idpAlias, now],
    );
    return rows[0]?.relay_state;
  }

  /** The same single-use take for a LogoutRequest (SAML Core §3.7.3.2: its LogoutResponse's InResponseTo). */
  async takeLogout(
    requestId: string,
    realm: string,
    idpAlias: string,
    now: Date,
    db: Queryable = this.db,
  ): Promise<PendingLogout | undefined> {
    const { rows } = await db.query<{ relay_state: string; return_to: string }>(
      `DELETE FROM saml_pending_requests
        WHERE request_id = $1 AND realm = $2 AND idp_alias = $3 AND expires_at > $4 AND kind = 'logout'
       RETURNING relay_state, return_to`,
      [requestId, realm, idpAlias, now],
    );
    return rows[0] && { relayState: rows[0].relay_state, returnTo: rows[0].return_to };
  }
}
