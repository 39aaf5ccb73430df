/**
 * The V8 flags the service runs with: `npm start`, the benchmarks and the process tests pass them
 * to node before `dist/src/main.js` (V8 sizes its heap when the process starts; setting a flag from
 * inside, with `v8.setFlagsFromString`, was measured to change nothing).
 *
 * `--max-semi-space-size=8` (MB): on this 24 GiB machine Node 24 let the young generation grow to
 * 128 MB under the token endpoint's load, every page of it resident, although under 5 MB of it is
 * live between scavenges. Capped at 2 × 16 MB, the service with an external FHIR server held 178–190 MB
 * instead of 253–269 MB under client_credentials, refresh and token exchange, with throughput the
 * same within the noise of alternating 5 s rounds (client_credentials 0.89–1.02×, refresh 1.00×); at
 * 2 × 8 MB, the embedded service's peak 326 → 298 MB over six alternating rounds of client_credentials,
 * refresh and exchange, at 1.07×, 1.03× and 1.07× their rates (noise; issue 14).
 *
 * `--v8-pool-size=1`: V8's background threads (4 by default) compile optimised code, for JavaScript
 * and for PGlite's WebAssembly, and glibc gives each thread its own malloc arena, in which the
 * compilers' freed zone memory stays resident. With the embedded database, `/proc/<pid>/smaps`
 * after load showed five 64 MB-aligned arenas holding 98–125 MB; with one background thread, two
 * holding 45 MB. Peak RSS of the embedded service 361 → 301 and 353 → 295 MB in A/B runs of
 * client_credentials and refresh (295–316 MB over four runs), throughput 1.04× and 0.97× (noise);
 * no change with an external FHIR server and PostgreSQL, which run no WebAssembly (issue 14).
 * Not taken: `--no-liftoff` (peak 313 MB, but a start on an existing data directory 3 → 10 s),
 * `--liftoff-only` (0.78× refresh on PGlite), `--optimize-for-size` (0.66× client_credentials),
 * `MALLOC_ARENA_MAX` (one arena gave 305 MB idle; see {@link SERVICE_MALLOC_TUNABLES} for the
 * malloc setting that is taken).
 *
 * `--heap-growing-percent=20`: after the last full collection of start-up, V8 let the old generation
 * grow to up to four times what was live (it picks the factor, between 1.1 and 4 on a machine with
 * this much memory, from the speeds it measured collecting and allocating), and nothing collected it
 * under load: with `--trace-gc`, no full collection in 75 s of client_credentials, refresh and
 * exchange, and the embedded service's RSS rose 330 → 363 → 391 → 422 MB round after round (external
 * FHIR on PostgreSQL: 177 → 204 MB). With the factor fixed at 1.2, a full collection every 5–8 s
 * under that load (12–30 ms on the main thread each, the marking itself concurrent) and RSS flat at
 * 299–310 MB (external: 197–201 MB); throughput in alternating rounds 1.02×, 1.00×, 1.04× (noise).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--v8-pool-size=1', '--heap-growing-percent=20'];

/** The flags of {@link SERVICE_NODE_FLAGS} this process was started without (on node's command line or in NODE_OPTIONS). */
export function missingNodeFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  return SERVICE_NODE_FLAGS.filter((flag) => !given.some((argument) => argument.split('=')[0] === flag.split('=')[0]));
}

/**
 * The glibc malloc setting the service runs with, in the environment variable `GLIBC_TUNABLES` (read
 * by glibc when the process starts, so `npm start`, the benchmarks and the process tests set it;
 * ignored where the C library is not glibc).
 *
 * `glibc.malloc.mmap_threshold=32768`: an allocation of 32 KB or more gets its own mapping, given
 * back to the kernel when it is freed. By default glibc serves those from its arenas, and raises the
 * threshold to the size of the largest mapped block freed so far (up to 32 MB), so ever larger blocks
 * land there too; freed, they stay resident wherever a live allocation sits above them. Under load,
 * `malloc_trim(0)` called into the running embedded service (gdb) released 42 MB: memory free in
 * malloc, still counted in RSS. V8's compilers take their working memory from malloc in segments of up
 * to 32 KB; with `--liftoff-only` (no optimising compiler for PGlite's WebAssembly) the largest arena
 * held 21 MB instead of 60. Measured, four alternating rounds of client_credentials, refresh and token
 * exchange, two services side by side (issue 14): embedded (PGlite, embedded FHIR) peak RSS 313 → 283
 * MB, external FHIR on PostgreSQL 189 → 174 MB; throughput 0.99–1.10×, CPU per request the same or
 * lower. Three runs of one service through three such rounds each: 324–330 → 281–297 MB.
 */
export const SERVICE_MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=32768';

/**
 * Whether this process runs on glibc (its runtime version known) without the tunables of
 * {@link SERVICE_MALLOC_TUNABLES} in `GLIBC_TUNABLES`; one given with another value counts as given,
 * as a node flag does (an operator's own choice).
 */
export function mallocTunablesMissing(glibcTunables: string | undefined, glibcVersion: string | undefined): boolean {
  if (!glibcVersion) return false;
  const name = (tunable: string) => tunable.split('=')[0];
  const given = (glibcTunables ?? '').split(':').map(name);
  return !SERVICE_MALLOC_TUNABLES.split(':').every((tunable) => given.includes(name(tunable)));
}
