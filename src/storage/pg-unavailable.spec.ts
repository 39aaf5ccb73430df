import pg from 'pg';
import { DatabaseUnavailableError } from './database.js';
import { unavailableCause } from './pg-unavailable.js';

const databaseError = (code: string) => Object.assign(new pg.DatabaseError('refused', 0, 'error'), { code });

describe('what counts as the database being unavailable', () => {
  it('a statement cancelled by a timeout or at a failover: the connection stays usable', () => {
    for (const code of ['57014', '55P03', '25006'])
      expect(unavailableCause(databaseError(code))).toMatchObject({ code, connectionUsable: true });
  });

  it('a lost connection, a session ended, a server going away or out of connections: the connection is not', () => {
    for (const code of ['08006', '08001', '25P03', '25P04', '53300', '57P01', '57P03']) {
      expect(unavailableCause(databaseError(code))).toMatchObject({ code, connectionUsable: false });
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect' });
    expect(unavailableCause(refused)).toMatchObject({ code: 'ECONNREFUSED', connectionUsable: false });
    // A TLS handshake reset carries no system call.
    const reset = Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), {
      code: 'ECONNRESET',
    });
    expect(unavailableCause(reset)).toMatchObject({ code: 'ECONNRESET', connectionUsable: false });
    expect(unavailableCause(new Error('Query read timeout'))).toMatchObject({ code: 'QUERY_TIMEOUT' });
    expect(unavailableCause(new Error('timeout exceeded when trying to connect'))).toMatchObject({ code: 'CONNECT_TIMEOUT' });
    expect(unavailableCause(new Error('Connection terminated unexpectedly'))).toMatchObject({ code: 'CONNECTION_LOST' });
  });

  it('not a statement the database refuses, a protocol violation, nor a fault of the caller', () => {
    for (const code of ['23505', '22P02', '40001', '42P01', '08P01']) expect(unavailableCause(databaseError(code))).toBeUndefined();
    expect(unavailableCause(new TypeError('not a function'))).toBeUndefined();
    expect(unavailableCause(Object.assign(new Error('bad option'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBeUndefined();
    expect(unavailableCause(new Error('Query read timeout, and more'))).toBeUndefined();
  });

  it('says so in fixed wording, with only the cause code', () => {
    const error = unavailableCause(databaseError('57014'))!;
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toBe('the database is unavailable (57014)');
  });
});
