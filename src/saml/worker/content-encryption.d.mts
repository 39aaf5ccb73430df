/** Types of content-encryption.mjs. */

export const AES_GCM: readonly string[];
export const AES_CBC: readonly string[];
/** The one key transport accepted (XML Encryption §5.5.2). */
export const RSA_OAEP: string;

/** The block algorithms accepted from an IdP, strongest first (as SP metadata lists them). */
export function acceptedContentEncryption(acceptAesCbc: boolean): string[];

/** Refuses `element` when any EncryptedData in it uses a block algorithm not accepted, or any EncryptedKey a key transport not accepted (a RejectedResponse). */
export function refuseUnacceptedContentEncryption(element: unknown, acceptAesCbc: boolean): void;
