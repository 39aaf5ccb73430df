import { OAuthError } from '../protocol/oauth-error.js';
import { MAX_MAX, parseEventQuery } from './event-query.js';

describe('parseEventQuery', () => {
  it('reads Keycloak’s filters: types repeated or comma-separated, days as whole UTC days, epoch milliseconds', () => {
    expect(
      parseEventQuery('r', {
        type: ['LOGIN', 'LOGOUT,REFRESH_TOKEN'],
        client: 'app',
        user: 'u1',
        dateFrom: '2026-03-01',
        dateTo: '2026-03-02',
      }),
    ).toEqual({
      realm: 'r',
      types: ['LOGIN', 'LOGOUT', 'REFRESH_TOKEN'],
      clientId: 'app',
      userId: 'u1',
      from: new Date('2026-03-01T00:00:00.000Z'),
      to: new Date('2026-03-02T23:59:59.999Z'),
      first: 0,
      max: 100,
    });
    expect(parseEventQuery('r', { dateFrom: '1767225600000', first: '20', max: '5' })).toMatchObject({
      from: new Date(1767225600000),
      first: 20,
      max: 5,
    });
  });

  it('caps max, and refuses what is not a filter value', () => {
    expect(parseEventQuery('r', { max: '100000' }).max).toBe(MAX_MAX);
    for (const query of [
      { type: 'NOT_AN_EVENT' },
      { dateFrom: '2026-02-30' },
      { dateTo: 'yesterday' },
      { max: '0' },
      { first: '-1' },
      { client: 'a\u0000b' },
      { user: ['u1', 'u2'] },
    ]) {
      expect(() => parseEventQuery('r', query)).toThrow(OAuthError);
    }
  });
});
