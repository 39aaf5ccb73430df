import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { CONFIG } from '../config/config.token.js';
import type { Config } from '../config/config.schema.js';
import { randomToken } from '../common/random.js';
import type { LoginRequest } from './login-request.js';
import type { Realm } from '../realms/realm.js';
import { LoginTransactionRepository, type LoginTransaction } from '../storage/login-transaction.repository.js';
import { newBrowserBinding } from './browser-binding.js';
import { IdpRedirector, MOCK_ALIAS } from './idp-redirector.js';
import type { LoginOption } from './pages/chooser.page.js';
import { formatScope } from '../protocol/scope.js';

/** How long a person has between the authorization request and the IdP's answer. */
export const LOGIN_TRANSACTION_TTL_S = 600;

export type LoginStart = ({ kind: 'redirect'; url: string } | { kind: 'choose'; options: LoginOption[] }) & {
  /** For the cookie that binds the login to this browser (browser-binding.ts). */
  transactionId: string;
  browserBinding: string;
};

/**
 * Stores the pending login (server-side, shared by every instance) and sends the browser to the
 * IdP: the hinted one (`kc_idp_hint` / `idp_hint`), the only one, or a chooser page.
 */
@Injectable()
export class LoginStartService {
  constructor(
    private readonly transactions: LoginTransactionRepository,
    private readonly redirector: IdpRedirector,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async start(realm: Realm, request: LoginRequest): Promise<LoginStart> {
    const now = this.clock.now();
    const binding = newBrowserBinding();
    const transaction: Omit<LoginTransaction, 'completed_at'> = {
      id: randomToken(),
      realm: realm.name,
      client_id: request.client.clientId,
      redirect_uri: request.redirectUri,
      response_mode: request.responseMode,
      state: request.state ?? null,
      nonce: request.nonce ?? null,
      scope: formatScope(request.scope),
      code_challenge: request.codeChallenge ?? null,
      idp_alias: null,
      browser_binding: binding.digest,
      // OIDC Core §3.1.2.1: prompt=login asks for a fresh authentication, which is what max_age=0 asks:
      // the IdP is told to re-authenticate (ForceAuthn, SAML Core §3.4.1) and an older AuthnInstant is refused.
      max_age: request.prompt === 'login' ? 0 : (request.maxAge ?? null),
      hint_subject: request.hintSubject ?? null,
      created_at: now,
      expires_at: new Date(now.getTime() + LOGIN_TRANSACTION_TTL_S * 1000),
    };
    await this.transactions.create(transaction);
    const aliases = this.loginAliases(realm);
    const chosen = request.idpHint && aliases.includes(request.idpHint) ? request.idpHint : aliases.length === 1 ? aliases[0] : undefined;
    const bound = { transactionId: transaction.id, browserBinding: binding.value };
    const reauthenticate = { forceAuthn: transaction.max_age !== null };
    if (chosen) return { kind: 'redirect', url: await this.redirector.redirect(realm, chosen, transaction.id, reauthenticate), ...bound };
    return {
      ...bound,
      kind: 'choose',
      options: aliases.map((alias) => ({
        alias,
        href: `${realm.issuer}/broker/${alias}/login?tx=${encodeURIComponent(transaction.id)}`,
      })),
    };
  }

  /** The chooser's link: continue a pending login at the chosen IdP. */
  async continueAt(realm: Realm, alias: string, transactionId: string): Promise<string | undefined> {
    if (!this.loginAliases(realm).includes(alias)) return undefined;
    const pending = await this.transactions.findPending(realm.name, transactionId, this.clock.now());
    if (!pending) return undefined;
    return this.redirector.redirect(realm, alias, transactionId, { forceAuthn: pending.max_age !== null });
  }

  /** The realm's IdPs, plus mocked users outside production. */
  loginAliases(realm: Realm): string[] {
    const aliases = realm.config.identityProviders.map((idp) => idp.alias);
    if (this.config.environment !== 'production' && realm.config.mockUsers.length > 0) aliases.push(MOCK_ALIAS);
    return aliases;
  }
}
