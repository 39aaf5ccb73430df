import type { ClientConfig } from '../config/client-config.schema.js';
import { OIDC_SCOPES, SMART_CONTEXT_SCOPES, selectScopes, type ScopeSelection } from '../protocol/scope.js';
import { parseSmartResourceScope, resourceScopeContext, scopeCovers } from '../protocol/smart-scope.js';

/**
 * What discovery shows of the SMART resource scopes: the wildcard forms in both syntaxes. Any
 * resource-specific scope and any subset of `cruds` is understood too (SMART App Launch 2.x
 * §"scopes_supported" lists what a client may ask for, not every spelling).
 */
const SMART_RESOURCE_EXAMPLES = ['patient/*.cruds', 'patient/*.rs', 'patient/*.read', 'user/*.cruds', 'user/*.rs', 'user/*.read'];

/**
 * A realm's scope catalogue, like Keycloak's client scopes: the OIDC scopes, the SMART scopes for
 * a person's login (`patient/…` and `user/…` resource scopes, `launch/patient`, `fhirUser`) and the
 * realm's own (`scopes` in its config, e.g. `xis`). `system/…` scopes are not in it: they are for
 * client credentials, where a client gets only what it is registered for.
 *
 * A client's `scopes` list narrows what it may get at the authorization endpoint; a value in that
 * list counts as known for that client even when the realm does not list it. A SMART resource scope
 * in the list covers the narrower ones (`patient/*.rs` covers `patient/Observation.r`; see
 * `scopeCovers`). A client without a list may get the whole catalogue. `openid` is always allowed
 * to a client that may log people in.
 */
export class ScopeCatalogue {
  private readonly named: ReadonlySet<string>;

  constructor(private readonly realmScopes: readonly string[]) {
    this.named = new Set<string>([...OIDC_SCOPES, ...SMART_CONTEXT_SCOPES, ...realmScopes]);
  }

  /**
   * Our named scopes, and every `patient/…` and `user/…` resource scope; not a search-narrowed one,
   * which a client gets only when registered for it word for word (`scopeCovers`).
   */
  knows(scope: string): boolean {
    if (this.named.has(scope)) return true;
    const smart = parseSmartResourceScope(scope);
    return smart !== undefined && smart.context !== 'system';
  }

  /** For `scopes_supported` (RFC 8414 §2, SMART App Launch 2.x). */
  listing(): string[] {
    return [...OIDC_SCOPES, ...SMART_CONTEXT_SCOPES, ...SMART_RESOURCE_EXAMPLES, ...this.realmScopes];
  }

  /**
   * What `client` gets of `requested` at the authorization endpoint (see `selectScopes`). Never
   * `offline_access` (OIDC Core §11, SMART App Launch 2.x): it asks for a refresh token that outlives
   * the person's session, and none here does (a session lives exactly as long as its refresh chain,
   * and ends with the person's session at the national IdP). A client that asks for it gets
   * `online_access` in its place, if it gets refresh tokens at all, so that the answer's `scope` says
   * what its refresh token is (RFC 6749 §3.3) and fhirclient, which refreshes only with one of the
   * two granted, still refreshes. A refresh reads it the same way (protocol/scope.ts, `offlineAsOnline`).
   */
  selectForLogin(client: Pick<ClientConfig, 'scopes' | 'grantTypes'>, requested: readonly string[]): ScopeSelection {
    const registered = client.scopes;
    const covered = (scope: string) => registered.some((held) => scopeCovers(held, scope));
    const inItsPlace =
      requested.includes('offline_access') && !requested.includes('online_access') && client.grantTypes.includes('refresh_token');
    const asked = inItsPlace ? [...requested, 'online_access'] : requested;
    return selectScopes(asked, {
      known: (scope) => this.knows(scope) || covered(scope),
      allowed: (scope) =>
        // SMART Backend Services' scopes are a machine's own (client credentials): a client registered for
        // them (one that also logs people in) never gets one in a person's token, whose `patient/…` and
        // `user/…` scopes a FHIR server limits to that person; `system/*.rs` it would not limit at all.
        resourceScopeContext(scope) !== 'system' &&
        scope !== 'offline_access' &&
        ((scope === 'openid' && client.grantTypes.includes('authorization_code')) ||
          // What every refresh token here is (scope.ts): granted to a client that gets one, registered or
          // not, so the answer's `scope` says so (SMART App Launch 2.x; fhirclient refreshes only then).
          (scope === 'online_access' && client.grantTypes.includes('refresh_token')) ||
          registered.length === 0 ||
          covered(scope)),
    });
  }
}
