import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { timedValidations, type ReferenceJob } from './saml-reference.bench.js';

/** One thread of nodeSamlPoolRate: says it is warm, waits for the start, answers its rate. */
const port = parentPort!;
const rate = await timedValidations(workerData as ReferenceJob, async () => {
  port.postMessage('ready');
  await once(port, 'message');
});
port.postMessage(rate);
