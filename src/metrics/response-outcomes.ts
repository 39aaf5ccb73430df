/**
 * Outcomes read from what the service answered, in the terms of the protocol: the `error` of an
 * RFC 6749 §5.2 token error body, the `code` or `error` of an authorization response (§4.1.2,
 * §4.1.2.1; query, fragment or form_post). Reading the answer rather than instrumenting each code
 * path counts every way a request can end, including refusals before any handler ran (client
 * authentication, rate limits). Every value returned comes from a fixed set, so it is safe as a label.
 */

/** Error codes of RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 8693 §2.2.2, OIDC Core §3.1.2.6, and ours. */
const ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'invalid_scope',
  'invalid_target',
  'invalid_token',
  'unsupported_token_type',
  'access_denied',
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
  'not_found',
  'server_error',
  'temporarily_unavailable',
]);

const JSON_ERROR = /"error"\s*:\s*"([a-z_]{1,40})"/;
const FORM_FIELD = /<input type="hidden" name="(code|error)" value="([^"]*)"/g;

function known(code: string | null | undefined): string {
  return code && ERROR_CODES.has(code) ? code : 'error';
}

/** A token endpoint answer: `success`, or the `error` of its body. */
export function grantOutcome(status: number, payload: unknown): string {
  if (status === 200) return 'success';
  return known(typeof payload === 'string' ? JSON_ERROR.exec(payload)?.[1] : undefined);
}

/**
 * A login's last answer (the ACS, the mocked-user form): `success` when a code goes back to the
 * client, the `error` that goes back instead, or `page_{status}` for a page the person is shown.
 */
export function loginOutcome(status: number, location: unknown, payload: unknown): string {
  if (status === 303 && typeof location === 'string') {
    const url = URL.parse(location);
    if (!url) return 'error';
    const fields = new URLSearchParams(url.hash ? url.hash.slice(1) : url.search);
    return fields.has('code') ? 'success' : known(fields.get('error'));
  }
  if (status === 200 && typeof payload === 'string') {
    // A form_post response (Form Post Response Mode §2): the fields are hidden inputs.
    for (const [, name, value] of payload.matchAll(FORM_FIELD)) return name === 'code' ? 'success' : known(value);
  }
  return `page_${status}`;
}
