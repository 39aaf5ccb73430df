import { RouteConfig } from '@nestjs/platform-fastify';

/** The key of the Fastify route config (Nest's `@RouteConfig`) that marks a GET as changing state. */
const CHANGES_STATE = 'changesState';

/**
 * Marks a GET handler that changes state: it starts or continues a login, ends a session, takes a
 * SAML logout message. Fastify answers HEAD at every GET route by running the GET's handler, and
 * HEAD is a safe method (RFC 9110 §9.2.1, §9.3.2) that link previewers and crawlers send freely: at
 * a route marked so, HEAD is refused instead (head-requests.ts).
 */
export const ChangesState = (): MethodDecorator => RouteConfig({ [CHANGES_STATE]: true });

/** Whether a route's config (`routeOptions.config`, or a route's options in an `onRoute` hook) is marked {@link ChangesState}. */
export function changesState(config: unknown): boolean {
  return typeof config === 'object' && config !== null && (config as Record<string, unknown>)[CHANGES_STATE] === true;
}
