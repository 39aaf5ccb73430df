import { Injectable } from '@nestjs/common';
import type { Realm } from '../realms/realm.js';
import { SamlService } from '../saml/saml.service.js';
import { LoginTransactionRepository } from '../storage/login-transaction.repository.js';

export const MOCK_ALIAS = 'mock';

/** Where the browser goes to authenticate: the mock login page, or the SAML IdP with an AuthnRequest. */
@Injectable()
export class IdpRedirector {
  constructor(
    private readonly transactions: LoginTransactionRepository,
    private readonly saml: SamlService,
  ) {}

  /** `forceAuthn`: the client sent max_age, so the IdP must authenticate the person anew (SAML Core §3.4.1). */
  async redirect(realm: Realm, alias: string, transactionId: string, options: { forceAuthn: boolean }): Promise<string> {
    await this.transactions.chooseIdp(transactionId, alias);
    if (alias === MOCK_ALIAS) return `${realm.issuer}/broker/${MOCK_ALIAS}/login?tx=${encodeURIComponent(transactionId)}`;
    // SAML Bindings §3.4: a signed AuthnRequest over HTTP-Redirect; RelayState names the transaction.
    return this.saml.authnRequestUrl(realm, alias, transactionId, options);
  }
}
