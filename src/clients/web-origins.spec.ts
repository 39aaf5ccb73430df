import { clientWebOrigins, realmWebOrigins } from './web-origins.js';

describe('web origins (Keycloak "Web origins")', () => {
  it('takes listed origins as they are, and "+" as the origins of the redirect URIs', () => {
    expect(
      clientWebOrigins({
        webOrigins: ['https://spa.example', '+'],
        redirectUris: ['http://localhost:3000/callback', 'https://app.example:8443/cb?tab=1'],
      }),
    ).toEqual(['https://spa.example', 'http://localhost:3000', 'https://app.example:8443']);
  });

  it('finds no web origin in a native app\'s private-use scheme: never the opaque "null" that sandboxed frames send', () => {
    const origins = clientWebOrigins({
      webOrigins: ['+'],
      redirectUris: ['dk.sundhed.app:/oauth2redirect', 'com.example.app://callback', 'https://app.example/cb'],
    });
    expect(origins).toEqual(['https://app.example']);
    expect(realmWebOrigins({ clients: [{ webOrigins: ['+'], redirectUris: ['dk.sundhed.app:/cb'] }] as never }).has('null')).toBe(false);
  });

  it('allows no origin to a client that lists none', () => {
    expect(clientWebOrigins({ webOrigins: [], redirectUris: ['https://app.example/cb'] })).toEqual([]);
  });

  it('joins the origins of every client of a realm', () => {
    const origins = realmWebOrigins({
      clients: [
        { webOrigins: ['+'], redirectUris: ['https://a.example/cb'] },
        { webOrigins: ['https://b.example', 'https://a.example'], redirectUris: [] },
      ] as never,
    });
    expect([...origins]).toEqual(['https://a.example', 'https://b.example']);
  });
});
