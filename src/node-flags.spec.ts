import { readFileSync } from 'node:fs';
import { mallocTunablesMissing, missingNodeFlags, SERVICE_MALLOC_TUNABLES, SERVICE_NODE_FLAGS } from './node-flags.js';

describe('the service node flags', () => {
  it('are what npm start runs the service with', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toContain(`GLIBC_TUNABLES=${SERVICE_MALLOC_TUNABLES} node ${SERVICE_NODE_FLAGS.join(' ')} dist/src/main.js`);
  });

  it('counts a flag given on the command line or in NODE_OPTIONS, with any value, as given', () => {
    expect(missingNodeFlags([])).toEqual(['--max-semi-space-size=8', '--v8-pool-size=1', '--heap-growing-percent=20']);
    expect(missingNodeFlags(['--max-semi-space-size=8', '--v8-pool-size=1', '--heap-growing-percent=20'])).toEqual([]);
    expect(missingNodeFlags(['--max-semi-space-size=16', '--heap-growing-percent=50'])).toEqual(['--v8-pool-size=1']);
    expect(missingNodeFlags(['--v8-pool-size=2'], '--enable-source-maps --max-semi-space-size=32 --heap-growing-percent=10')).toEqual([]);
    expect(missingNodeFlags(['--max-semi-space-size-other=1'], '--max-old-space-size=512')).toEqual([
      '--max-semi-space-size=8',
      '--v8-pool-size=1',
      '--heap-growing-percent=20',
    ]);
  });

  it('counts the malloc tunable as given in GLIBC_TUNABLES with any value, and as missing only on glibc', () => {
    expect(mallocTunablesMissing(undefined, '2.36')).toBe(true);
    expect(mallocTunablesMissing('', '2.36')).toBe(true);
    expect(mallocTunablesMissing('glibc.malloc.arena_max=2', '2.36')).toBe(true);
    expect(mallocTunablesMissing('glibc.malloc.mmap_threshold_other=1', '2.36')).toBe(true);
    expect(mallocTunablesMissing(SERVICE_MALLOC_TUNABLES, '2.36')).toBe(false);
    expect(mallocTunablesMissing('glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536', '2.36')).toBe(false);
    expect(mallocTunablesMissing(undefined, undefined)).toBe(false);
  });
});
