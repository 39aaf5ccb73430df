import { readFileSync } from 'node:fs';
import { missingNodeFlags, SERVICE_NODE_FLAGS } from './node-flags.js';

describe('the service node flags', () => {
  it('are what npm start runs the service with', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toContain(`node ${SERVICE_NODE_FLAGS.join(' ')} dist/src/main.js`);
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
});
