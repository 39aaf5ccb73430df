import { Client, REQUEST_KEY, RESPONSE_KEY, type FhirResource as KitResource, type RequestOptions } from 'fhir-kit-client';
import { readCappedBody } from '../common/capped-body.js';

export interface FhirClientSettings {
  /** Where requests go. */
  requestUrl: string;
  bearerToken?: string;
  /** The most of an answer's body that is read; a larger one fails with BodyTooLargeError. */
  maxAnswerBytes: number;
}

/** fhir-kit-client's HttpClient, as far as this file uses it (`Client.httpClient`, "exposed for advanced use cases"). */
interface KitHttpClient {
  request(method: string, requestUrl: string, options?: RequestOptions, body?: unknown): Promise<KitResource>;
  expandUrl(url?: string): string;
  buildRequest?: (method: string, url: string, options: RequestOptions, body?: unknown) => Promise<Request>;
}

/**
 * The shape of fhir-kit-client's HTTP error, which fhir-failure.ts reads: the status and the parsed body.
 * The message holds no URL (a search's can hold a national identifier).
 */
class FhirHttpFailure extends Error {
  readonly response: { status: number; data: unknown };

  constructor(status: number, data: unknown) {
    super(`FHIR answered HTTP ${status}`);
    this.response = { status, data };
  }
}

/**
 * A fhir-kit-client Client whose answers are read at most `maxAnswerBytes` deep. fhir-kit-client
 * (2.0.3, http-client.js) reads every answer whole with `response.text()` and offers no hook on the
 * response, so one server answering a search with hundreds of megabytes within the timeout would hold
 * them all in memory. Here only that exchange is replaced: the library still builds each request
 * (URL, headers, bearer token, body, signal, no redirects) as before; the answer is read with
 * {@link readCappedBody} and parsed as the library parses it.
 */
export function fhirClient(settings: FhirClientSettings): Client {
  // No redirect is followed: fetch's default would re-send a search's body (a CPR or BSN) and the bearer
  // token to whatever origin a 307/308 names, and use that host's answer, as the gateway refuses to for a
  // `next` link (fhir.gateway.ts). R4 http.html defines no redirect for any interaction; a 3xx is a
  // broken answer (fhir-failure.ts).
  const client = new Client({ baseUrl: settings.requestUrl, bearerToken: settings.bearerToken, requestOptions: { redirect: 'manual' } });
  const http = client.httpClient as unknown as KitHttpClient;
  const buildRequest = http.buildRequest?.bind(http);
  // Checked once here, so a fhir-kit-client without it fails at start, not at the first login.
  if (buildRequest === undefined) throw new Error('fhir-kit-client has no HttpClient.buildRequest: see src/fhir/fhir-exchange.ts');
  http.request = async (method, requestUrl, options = {}, body) => {
    const request = await buildRequest(method, http.expandUrl(requestUrl), options, body);
    const response = await fetch(request);
    const text = new TextDecoder().decode(await readCappedBody(response, settings.maxAnswerBytes));
    const data = parsed(text);
    // Anything but a JSON object is not FHIR JSON; fhir-failure.ts tells a 2xx of it from an error status.
    if (data === undefined) throw new FhirHttpFailure(response.status, text);
    if (!response.ok) throw new FhirHttpFailure(response.status, data);
    Object.defineProperty(data, RESPONSE_KEY, { value: response });
    Object.defineProperty(data, REQUEST_KEY, { value: request });
    return data as KitResource;
  };
  return client;
}

/** An empty body is `{}`, as fhir-kit-client gives it; a JSON object is itself; anything else undefined. */
function parsed(text: string): object | undefined {
  if (text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
