import type { OpenAPIObject } from '@nestjs/swagger';
import { isBrowserRoute } from './login/browser-routes.js';

/**
 * The 415 a browser route answers a POST body that is no form (request-bodies.ts) is a Fastify hook's,
 * which no controller decorator declares: added here to each such operation of the document, so that
 * a client generator knows the one body type these routes take (RFC 9110 §15.5.16).
 */
export function withBrowserFormRefusals(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!item.post || !isBrowserRoute(path)) continue;
    item.post.responses['415'] ??= {
      description:
        'A body other than application/x-www-form-urlencoded: refused (`Accept` names the form type) with a page; nothing starts or ends',
    };
  }
  return document;
}
