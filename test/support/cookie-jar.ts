/**
 * The cookies one browser keeps for one server, for tests over plain HTTP: what `Set-Cookie` gave
 * (a `Max-Age=0` removes), sent back as one `Cookie` header. Paths and expiry beyond that are not
 * modelled: every cookie here is scoped to the one realm under test.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Takes the cookies a response sets, and returns the response. */
  take(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      if (attributes.some((a) => a.toLowerCase() === 'max-age=0')) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
    return response;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** A fetch that sends this browser's cookies, follows no redirect, and keeps what it is given. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.header());
    return this.take(await fetch(url, { ...init, headers, redirect: 'manual' }));
  }
}
