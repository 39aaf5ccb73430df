import { isValidAt, type TrustedCertificate } from './certificate-validity.js';

/**
 * How long before an IdP's last signing certificate expires the service starts saying so. National
 * IdPs announce a certificate rollover weeks ahead (new metadata, or a new certificate to configure
 * by hand); thirty days leaves an operator time to act on a warning before logins are refused.
 */
export const CERTIFICATE_WARNING_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When the IdP's signing certificates stop being usable: the latest `notAfter` of those valid at `now`
 * (RFC 5280 §4.1.2.5), or undefined when none is valid now — its logins are refused
 * (certificate-validity.ts), so that is the moment already.
 */
export function lastValidUntil(certificates: readonly TrustedCertificate[], now: Date): Date | undefined {
  const valid = certificates.filter((certificate) => isValidAt(certificate, now));
  if (valid.length === 0) return undefined;
  return new Date(Math.max(...valid.map((certificate) => certificate.notAfter.getTime())));
}

/**
 * What an operator must hear about an IdP's signing certificates at `now`, or undefined when nothing:
 * none valid now (the IdP's logins are refused), or every valid one expiring within
 * {@link CERTIFICATE_WARNING_DAYS} (they will be). Dates only: a certificate names no person.
 */
export function certificateWarning(certificates: readonly TrustedCertificate[], now: Date): string | undefined {
  if (certificates.length === 0) return undefined;
  const until = lastValidUntil(certificates, now);
  if (until === undefined) {
    const latest = Math.max(...certificates.map((certificate) => certificate.notAfter.getTime()));
    return latest < now.getTime()
      ? `no signing certificate is valid now (the last expired ${new Date(latest).toISOString()}): its logins are refused`
      : 'no signing certificate is valid yet: its logins are refused until one is';
  }
  const days = Math.floor((until.getTime() - now.getTime()) / DAY_MS);
  if (days >= CERTIFICATE_WARNING_DAYS) return undefined;
  return `every signing certificate valid now expires by ${until.toISOString()} (in ${days} days): its logins will be refused then unless a new one is configured or published`;
}
