import { LEVELS_OF_ASSURANCE, type LevelOfAssurance } from '../config/config.schema.js';

/** OIOSAML 3: the NSIS level of assurance attribute (DOMAIN.md) and its AuthnContextClassRef form. */
export const NSIS_LOA_ATTRIBUTE = 'https://data.gov.dk/concept/core/nsis/loa';
export const NSIS_LOA_CLASS_PREFIX = 'https://data.gov.dk/concept/core/nsis/loa/';

export function isLevelOfAssurance(value: string): value is LevelOfAssurance {
  return (LEVELS_OF_ASSURANCE as readonly string[]).includes(value);
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
