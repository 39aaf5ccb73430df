import { LEVELS_OF_ASSURANCE, type LevelOfAssurance } from '../config/shared-values.schema.js';

/** OIOSAML 3: the NSIS level of assurance attribute (DOMAIN.md) and its AuthnContextClassRef form. */
export const NSIS_LOA_ATTRIBUTE = 'https://data.gov.dk/concept/core/nsis/loa';
export const NSIS_LOA_CLASS_PREFIX = 'https://data.gov.dk/concept/core/nsis/loa/';

/** OIOSAML 3.0 §3.1.2 (RequestedAuthnContext): the NSIS levels as AuthnContextClassRef values. */
export const NSIS_LOA_CLASSES: Readonly<Record<LevelOfAssurance, string>> = {
  Low: `${NSIS_LOA_CLASS_PREFIX}Low`,
  Substantial: `${NSIS_LOA_CLASS_PREFIX}Substantial`,
  High: `${NSIS_LOA_CLASS_PREFIX}High`,
};

/**
 * DigiD (Logius, Koppelvlakspecificatie DigiD SAML Authenticatie): Basis, Substantieel and Hoog as the
 * SAML 2.0 authentication context classes DigiD requests and states. Midden
 * (`MobileTwoFactorContract`) is not notified under eIDAS, so it counts as Low (fail closed).
 */
export const DIGID_LOA_CLASSES: Readonly<Record<LevelOfAssurance, string>> = {
  Low: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  Substantial: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard',
  High: 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
};

/** eIDAS (Implementing Regulation 2015/1502) levels as the eIDAS SAML profile names them. */
const EIDAS_LOA_CLASSES: Readonly<Record<LevelOfAssurance, string>> = {
  Low: 'http://eidas.europa.eu/LoA/low',
  Substantial: 'http://eidas.europa.eu/LoA/substantial',
  High: 'http://eidas.europa.eu/LoA/high',
};

/** Every AuthnContextClassRef whose level is known; any other class states no level. */
const LEVEL_OF_CLASS = new Map<string, LevelOfAssurance>([
  ...[NSIS_LOA_CLASSES, DIGID_LOA_CLASSES, EIDAS_LOA_CLASSES].flatMap((classes) =>
    LEVELS_OF_ASSURANCE.map((level) => [classes[level], level] as const),
  ),
  ['urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract', 'Low'],
]);

export function isLevelOfAssurance(value: string): value is LevelOfAssurance {
  return (LEVELS_OF_ASSURANCE as readonly string[]).includes(value);
}

/** The level an AuthnContextClassRef (SAML Core §2.7.2.2) states; undefined for a class that states none. */
export function loaOfContextClass(classRef: string | undefined): LevelOfAssurance | undefined {
  return classRef === undefined ? undefined : LEVEL_OF_CLASS.get(classRef);
}

/** Low < Substantial < High (NSIS). */
export function compareLoa(a: LevelOfAssurance, b: LevelOfAssurance): number {
  return LEVELS_OF_ASSURANCE.indexOf(a) - LEVELS_OF_ASSURANCE.indexOf(b);
}

export type LoaOutcome = { ok: true; loa: LevelOfAssurance | undefined } | { ok: false; reason: string };

/**
 * The assertion's level against the realm's minimum. Fails closed: with a minimum, an absent,
 * repeated or unknown value is refused; without one, an absent value is fine but a present value
 * must still be one NSIS defines.
 */
export function checkLoa(values: readonly string[] | undefined, minimum: LevelOfAssurance | undefined): LoaOutcome {
  if (values === undefined || values.length === 0) {
    return minimum ? { ok: false, reason: 'level of assurance missing' } : { ok: true, loa: undefined };
  }
  if (values.length > 1) return { ok: false, reason: 'more than one level of assurance' };
  const [value] = values;
  if (!isLevelOfAssurance(value)) return { ok: false, reason: 'unknown level of assurance' };
  if (minimum && compareLoa(value, minimum) < 0)
    return { ok: false, reason: `level of assurance ${value} below the realm minimum ${minimum}` };
  return { ok: true, loa: value };
}
