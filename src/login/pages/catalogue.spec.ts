import { LOCALES, message, messageKeys } from './catalogue.js';
import type { ErrorKey } from './error.page.js';

const ERROR_KEYS: Record<ErrorKey, true> = {
  login_expired: true,
  other_browser: true,
  fhir_unavailable: true,
  fhir_refused: true,
  saml_rejected: true,
  busy: true,
  logout_busy: true,
  unknown_user: true,
  loa_too_low: true,
  episode_of_care_refused: true,
  invalid_login_link: true,
  invalid_logout_link: true,
  too_many_requests: true,
  not_found: true,
  bad_request: true,
  body_too_large: true,
  unsupported_body: true,
  unreadable_body: true,
  request_timeout: true,
  server_error: true,
};

describe('the message catalogue (messages/*.json)', () => {
  it('has the same keys in every language, none empty', () => {
    const english = messageKeys('en').sort();
    for (const locale of LOCALES) {
      expect(messageKeys(locale).sort()).toEqual(english);
      for (const key of english) expect(message(locale, key).trim()).not.toBe('');
    }
  });

  it('has a title and a text for every error page', () => {
    for (const key of Object.keys(ERROR_KEYS)) {
      expect(() => message('en', `error.${key}.title`)).not.toThrow();
      expect(() => message('en', `error.${key}.text`)).not.toThrow();
    }
  });

  it('translates what a person reads (only names of IdPs may stay the same)', () => {
    for (const locale of ['da', 'nl'] as const) {
      const same = messageKeys('en').filter((key) => message(locale, key) === message('en', key));
      expect(same.filter((key) => !/^idp\.(oiosaml3-citizen|dk-clinician|nl-citizen)$/.test(key))).toEqual([]);
    }
  });
});
