import type { IdentityLink } from '../identity/identity-link.js';
import type { PersonName } from '../identity/principal.js';
import type { SessionContext } from '../identity/session-context.js';
import type { UserType } from '../identity/user-type.js';

/** A row of `sessions`, a client session, as session.repository.ts reads and writes it. */
export interface SessionRow {
  id: string;
  realm: string;
  user_id: string;
  client_id: string;
  idp_alias: string;
  idp_session_index: string | null;
  user_type: UserType;
  /** Display name only (OIDC `profile` claims); never a national identifier. */
  profile: PersonName;
  auth_time: Date;
  acr: string | null;
  link: IdentityLink;
  scope: string;
  tenant: string | null;
  refresh_jti: string | null;
  created_at: Date;
  idle_expires_at: Date;
  max_expires_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
  context: SessionContext | null;
  parent_id: string | null;
  delegation: Delegation | null;
  /** Encrypted `{system}|{value}` of a citizen's CPR/BSN, only where a client's tokens need it. */
  national_id_enc: string | null;
  /**
   * The browser's SSO session this client session was opened in (sso-session.repository.ts), which it
   * never outlives (a delegated session inherits it from its parent); null for sessions opened before SSO existed.
   */
  sso_session_id?: string | null;
}

/** What tokens of an exchanged (child) session carry besides the user (RFC 8693 §4.1). */
export interface Delegation {
  act: Record<string, unknown>;
  audience: string[];
}

/** When a session ends if nothing else happens (epoch seconds): the earlier of its idle and absolute ends. */
export function sessionEndsAt(session: Pick<SessionRow, 'idle_expires_at' | 'max_expires_at'>): number {
  return Math.floor(Math.min(session.idle_expires_at.getTime(), session.max_expires_at.getTime()) / 1000);
}

export type NewSession = Omit<SessionRow, 'ended_at' | 'end_reason' | 'refresh_jti'>;

/** A client session that a statement has just ended: whose LOGOUT to record and whose client to tell. */
export type EndedClientSession = Pick<SessionRow, 'id' | 'realm' | 'client_id'>;
