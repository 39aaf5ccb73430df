import { combineCpu } from './cpu-accounting.js';
import type { LoadResult } from './load.js';

export interface Contender {
  name: string;
  /** One round of load; returns its figures. */
  round(): Promise<LoadResult>;
}

/**
 * Runs the contenders' rounds alternately (A B, B A, A B, …) so that whatever else the shared
 * machine is doing falls on both alike, and reports each contender's mean rate over its rounds (and
 * each round's) and its worst round's p99, with the requests and failures of all rounds.
 */
export async function alternateRounds(rounds: number, contenders: Contender[]): Promise<LoadResult[]> {
  const seen: LoadResult[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) seen[i]!.push(await contenders[i]!.round());
  }
  return contenders.map((contender, i) => combine(contender.name, seen[i]!));
}

export function combine(name: string, results: LoadResult[]): LoadResult {
  const sum = (pick: (r: LoadResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  return {
    name,
    requestsPerSecond: Math.round(sum((r) => r.requestsPerSecond) / results.length),
    p50Ms: Math.max(...results.map((r) => r.p50Ms)),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    total: sum((r) => r.total),
    failures: sum((r) => r.failures),
    cpu: combineCpu(results),
    roundRates: results.map((r) => r.requestsPerSecond),
  };
}

/** The lowest and highest ratio of a round of one contender to the other's round beside it. */
export interface RoundSpread {
  low: number;
  high: number;
}

/**
 * The spread of a ratio over its rounds: round i of ours against round i of the reference, run one
 * right after the other by {@link alternateRounds}. A ratio near its target is a PASS or a MISS worth
 * the name only when its rounds agree; the spread shows, in the run itself, whether they did.
 */
export function roundSpread(ours: readonly number[] | undefined, reference: readonly number[] | undefined): RoundSpread | undefined {
  if (!ours || !reference || ours.length !== reference.length || ours.length < 2) return undefined;
  const ratios = ours.map((rate, i) => rate / reference[i]!);
  return { low: Math.min(...ratios), high: Math.max(...ratios) };
}

/** A spread as the benchmarks print it: `0.50–0.53`. */
export function formatSpread(spread: RoundSpread): string {
  return `${spread.low.toFixed(2)}–${spread.high.toFixed(2)}`;
}
