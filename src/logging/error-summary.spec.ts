import { errorSummary } from './error-summary.js';

describe('errorSummary', () => {
  it('keeps a database error’s SQLSTATE and frames, never its message, detail, statement or parameters', () => {
    const error = Object.assign(new Error('new row for relation "sessions" violates check constraint "c"'), {
      severity: 'ERROR',
      code: '23514',
      detail: 'Failing row contains (s1, nemlogin, Alice, Andersen).',
      query: 'INSERT INTO sessions VALUES ($1, $2)',
      params: ['s1', '{"given":["Alice"]}'],
    });
    const summary = errorSummary(error);
    expect(summary).toMatchObject({ type: 'DatabaseError', code: '23514' });
    expect(summary.frames?.[0]).toMatch(/^at /);
    expect(JSON.stringify(summary)).not.toMatch(/Alice|sessions|INSERT|s1/);
  });

  it('drops a message even where it spans lines that look like frames', () => {
    const error = new TypeError('cannot read 0101011234\n    at Alice Andersen (Patient/123)');
    const summary = errorSummary(error);
    expect(summary.type).toBe('TypeError');
    expect(JSON.stringify(summary)).not.toMatch(/0101011234|Alice|Patient/);
  });

  it('keeps a system error code, and refuses a code or class name that is data', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), { code: 'ECONNREFUSED' });
    expect(errorSummary(refused)).toMatchObject({ type: 'Error', code: 'ECONNREFUSED' });
    expect(errorSummary(Object.assign(new Error('x'), { code: 'cpr 0101011234' }))).not.toHaveProperty('code');
    class Odd extends Error {}
    Object.defineProperty(Odd, 'name', { value: 'Alice Andersen' });
    expect(errorSummary(new Odd('x')).type).toBe('Error');
  });

  it('summarises what is not an Error by its type alone', () => {
    expect(errorSummary('0101011234')).toEqual({ type: 'string' });
    expect(errorSummary({ name: 'Alice' })).toEqual({ type: 'object' });
  });
});
