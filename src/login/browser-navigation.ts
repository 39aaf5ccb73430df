import type { IncomingHttpHeaders } from 'node:http';
import Negotiator from 'negotiator';

/**
 * Whether the request's `Accept` ranks an HTML page above JSON (RFC 9110 §12.5.1): a browser
 * navigating to an address, as a person who mistyped or followed a stale link does. Such a request
 * to a path no route serves gets the not-found page; an API client (`application/json`, `*` `/` `*`
 * or no `Accept` at all) keeps the JSON 404, JSON being the first of the two offered.
 */
export function prefersHtmlPage(headers: IncomingHttpHeaders): boolean {
  return new Negotiator({ headers }).mediaType(['application/json', 'text/html']) === 'text/html';
}
