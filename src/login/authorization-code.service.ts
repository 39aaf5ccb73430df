import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { sha256 } from '../common/constant-time.js';
import { randomToken } from '../common/random.js';
import { AuthorizationCodeRepository, type CodeRedemption } from '../storage/authorization-code.repository.js';
import type { Queryable } from '../storage/database.js';
import type { LoginTransaction } from '../storage/login-transaction.repository.js';

/** What a code is bound to (RFC 6749 §4.1.3, RFC 7636 §4.6): what its authorization request named. */
export type CodeBinding = Pick<LoginTransaction, 'realm' | 'client_id' | 'redirect_uri' | 'code_challenge' | 'nonce' | 'scope'>;

/** RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED"; we allow 60 s. */
export const AUTHORIZATION_CODE_TTL_S = 60;

/** Issues and redeems one-time authorization codes, stored only as digests. */
@Injectable()
export class AuthorizationCodeService {
  constructor(
    private readonly codes: AuthorizationCodeRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `db`: the login's transaction (issue 13: the session, its code and its LOGIN event commit together). */
  async issue(transaction: CodeBinding, sessionId: string, db?: Queryable): Promise<string> {
    const code = randomToken();
    await this.codes.create(
      {
        code_hash: sha256(code).toString('base64url'),
        realm: transaction.realm,
        client_id: transaction.client_id,
        redirect_uri: transaction.redirect_uri,
        code_challenge: transaction.code_challenge,
        nonce: transaction.nonce,
        scope: transaction.scope,
        session_id: sessionId,
        expires_at: new Date(this.clock.now().getTime() + AUTHORIZATION_CODE_TTL_S * 1000),
      },
      db,
    );
    return code;
  }

  /** `db`: the token request's transaction, so the code is spent only with the tokens' event. */
  redeem(realm: string, code: string, db?: Queryable): Promise<CodeRedemption> {
    return this.codes.redeem(realm, sha256(code).toString('base64url'), this.clock.now(), db);
  }
}
