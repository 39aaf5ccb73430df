import type { BrandingConfig } from '../../config/branding.schema.js';
import type { Config } from '../../config/config.schema.js';
import type { IdentityProviderConfig } from '../../config/idp-config.schema.js';
import { crossSiteAttributes } from '../../common/cookies.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What the login pages need of the config (login-pages.setup.ts decorates the instance with it). */
    loginPages?: PageSettings;
  }
}

export interface RealmPageSettings {
  branding: BrandingConfig;
  identityProviders: ReadonlyMap<string, Pick<IdentityProviderConfig, 'profile' | 'displayName'>>;
  /** Where the realm's cookies live: the issuer's path. */
  cookiePath: string;
  /** The SameSite attributes of a cookie that must reach the ACS's cross-site post (common/cookies.ts). */
  sameSite: string;
}

/** The pages' view of the config, by realm; an unknown realm gets the service-wide branding. */
export class PageSettings {
  private readonly realms: Map<string, RealmPageSettings>;
  private readonly fallback: RealmPageSettings;

  constructor(config: Pick<Config, 'publicUrl' | 'realms' | 'branding'>) {
    const url = new URL(config.publicUrl);
    const sameSite = crossSiteAttributes(url);
    const base = url.pathname.replace(/\/+$/, '');
    this.fallback = { branding: config.branding ?? {}, identityProviders: new Map(), cookiePath: `${base}/`, sameSite };
    this.realms = new Map(
      config.realms.map((realm) => [
        realm.name,
        {
          branding: { ...config.branding, ...realm.branding },
          identityProviders: new Map(realm.identityProviders.map((idp) => [idp.alias, idp])),
          cookiePath: `${base}/realms/${realm.name}/`,
          sameSite,
        },
      ]),
    );
  }

  forRealm(name: unknown): RealmPageSettings {
    return (typeof name === 'string' && this.realms.get(name)) || this.fallback;
  }

  isRealm(name: unknown): name is string {
    return typeof name === 'string' && this.realms.has(name);
  }
}
