/** Types of xml-characters.mjs. */
export function hasForbiddenCharacter(xml: string): boolean;
export function hasForbiddenCharacterReference(xml: string): boolean;
