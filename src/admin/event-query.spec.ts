import { OAuthError } from '../protocol/oauth-error.js';
import { MAX_MAX, parseEventQuery, queryDetails } from './event-query.js';

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

  it('reads Keycloak’s ipAddress filter and direction, and records them with the read', () => {
    expect(parseEventQuery('r', { ipAddress: '203.0.113.7', direction: 'asc' })).toMatchObject({
      ipAddress: '203.0.113.7',
      ascending: true,
    });
    expect(parseEventQuery('r', { direction: 'desc' }).ascending).toBeFalsy();
    expect(parseEventQuery('r', {}).ascending).toBeFalsy();
    for (const query of [{ direction: 'up' }, { ipAddress: 'a b' }, { ipAddress: ['192.0.2.1', '192.0.2.2'] }]) {
      expect(() => parseEventQuery('r', query)).toThrow(OAuthError);
    }
    expect(queryDetails(parseEventQuery('r', { ipAddress: '203.0.113.7', direction: 'asc' }))).toMatchObject({
      ipAddress: '203.0.113.7',
      direction: 'asc',
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

  it('refuses a parameter it does not read, rather than answer every event as if it matched, and says so', () => {
    for (const query of [
      { clientId: 'app' },
      { types: 'LOGIN' },
      { datefrom: '2026-12-08' },
      { 'type[]': 'LOGIN' },
      { client: 'app', eventType: 'LOGIN' },
    ]) {
      expect(() => parseEventQuery('r', query)).toThrow(
        expect.objectContaining({
          code: 'invalid_request',
          description: 'events query: bad parameter: it takes only type, client, user, ipAddress, dateFrom, dateTo, direction, first, max',
        }),
      );
    }
  });

  it('takes epoch milliseconds up to the end of 9999, as far as a day reaches, and refuses later ones', () => {
    expect(parseEventQuery('r', { dateTo: '253402300799999' }).to).toEqual(new Date('9999-12-31T23:59:59.999Z'));
    expect(parseEventQuery('r', { dateTo: '9999-12-31' }).to).toEqual(new Date('9999-12-31T23:59:59.999Z'));
    for (const query of [{ dateTo: '253402300800000' }, { dateFrom: '999999999999999' }]) {
      expect(() => parseEventQuery('r', query)).toThrow(
        expect.objectContaining({ description: expect.stringMatching(/after 9999-12-31$/) }),
      );
    }
  });

  it('records the filters of a read without a CPR or BSN an operator typed, and an issued user id whole', () => {
    const details = (query: Record<string, string>) => queryDetails(parseEventQuery('r', query));
    expect(details({ user: '0101701234', client: 'app' })).toMatchObject({ user: '[digits masked]', client: 'app' });
    expect(details({ user: '010170-1234', client: 'portal-999.911.120' })).toMatchObject({
      user: '[digits masked]',
      client: 'portal-[digits masked]',
    });
    // A UUID whose last group happens to hold ten digits is an id this service issued, not a CPR.
    const sub = '6a3b0e0c-0d1f-4c2a-9f3e-ab0101701234';
    expect(details({ user: sub })).toMatchObject({ user: sub });
  });
});
