/** A request named a realm that is not configured; the HTTP edge answers 404 (see OAuthErrorFilter). */
export class UnknownRealmError extends Error {
  constructor(readonly realm: string) {
    super(`unknown realm ${JSON.stringify(realm)}`);
    this.name = 'UnknownRealmError';
  }
}
