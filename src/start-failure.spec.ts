import pg from 'pg';
import { DatabaseUnavailableError } from './storage/database.js';
import { databaseFailure } from './start-failure.js';

/** What PostgreSQL answers a connection it refuses, as `pg` hands it over. */
function refusal(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

describe('databaseFailure', () => {
  const url = 'postgres://fed:S3cretPW@db.example:5432/fed';

  it('names database.url and what PostgreSQL refused, never the password', () => {
    for (const [code, message] of [
      ['3D000', 'database "fed" does not exist'],
      ['28000', 'role "fed" does not exist'],
      ['28P01', 'password authentication failed for user "fed"'],
    ] as const) {
      const said = databaseFailure(refusal(code, message), url);
      expect(said).toBe(`database.url (DATABASE_URL): the database at db.example:5432 refused the connection: ${message} (${code})`);
      expect(said).not.toContain('S3cretPW');
    }
  });

  it('says a database that does not answer is unavailable, and leaves any other error to its stack', () => {
    expect(databaseFailure(new DatabaseUnavailableError('ECONNREFUSED', false), url)).toBe(
      'database.url (DATABASE_URL): the database at db.example:5432 is unavailable (ECONNREFUSED)',
    );
    expect(databaseFailure(refusal('42P01', 'relation "x" does not exist'), url)).toBeUndefined();
    expect(databaseFailure(new Error('anything else'), url)).toBeUndefined();
  });
});
