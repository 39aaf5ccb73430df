/**
 * SMART App Launch 2.x §"Request authorization code": the app sends `aud`, the base URL of the FHIR
 * server it wants tokens for, and the server must refuse a value that names a server it does not
 * protect — a token meant for this FHIR server must not be obtained by an app that talks to another
 * (counterfeit-resource-server attacks). Scheme and host compare as URLs do (case-insensitively,
 * default ports dropped) and a trailing slash is ignored; the path is compared exactly.
 */
export function namesFhirServer(aud: string, fhirBaseUrl: string): boolean {
  const requested = comparable(aud);
  return requested !== undefined && requested === comparable(fhirBaseUrl);
}

function comparable(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
