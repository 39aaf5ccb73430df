import { generateKeyPairSync, sign } from 'node:crypto';

/**
 * The machine's raw ES256 signing rate: node:crypto `sign('sha256', …)` with a P-256 KeyObject over
 * a token-sized input, one thread, nothing else. The ceiling a token endpoint that signs one token
 * per request could reach on one core.
 */
export function rawEs256SigningRate(seconds = 2): number {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const input = Buffer.from('x'.repeat(400));
  for (let i = 0; i < 500; i++) sign('sha256', input, privateKey);
  let signed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) sign('sha256', input, privateKey);
    signed += 100;
  }
  return Math.round(signed / ((performance.now() - started) / 1000));
}
