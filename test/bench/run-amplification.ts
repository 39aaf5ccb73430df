import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { printResults } from './load.js';
import {
  amplificationResponse,
  AMPLIFICATION_ELEMENTS,
  prepareHonestLogins,
  runHonestLogins,
  startAttack,
  withinLimitsResponse,
} from './saml-amplification.bench.js';
import { samlBenchConfig, samlBenchIdp } from './saml-login.bench.js';
import { startService } from './service-process.js';

/** Honest logins per phase, and how many are in flight at once. */
const LOGINS = 400;
const CONCURRENCY = 4;
const ATTACKERS = 8;
/** The config default of `saml.validationTimeoutMs` (the bench config sets none). */
const WORKER_DEADLINE_MS = 2000;
/** Issue 15: honest logins under the attack must keep a p99 under 3× the idle one. */
const MAX_SLOWDOWN = 3;

/**
 * `npm run bench:amplification` (issue 15, finding 1): honest SAML logins (ACS → code → token), first
 * alone, then while 8 anonymous clients keep an amplification Response (16,000 elements in
 * Extensions, broken signature) in flight; then with the same traffic carrying a tiny malformed
 * Response, to tell the cost of the attack's own requests (each needs its own /auth) from any
 * amplification; then with the costliest Response found within every shape limit, which the precheck
 * lets through to a worker. Prints the p99s and how long the attack posts took to be refused. Not
 * part of `npm run bench`: it prepares 1,650 logins and runs for about three minutes.
 */
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-amplification-'));
  try {
    const port = await freePort();
    const idp = await samlBenchIdp(`http://127.0.0.1:${port}`);
    const service = await startService(
      { FEDERATION_CONFIG: samlBenchConfig(dir, idp), DATABASE_DIR: join(dir, 'pglite'), DATABASE_URL: '' },
      port,
    );
    try {
      // Warm-up: worker threads, JIT and key import are not what is measured.
      await runHonestLogins('warm-up', service.baseUrl, idp, await prepareHonestLogins(service.baseUrl, idp, 50), CONCURRENCY);
      const idleLogins = await prepareHonestLogins(service.baseUrl, idp, LOGINS);
      const attackedLogins = await prepareHonestLogins(service.baseUrl, idp, LOGINS);
      const floodedLogins = await prepareHonestLogins(service.baseUrl, idp, LOGINS);
      const withinLimitsLogins = await prepareHonestLogins(service.baseUrl, idp, LOGINS);
      const samlResponse = await amplificationResponse(service.baseUrl, idp);
      // The same traffic with a tiny Response refused as malformed: what the attack costs without any amplification.
      const tiny = Buffer.from('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>').toString('base64');
      const withinLimits = await withinLimitsResponse(service.baseUrl, idp);

      const idle = await runHonestLogins('SAML login, idle', service.baseUrl, idp, idleLogins, CONCURRENCY);
      const attack = startAttack(service.baseUrl, idp, samlResponse, ATTACKERS);
      const attacked = await runHonestLogins(`SAML login, ${ATTACKERS} attackers`, service.baseUrl, idp, attackedLogins, CONCURRENCY);
      const refused = await attack.stop();
      const flood = startAttack(service.baseUrl, idp, tiny, ATTACKERS);
      const flooded = await runHonestLogins(`SAML login, ${ATTACKERS} tiny posts`, service.baseUrl, idp, floodedLogins, CONCURRENCY);
      const floodRefused = await flood.stop();
      const heavy = startAttack(service.baseUrl, idp, withinLimits, ATTACKERS);
      const burdened = await runHonestLogins(
        `SAML login, ${ATTACKERS} within limits`,
        service.baseUrl,
        idp,
        withinLimitsLogins,
        CONCURRENCY,
      );
      const heavyRefused = await heavy.stop();

      printResults([idle, attacked, flooded, burdened]);
      const slowdown = attacked.p99Ms / Math.max(1, idle.p99Ms);
      const bytes = Math.round((Buffer.from(samlResponse, 'base64').length / 1024) * 10) / 10;
      console.log(`\namplification Response: ${AMPLIFICATION_ELEMENTS} elements in Extensions, ${bytes} KB, broken signature`);
      console.log(
        `attack posts answered: ${refused.posts} (${Object.entries(refused.statuses)
          .map(([s, n]) => `${n}× ${s}`)
          .join(', ')})`,
      );
      console.log(
        `attack post to refusal: p50 ${refused.p50Ms} ms, p99 ${refused.p99Ms} ms, max ${refused.maxMs} ms (worker deadline ${WORKER_DEADLINE_MS} ms)`,
      );
      console.log(
        `honest login p99: idle ${idle.p99Ms} ms, under attack ${attacked.p99Ms} ms = ${slowdown.toFixed(2)}× (limit ${MAX_SLOWDOWN}×)`,
      );
      console.log(
        `same traffic, tiny Response: honest p99 ${flooded.p99Ms} ms = ${(flooded.p99Ms / Math.max(1, idle.p99Ms)).toFixed(2)}× idle; ` +
          `${floodRefused.posts} posts refused in p50 ${floodRefused.p50Ms} ms, p99 ${floodRefused.p99Ms} ms`,
      );
      const heavySlowdown = burdened.p99Ms / Math.max(1, idle.p99Ms);
      const heavyKb = Math.round((Buffer.from(withinLimits, 'base64').length / 1024) * 10) / 10;
      console.log(
        `within every shape limit (${heavyKb} KB, broken signature): honest p99 ${burdened.p99Ms} ms = ${heavySlowdown.toFixed(2)}× idle; ` +
          `${heavyRefused.posts} posts refused in p50 ${heavyRefused.p50Ms} ms, p99 ${heavyRefused.p99Ms} ms (limit ${MAX_SLOWDOWN}×)`,
      );
      const failed = [
        idle.failures + attacked.failures + flooded.failures + burdened.failures > 0 && 'some honest logins failed',
        heavySlowdown >= MAX_SLOWDOWN && `honest p99 under the within-limits posts is ${heavySlowdown.toFixed(2)}× idle`,
        slowdown >= MAX_SLOWDOWN && `honest p99 under attack is ${slowdown.toFixed(2)}× idle`,
        refused.maxMs >= WORKER_DEADLINE_MS && 'an attack post took longer than the worker deadline',
        refused.posts === 0 && 'no attack post was answered',
      ].filter(Boolean);
      for (const reason of failed) console.error(`FAIL: ${reason}`);
      if (failed.length > 0) process.exitCode = 1;
    } finally {
      await service.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
