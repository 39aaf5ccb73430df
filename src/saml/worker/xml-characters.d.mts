/** Types of xml-characters.mjs. */
export function hasForbiddenCharacter(xml: string): boolean;
export function hasForbiddenCharacterReference(xml: string): boolean;
export const MAX_XML_REFERENCES: number;
export function hasTooManyReferences(xml: string): boolean;
