/**
 * How the authorization response reaches the client: in the query (the default for `code`, OAuth
 * 2.0 Multiple Response Type Encoding Practices §2.1), in the fragment (§2.1; keycloak-js's default,
 * so a single-page app's server never sees the code), or as a form the browser posts (OAuth 2.0
 * Form Post Response Mode §2).
 */
export const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/**
 * `response_mode` of an authorization request: absent, its `response_type`'s default; a value not
 * listed above is null.
 */
export function parseResponseMode(value: string | undefined, responseType?: string | null): ResponseMode | null {
  if (value === undefined) return defaultResponseMode(responseType);
  return (RESPONSE_MODES as readonly string[]).includes(value) ? (value as ResponseMode) : null;
}

/**
 * OAuth 2.0 Multiple Response Type Encoding Practices §2.1 and §5: `query` for `code` (and `none`),
 * `fragment` for a type that includes `token` or `id_token`, where implicit and hybrid clients read
 * the answer (RFC 6749 §4.2.2.1, OIDC Core §3.2.2.6, §3.3.2.6). Only `code` is served, so this
 * decides where such a client's error goes: where it looks for it.
 */
export function defaultResponseMode(responseType: string | null | undefined): ResponseMode {
  const types = responseType?.split(' ') ?? [];
  return types.includes('token') || types.includes('id_token') ? 'fragment' : 'query';
}

/** The response, ready to send: a redirect, or the fields of a form to post to the redirect URI. */
export type AuthorizationResponse =
  { mode: 'query' | 'fragment'; url: string } | { mode: 'form_post'; action: string; fields: Record<string, string> };

/**
 * The response to the client (RFC 6749 §4.1.2 and §4.1.2.1), always carrying `iss` (RFC 9207 §2) so
 * the client can tell which authorization server answered. Values that are undefined are left out.
 */
export function authorizationResponse(
  mode: ResponseMode,
  redirectUri: string,
  issuer: string,
  params: Record<string, string | undefined>,
): AuthorizationResponse {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined) fields[name] = value;
  fields.iss = issuer;
  switch (mode) {
    case 'form_post':
      // The redirect URI as registered, query included (Form Post Response Mode §2).
      return { mode, action: redirectUri, fields };
    case 'fragment': {
      const url = new URL(redirectUri);
      url.hash = new URLSearchParams(fields).toString();
      return { mode, url: url.href };
    }
    case 'query':
      return { mode, url: withQueryParams(redirectUri, fields) };
  }
}

/**
 * A registered URI with `params` added to its query. The URI's own query is kept as registered (RFC
 * 6749 §3.1.2: it "MUST be retained"), not re-encoded as a form: a client may compare or decode it
 * as it registered it. A parameter of the same name in it is replaced (RFC 6749 §3.1: none may
 * appear twice). The URI itself is written as the URL Standard serialises it, so what goes into
 * `Location` is always ASCII.
 */
export function withQueryParams(uri: string, params: Record<string, string>): string {
  const url = new URL(uri);
  url.hash = '';
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((part) => part !== '' && !Object.hasOwn(params, new URLSearchParams(part).keys().next().value ?? ''));
  url.search = [...kept, new URLSearchParams(params).toString()].filter((part) => part !== '').join('&');
  return url.href;
}

/** The response in the default `query` mode, as a URL. */
export function authorizationRedirect(redirectUri: string, issuer: string, params: Record<string, string | undefined>): string {
  return (authorizationResponse('query', redirectUri, issuer, params) as { url: string }).url;
}
