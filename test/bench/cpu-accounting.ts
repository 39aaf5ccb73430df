import { readdirSync, readFileSync } from 'node:fs';
import type { CpuPerRequest, LoadResult } from './load.js';

/** USER_HZ: Linux reports `utime` and `stime` in /proc in hundredths of a second on every architecture it runs on. */
const MICROS_PER_TICK = 10_000;

/** A process's user and system time so far (all its threads, live and ended), from /proc/{pid}/stat. */
function processMicros(pid: number | string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK;
  } catch {
    return undefined;
  }
}

/**
 * The CPU time so far of each process named `postgres` on this machine, by process id: the backends,
 * the WAL writer, the checkpointer, autovacuum's workers.
 */
function postgresMicros(): Map<string, number> {
  const byProcess = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const micros = processMicros(entry);
    if (micros !== undefined) byProcess.set(entry, micros);
  }
  return byProcess;
}

/**
 * What PostgreSQL's processes spent since `before`: each one's growth, all of a process that started
 * since. A process that ended meanwhile (an autovacuum worker) took its time with it, so this is a floor.
 */
function postgresMicrosSince(before: Map<string, number>): number {
  let total = 0;
  for (const [pid, micros] of postgresMicros()) total += micros - (before.get(pid) ?? 0);
  return total;
}

/**
 * Runs one round and adds to its result the CPU time it cost per request: the server process `pid`,
 * PostgreSQL's processes when `postgres` (a server on this machine), and this process. Without
 * /proc (not Linux) the result comes back without it.
 */
export async function withCpuAccounting(pid: number, postgres: boolean, round: () => Promise<LoadResult>): Promise<LoadResult> {
  const serverBefore = processMicros(pid);
  const databaseBefore = postgres && serverBefore !== undefined ? postgresMicros() : new Map<string, number>();
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
      ...(postgres ? { database: perRequest(postgresMicrosSince(databaseBefore)) } : {}),
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
