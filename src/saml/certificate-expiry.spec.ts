import { certificateWarning, CERTIFICATE_WARNING_DAYS, lastValidUntil } from './certificate-expiry.js';
import type { TrustedCertificate } from './certificate-validity.js';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY);
const certificate = (fromDays: number, toDays: number): TrustedCertificate => ({
  pem: `pem ${fromDays}..${toDays}`,
  notBefore: inDays(fromDays),
  notAfter: inDays(toDays),
});

describe('an IdP signing certificate expiry', () => {
  it('is the latest notAfter among the certificates valid now, a newer one not yet valid left out', () => {
    expect(lastValidUntil([certificate(-100, 10), certificate(-5, 40), certificate(5, 400)], NOW)).toEqual(inDays(40));
    expect(lastValidUntil([certificate(-100, -1), certificate(1, 400)], NOW)).toBeUndefined();
    expect(lastValidUntil([], NOW)).toBeUndefined();
  });

  it('says nothing while one valid certificate has the warning period or more left', () => {
    expect(certificateWarning([certificate(-100, 3), certificate(-1, CERTIFICATE_WARNING_DAYS)], NOW)).toBeUndefined();
    expect(certificateWarning([], NOW)).toBeUndefined();
  });

  it('warns when every valid certificate expires within the warning period, naming the date and the days left', () => {
    expect(certificateWarning([certificate(-100, 3), certificate(-1, 29.5)], NOW)).toBe(
      `every signing certificate valid now expires by ${inDays(29.5).toISOString()} (in 29 days): its logins will be refused then unless a new one is configured or published`,
    );
  });

  it('says when none is valid now, expired or not yet valid: the IdP’s logins are refused', () => {
    expect(certificateWarning([certificate(-100, -10), certificate(-50, -2)], NOW)).toBe(
      `no signing certificate is valid now (the last expired ${inDays(-2).toISOString()}): its logins are refused`,
    );
    expect(certificateWarning([certificate(2, 400)], NOW)).toBe('no signing certificate is valid yet: its logins are refused until one is');
  });
});
