import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import type { CpuPerRequest, LoadResult } from './load.js';

/** USER_HZ: Linux reports `utime` and `stime` in /proc in hundredths of a second on every architecture it runs on. */
const MICROS_PER_TICK = 10_000;

/** The fields of /proc/{pid}/stat after the command name (which is in parentheses and may hold spaces). */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** A process's user and system time so far (all its threads, live and ended): utime and stime, from its stat fields. */
function cpuMicros(fields: string[]): number {
  return (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK;
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The process id of the PostgreSQL server behind `url` when it runs on this machine: the parent of
 * the backend that serves a connection. Undefined for a server elsewhere (its backend is not in /proc).
 */
export async function localPostmaster(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // In a container the id may name another process here, or none.
    if (commandOf(backend) !== 'postgres') return undefined;
    const parent = statFields(backend)?.[1];
    return parent === undefined ? undefined : Number(parent);
  } finally {
    await client.end();
  }
}

/**
 * The CPU time so far of the server `postmaster` and each of its processes, by process id: the
 * backends, the WAL writer, the checkpointer, autovacuum's workers. Another cluster on the machine
 * is not counted.
 */
function postgresMicros(postmaster: number): Map<string, number> {
  const byProcess = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (!fields || (entry !== String(postmaster) && fields[1] !== String(postmaster))) continue;
    byProcess.set(entry, cpuMicros(fields));
  }
  return byProcess;
}

/**
 * What the server's processes spent since `before`: each one's growth, all of a process that started
 * since. A process that ended meanwhile (an autovacuum worker) took its time with it, so this is a floor.
 */
function postgresMicrosSince(postmaster: number, before: Map<string, number>): number {
  let total = 0;
  for (const [pid, micros] of postgresMicros(postmaster)) total += micros - (before.get(pid) ?? 0);
  return total;
}

function processMicros(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields && cpuMicros(fields);
}

/**
 * Runs one round and adds to its result the CPU time it cost per request: the server process `pid`,
 * the PostgreSQL server `postmaster` (localPostmaster) when the round uses one on this machine, and
 * this process. Without /proc (not Linux) the result comes back without it.
 */
export async function withCpuAccounting(
  pid: number,
  postmaster: number | undefined,
  round: () => Promise<LoadResult>,
): Promise<LoadResult> {
  const serverBefore = processMicros(pid);
  const databaseBefore = postmaster === undefined ? new Map<string, number>() : postgresMicros(postmaster);
  const loadBefore = process.cpuUsage();
  const result = await round();
  const load = process.cpuUsage(loadBefore);
  const serverAfter = processMicros(pid);
  if (serverBefore === undefined || serverAfter === undefined || result.total === 0) return result;
  const perRequest = (micros: number) => Math.round(micros / result.total);
  return {
    ...result,
    cpu: {
      server: perRequest(serverAfter - serverBefore),
      ...(postmaster === undefined ? {} : { database: perRequest(postgresMicrosSince(postmaster, databaseBefore)) }),
      loadGenerator: perRequest(load.user + load.system),
    },
  };
}

/** The rounds' CPU per request, each round weighted by its requests; undefined unless every round has it. */
export function combineCpu(results: LoadResult[]): CpuPerRequest | undefined {
  if (results.length === 0 || results.some((r) => r.cpu === undefined)) return undefined;
  const total = results.reduce((sum, r) => sum + r.total, 0);
  if (total === 0) return undefined;
  const weighted = (pick: (cpu: CpuPerRequest) => number | undefined) =>
    Math.round(results.reduce((sum, r) => sum + (pick(r.cpu!) ?? 0) * r.total, 0) / total);
  const database = results.every((r) => r.cpu!.database !== undefined) ? weighted((cpu) => cpu.database) : undefined;
  return {
    server: weighted((cpu) => cpu.server),
    ...(database === undefined ? {} : { database }),
    loadGenerator: weighted((cpu) => cpu.loadGenerator),
  };
}
