import { X509Certificate } from 'node:crypto';

/** An IdP signing certificate with its validity period, read once so each login only compares dates. */
export interface TrustedCertificate {
  pem: string;
  notBefore: Date;
  notAfter: Date;
}

/** Reads the validity period of a PEM certificate already checked to parse (pem.ts loadCertificate). */
export function withValidity(pem: string): TrustedCertificate {
  const certificate = new X509Certificate(pem);
  return { pem, notBefore: certificate.validFromDate, notAfter: certificate.validToDate };
}

/**
 * RFC 5280 §4.1.2.5: a certificate is valid from notBefore to notAfter, both inclusive. Outside that
 * window it is never trusted, whether it came from the config or from metadata: an expired key may
 * have been retired because it leaked, and SAML Metadata 2.0 §2.4.1.1 leaves key lifetime to X.509.
 */
export function isValidAt(certificate: TrustedCertificate, now: Date): boolean {
  const at = now.getTime();
  return certificate.notBefore.getTime() <= at && at <= certificate.notAfter.getTime();
}

/** The PEMs of the certificates valid at `now`, in their configured order. */
export function validCertificates(certificates: readonly TrustedCertificate[], now: Date): string[] {
  return certificates.filter((certificate) => isValidAt(certificate, now)).map((certificate) => certificate.pem);
}
