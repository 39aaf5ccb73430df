import { sha256 } from '../common/constant-time.js';
import { randomToken } from '../common/random.js';
import { confirmsLogout, logoutConfirmation } from './logout-confirmation.js';

describe('logout confirmation', () => {
  const secret = randomToken();

  it('is confirmed by the value derived from the same SSO secret only', () => {
    expect(confirmsLogout(logoutConfirmation(secret), secret)).toBe(true);
    expect(confirmsLogout(logoutConfirmation(randomToken()), secret)).toBe(false);
    expect(confirmsLogout(undefined, secret)).toBe(false);
    expect(confirmsLogout('', secret)).toBe(false);
    expect(confirmsLogout(`${logoutConfirmation(secret)}x`, secret)).toBe(false);
  });

  it('is not the secret, nor its plain digest (which the database keeps)', () => {
    const value = logoutConfirmation(secret);
    expect(value).not.toContain(secret);
    expect([sha256(secret).toString('base64url'), sha256(secret).toString('hex')]).not.toContain(value);
  });
});
