/** Types of signature-algorithms.mjs. */

export const SIGNATURE_METHODS: readonly string[];
export const DIGEST_METHODS: readonly string[];

/** Refuses `element` when a signature in it uses a SignatureMethod or DigestMethod not accepted (a RejectedResponse). */
export function refuseWeakSignatureAlgorithms(element: unknown): void;
