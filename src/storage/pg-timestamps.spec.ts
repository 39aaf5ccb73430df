import pg from 'pg';
import { postgresEngines } from '../../test/support/database-engines.js';
import { parseTimestamptz } from './pg-timestamps.js';

const parsedByPg = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (text: string) => unknown;

/** A comparable form of either parser's result: a Date's time, or the value itself (Infinity, null). */
const comparable = (value: unknown) => (value instanceof Date ? value.getTime() : value);

/** A deterministic spread of values (a linear congruential generator), so a failure reproduces. */
function* timestamps(count: number): Generator<string> {
  let seed = 20261205;
  const next = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % below;
  };
  const two = (n: number) => String(n).padStart(2, '0');
  for (let i = 0; i < count; i++) {
    const date = `${String(100 + next(9900)).padStart(4, '0')}-${two(1 + next(12))}-${two(1 + next(28))}`;
    const time = `${two(next(24))}:${two(next(60))}:${two(next(60))}`;
    const fraction =
      next(7) === 0
        ? ''
        : `.${String(next(1_000_000))
            .padStart(6, '0')
            .slice(0, 1 + next(6))}`;
    const offsetParts = [two(next(15)), two(next(60)), two(next(60))].slice(0, 1 + next(3));
    yield `${date} ${time}${fraction}${next(2) ? '+' : '-'}${offsetParts.join(':')}`;
  }
}

describe('timestamptz from PostgreSQL', () => {
  it('reads what PostgreSQL writes as pg’s own parser does', () => {
    for (const text of timestamps(20_000)) {
      expect([text, comparable(parseTimestamptz(text))]).toEqual([text, comparable(parsedByPg(text))]);
    }
  });

  it('leaves every other form to pg’s own parser, with its result', () => {
    const others = [
      'infinity',
      '-infinity',
      // Date.UTC would read a year before 100 as 19xx.
      '0099-03-01 12:00:00+00',
      '0001-01-01 00:00:00+00',
      '2026-12-05 16:38:54.5+00 BC',
      '12026-12-05 16:38:54+00',
      // timestamp without a zone: local time.
      '2026-12-05 16:38:54',
      '2026-12-05 16:38:54.123+01:30:15:00',
      '2026-12-05 16:38:54+1',
      '2026-12-05T16:38:54+00',
      '2026-1x-05 16:38:54+00',
      '2026-12-05',
      '',
    ];
    for (const text of others) {
      expect([text, comparable(parseTimestamptz(text))]).toEqual([text, comparable(parsedByPg(text))]);
    }
  });

  it('cuts fractional digits past the millisecond off, as pg does', () => {
    expect(parseTimestamptz('2026-12-05 16:38:54.999999+00')).toEqual(new Date('2026-12-05T16:38:54.999Z'));
    expect(parseTimestamptz('2026-12-05 16:38:54.1+05:30')).toEqual(new Date('2026-12-05T11:08:54.100Z'));
    expect(parseTimestamptz('1900-01-01 00:00:00-00:19:32')).toEqual(new Date('1900-01-01T00:19:32.000Z'));
  });
});

/** PostgreSQL alone: what a server writes in several time zones, read through the adapter. */
for (const engine of postgresEngines) {
  describe('timestamptz read from PostgreSQL', () => {
    it('is the instant PostgreSQL stored, in any session time zone', async () => {
      const scratch = await engine.createScratch();
      const db = await scratch.connect();
      try {
        // Europe/Amsterdam in 1900 was local mean time, an offset with seconds (+00:19:32).
        for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Chatham']) {
          const { rows } = await db.transaction(async (tx) => {
            await tx.query(`SELECT set_config('TimeZone', $1, true)`, [zone]);
            return tx.query<{ at: Date; text: string; epoch_ms: string }>(
              `SELECT at, at::text AS text, floor(extract(epoch FROM at) * 1000)::bigint::text AS epoch_ms
                 FROM unnest(ARRAY['2026-12-05 16:38:54.123456+00', '1900-01-01 00:00:00+00', '2000-02-29 23:59:59.999+00',
                                   '0150-06-15 12:00:00.5+00', '0099-06-15 12:00:00+00']::timestamptz[]) AS at`,
            );
          });
          for (const row of rows) expect([zone, row.text, row.at.getTime()]).toEqual([zone, row.text, Number(row.epoch_ms)]);
        }
      } finally {
        await scratch.dispose();
      }
    });
  });
}
