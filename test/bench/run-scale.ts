import pg from 'pg';
import { EXTERNAL_ID_DIGEST_PREFIX } from '../../src/storage/user.repository.js';
import { alternateRounds, formatSpread, roundSpread } from './alternate.js';
import { printResults } from './load.js';
import { prepareRefresh } from './refresh.bench.js';
import { startService, type RunningService } from './service-process.js';

/** Stored sessions in the two databases compared. */
const SMALL = 1_000;
const LARGE = Number(process.env.BENCH_SCALE_SESSIONS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 10);
/** Issue 14: refresh with 1,000,000 stored sessions at ≥ 0.9× its rate with 1,000. */
const TARGET = 0.9;

/** The same server, another database: `url` with its path replaced. */
function databaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Fills the database up to `total` live sessions by copying one real session (and its user and SSO
 * session) with generate_series: each copy its own user, SSO session, session id and current
 * refresh-token id (`refresh_jti`, the chain's state), all live for the next hours. Rows go through
 * jsonb_populate_record (LATERAL: once a row, not once a column), so every column of the current schema is carried over. Then ANALYZE, as
 * autovacuum would have done on a database that grew to this size.
 */
async function fillSessions(url: string, total: number): Promise<number> {
  return withClient(url, async (client) => {
    const count = async () => Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM sessions')).rows[0]!.n);
    const missing = total - (await count());
    if (missing > 0) {
      const template = (
        await client.query<{ id: string; user_id: string; sso_session_id: string }>(
          'SELECT id, user_id, sso_session_id FROM sessions WHERE sso_session_id IS NOT NULL AND parent_id IS NULL LIMIT 1',
        )
      ).rows[0];
      if (!template) throw new Error('no session to copy');
      const started = performance.now();
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO users SELECT r.* FROM users u, generate_series(1, $2::int) g,
           LATERAL jsonb_populate_record(NULL::users, to_jsonb(u) || jsonb_build_object(
           'id', 'scale-u-' || g, 'external_id', $3 || 'scale-' || g)) r
           WHERE u.id = $1`,
        // In this release's form (a digest), so a service started on the filled database has nothing to sweep.
        [template.user_id, missing, EXTERNAL_ID_DIGEST_PREFIX],
      );
      await client.query(
        `INSERT INTO sso_sessions SELECT r.* FROM sso_sessions o, generate_series(1, $2::int) g,
           LATERAL jsonb_populate_record(NULL::sso_sessions, to_jsonb(o) || jsonb_build_object(
           'id', 'scale-o-' || g, 'user_id', 'scale-u-' || g, 'secret_hash', md5('scale-o-' || g),
           'idle_expires_at', now() + interval '6 hours', 'max_expires_at', now() + interval '10 hours')) r
           WHERE o.id = $1`,
        [template.sso_session_id, missing],
      );
      await client.query(
        `INSERT INTO sessions SELECT r.* FROM sessions s, generate_series(1, $2::int) g,
           LATERAL jsonb_populate_record(NULL::sessions, to_jsonb(s) || jsonb_build_object(
           'id', 'scale-s-' || g, 'user_id', 'scale-u-' || g, 'sso_session_id', 'scale-o-' || g,
           'refresh_jti', md5('scale-s-' || g), 'idle_expires_at', now() + interval '6 hours',
           'max_expires_at', now() + interval '10 hours')) r
           WHERE s.id = $1`,
        [template.id, missing],
      );
      await client.query('COMMIT');
      await client.query('VACUUM ANALYZE users');
      await client.query('VACUUM ANALYZE sso_sessions');
      await client.query('VACUUM ANALYZE sessions');
      console.log(
        `${url.replace(/\/\/[^@]*@/, '//')}: ${missing.toLocaleString('en')} sessions inserted in ${Math.round((performance.now() - started) / 1000)} s`,
      );
    }
    return count();
  });
}

/**
 * `npm run bench:scale` (issue 14): refresh grants with rotation on PostgreSQL holding 1,000 stored
 * sessions, against the same on one holding 1,000,000 (BENCH_SCALE_SESSIONS), each database behind
 * its own service process, in alternating rounds from the same load generator. Needs
 * BENCH_DATABASE_URL or TEST_DATABASE_URL (a role that may create databases); creates and drops
 * `federation_scale_small` and `federation_scale_large` on that server.
 */
async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    console.error('bench:scale needs PostgreSQL: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a postgres:// URL');
    process.exit(2);
  }
  const names = ['federation_scale_small', 'federation_scale_large'];
  await withClient(adminUrl, async (client) => {
    for (const name of names) {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${name}`);
    }
  });
  const services: RunningService[] = [];
  try {
    for (const name of names) services.push(await startService({ DATABASE_URL: databaseUrl(adminUrl, name) }));
    const [small, large] = services as [RunningService, RunningService];
    const smallRounds = await prepareRefresh(small.baseUrl, `${SMALL.toLocaleString('en')} sessions`);
    const largeRounds = await prepareRefresh(large.baseUrl, `${LARGE.toLocaleString('en')} sessions`);
    const stored = [
      await fillSessions(databaseUrl(adminUrl, names[0]!), SMALL),
      await fillSessions(databaseUrl(adminUrl, names[1]!), LARGE),
    ];
    await smallRounds(3); // warm-up: JIT, pool, the indexes' pages
    await largeRounds(3);
    const [few, many] = await alternateRounds(ROUNDS, [
      { name: `refresh rotation, ${stored[0]!.toLocaleString('en')} sessions`, round: () => smallRounds(ROUND_SECONDS) },
      { name: `refresh rotation, ${stored[1]!.toLocaleString('en')} sessions`, round: () => largeRounds(ROUND_SECONDS) },
    ]);
    const ratio = many!.requestsPerSecond / few!.requestsPerSecond;
    const spread = roundSpread(many!.roundRates, few!.roundRates);
    console.log(
      `\nrefresh rotation on PostgreSQL, ${stored[1]!.toLocaleString('en')} / ${stored[0]!.toLocaleString('en')} stored sessions`,
    );
    console.log(
      `ratio ${ratio.toFixed(2)}×${spread ? ` (rounds ${formatSpread(spread)})` : ''} (target ≥ ${TARGET}×) ` +
        `${ratio >= TARGET ? 'PASS' : 'MISS'}; p99 ${many!.p99Ms} / ${few!.p99Ms} ms`,
    );
    printResults([few!, many!]);
    if (few!.failures + many!.failures > 0) {
      console.error('\nsome requests failed: the figures above are not valid');
      process.exitCode = 1;
    }
  } finally {
    for (const service of services) await service.stop();
    if (!process.env.BENCH_KEEP) {
      await withClient(adminUrl, async (client) => {
        for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
