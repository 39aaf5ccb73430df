import type { LevelOfAssurance } from '../config/shared-values.schema.js';
import type { Principal } from '../identity/principal.js';
import type { Realm } from './realm.js';

/**
 * What a citizen realm requires when its config names no `minimumLoa`: NSIS Substantial, the level
 * Danish health data needs (DOMAIN.md). Fail closed: a forgotten key must not let `Low` in.
 */
export const CITIZEN_MINIMUM_LOA: LevelOfAssurance = 'Substantial';

/**
 * The lowest level of assurance this realm accepts for a person of `kind`: the realm's `minimumLoa`
 * when it names one (so `Low` only when said explicitly); otherwise Substantial for citizens and
 * none for the others, whose IdPs (eHealth clinicians, suppliers) may state no NSIS level at all.
 */
export function minimumLoa(realm: Realm, kind: Principal['kind']): LevelOfAssurance | undefined {
  return realm.config.minimumLoa ?? (kind === 'citizen' ? CITIZEN_MINIMUM_LOA : undefined);
}
