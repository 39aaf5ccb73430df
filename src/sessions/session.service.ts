import { Inject, Injectable } from '@nestjs/common';
import type { RegisteredClient } from '../clients/registered-client.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { randomToken } from '../common/random.js';
import type { Identifier } from '../identity/principal.js';
import type { KeyEncryption } from '../keys/key-encryption.js';
import type { Realm } from '../realms/realm.js';
import type { SessionContext } from '../identity/session-context.js';
import type { Queryable } from '../storage/database.js';
import { SessionRepository, type Delegation, type SessionEvent, type SessionRow } from '../storage/session.repository.js';
import { formatScope } from '../protocol/scope.js';

/** Nest token of the {@link KeyEncryption} for national identifiers (its own derived key). */
export const NATIONAL_ID_ENCRYPTION = Symbol('NATIONAL_ID_ENCRYPTION');

/**
 * Sessions live exactly as long as their refresh-token chain: `sessionIdle` from the last use,
 * never past `sessionMax` from the login nor the IdP's `SessionNotOnOrAfter`.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly sessions: SessionRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NATIONAL_ID_ENCRYPTION) private readonly encryption: KeyEncryption,
  ) {}

  /**
   * The national identifier for a client's tokens: decrypted only when the client is configured to
   * receive it (DESIGN.md §3), so no other request ever holds the plaintext.
   */
  nationalIdentifierFor(client: RegisteredClient, session: SessionRow): Identifier | undefined {
    return client.config.nationalIdentifier ? this.nationalIdentifier(session) : undefined;
  }

  /** The session's national identifier, decrypted; undefined when none was kept. */
  nationalIdentifier(session: SessionRow): Identifier | undefined {
    if (!session.national_id_enc) return undefined;
    const plain = this.encryption.decrypt(session.national_id_enc, session.id);
    const separator = plain.lastIndexOf('|');
    return { system: plain.slice(0, separator), value: plain.slice(separator + 1) };
  }

  private sealNationalIdentifier(sessionId: string, identifier: Identifier | undefined): string | null {
    return identifier ? this.encryption.encrypt(`${identifier.system}|${identifier.value}`, sessionId) : null;
  }

  /**
   * A session for a client that exchanged a token of `parent` (RFC 8693, refresh token requested):
   * the same user, link and limits, its own refresh chain, alive only while the parent is.
   */
  async openDelegated(
    realm: Realm,
    parent: SessionRow,
    child: { clientId: string; scope: string[]; tenant: string | null; context: SessionContext | null; delegation: Delegation },
    db?: Queryable,
  ): Promise<SessionRow> {
    const now = this.clock.now();
    const id = randomToken(16);
    const session: SessionRow = {
      ...parent,
      id,
      // Sealed anew: a ciphertext is bound to its session id.
      national_id_enc: this.sealNationalIdentifier(id, this.nationalIdentifier(parent)),
      client_id: child.clientId,
      scope: formatScope(child.scope),
      tenant: child.tenant,
      refresh_jti: null,
      created_at: now,
      // No further than the parent's own ends: alive only while it is, so its tokens end with it.
      idle_expires_at: new Date(
        Math.min(now.getTime() + realm.config.sessionIdle * 1000, parent.idle_expires_at.getTime(), parent.max_expires_at.getTime()),
      ),
      ended_at: null,
      end_reason: null,
      context: child.context,
      parent_id: parent.id,
      delegation: child.delegation,
    };
    await this.sessions.create(session, db);
    return session;
  }

  /** Starts the refresh chain: the jti of the first refresh token. */
  async startRefreshChain(session: SessionRow, db?: Queryable): Promise<string> {
    const jti = randomToken(16);
    await this.sessions.setRefreshJti(session.id, jti, db);
    session.refresh_jti = jti;
    return jti;
  }

  /**
   * Spends refresh token `presentedJti` of session `sid` and returns the session with its next jti,
   * `events` committed with it; undefined when it is not the current token of a live session, and
   * then nothing changed ({@link endReused} decides what that means).
   */
  async rotate(
    realm: Realm,
    sid: string,
    presentedJti: string,
    context: SessionContext | undefined,
    events: SessionEvent[],
  ): Promise<{ session: SessionRow; nextJti: string } | undefined> {
    const nextJti = randomToken(16);
    const session = await this.sessions.rotateRefresh(
      sid,
      presentedJti,
      nextJti,
      realm.config.sessionIdle,
      this.clock.now(),
      context,
      events,
    );
    return session && { session, nextJti };
  }

  /**
   * After a refused rotation: a token that is not the current one of a live session is a reuse
   * (RFC 9700 §4.14.2) and the whole session ends, so whoever holds the newer token loses it too;
   * false when the session was over already.
   */
  endReused(sid: string, db?: Queryable): Promise<boolean> {
    return this.sessions.endIfLive(sid, 'refresh token reused', this.clock.now(), db);
  }

  /** The live session of an access token that was not revoked. */
  findLiveUnlessRevoked(id: string, jti: string): Promise<SessionRow | undefined> {
    return this.sessions.findLiveUnlessRevoked(id, jti, this.clock.now());
  }

  findLive(id: string, db?: Queryable): Promise<SessionRow | undefined> {
    return this.sessions.findLive(id, this.clock.now(), db);
  }

  end(id: string, reason: string, db?: Queryable): Promise<boolean> {
    return this.sessions.end(id, reason, this.clock.now(), db);
  }
}
