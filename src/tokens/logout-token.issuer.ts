import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, epochSeconds, type Clock } from '../common/clock.js';
import { idTokenAlgorithm, type Realm } from '../realms/realm.js';
import { TokenSigner } from './token-signer.js';

/** OIDC Back-Channel Logout 1.0 §2.4: the event that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** How long a logout token may be accepted: it is delivered at once, and minted anew for each attempt. */
const LOGOUT_TOKEN_TTL_SECONDS = 120;

/** Whose session ended, for which client. */
export interface LoggedOutSession {
  realm: Realm;
  clientId: string;
  /** The session's `sid`, as in the client's ID token. */
  sid: string;
  /** The user's `sub`. */
  subject: string;
}

/**
 * Logout tokens (OIDC Back-Channel Logout 1.0 §2.4): `iss aud iat exp jti sid sub events`, explicitly
 * typed `logout+jwt` (§2.4, RFC 8725 §3.11), never a `nonce` (§2.4: so no logout token can pass for an
 * ID token), signed with the keys of the client's ID tokens (§2.4; idTokenAlgorithm).
 */
@Injectable()
export class LogoutTokenIssuer {
  constructor(
    private readonly signer: TokenSigner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  issue({ realm, clientId, sid, subject }: LoggedOutSession): Promise<string> {
    const now = epochSeconds(this.clock);
    return this.signer.sign(
      realm,
      {
        iss: realm.issuer,
        aud: clientId,
        iat: now,
        exp: now + LOGOUT_TOKEN_TTL_SECONDS,
        jti: randomUUID(),
        sid,
        sub: subject,
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      },
      'logout+jwt',
      idTokenAlgorithm(realm, clientId),
    );
  }
}
