import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import nodeSaml from '@node-saml/node-saml';
import { SAML_FIXTURES } from '../support/saml/saml-fixtures.js';

const { SAML, ValidateInResponseTo } = nodeSaml;

export interface ReferenceRate {
  /** Responses validated per second, all threads together. */
  perSecond: number;
  validated: number;
}

/** What a reference thread is given (plain values, so that a worker thread can be given them too). */
export interface ReferenceJob {
  /** The ACS URL the Responses are addressed to. */
  acsUrl: string;
  /** Base64 SAMLResponse values, validated round-robin. */
  responses: string[];
  seconds: number;
}

/**
 * node-saml's own `validatePostResponseAsync`, set up as the service has it: both signatures checked
 * and the assertion decrypted, node-saml's clock and InResponseTo checks off (the service makes
 * those against its own clock and database).
 */
function nodeSamlValidator(acsUrl: string): (samlResponse: string) => Promise<void> {
  const saml = new SAML({
    callbackUrl: acsUrl,
    issuer: 'bench-reference',
    audience: false,
    idpCert: SAML_FIXTURES.idpSigningCertificate,
    decryptionPvk: SAML_FIXTURES.spEncryptionKey,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
  });
  return async (samlResponse) => {
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
    if (!profile) throw new Error('node-saml validated no profile');
  };
}

/**
 * The job's Responses validated one after another in this thread for `seconds`, after a warm-up of
 * 20 (JIT) and then `beforeTiming` (a worker's start signal).
 */
export async function timedValidations(job: ReferenceJob, beforeTiming?: () => Promise<void>): Promise<ReferenceRate> {
  const validate = nodeSamlValidator(job.acsUrl);
  for (const response of job.responses.slice(0, 20)) await validate(response);
  await beforeTiming?.();
  let validated = 0;
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  while (performance.now() < deadline) await validate(job.responses[validated++ % job.responses.length]!);
  return { perSecond: Math.round(validated / ((performance.now() - started) / 1000)), validated };
}

/**
 * The reference of what a login's XML work costs (issue 14): node-saml on the same signed Responses
 * the service gets (Response signature, encrypted and signed assertion), one after another in this
 * one thread. Nothing else: no HTTP, no database, no FHIR, no tokens.
 */
export function nodeSamlValidationRate(job: ReferenceJob): Promise<ReferenceRate> {
  return timedValidations(job);
}

/**
 * The same validations in `threads` worker threads at once (saml-reference.worker.ts), timed
 * together once every thread has warmed up: the most a pool of that many SAML workers could give on
 * this machine with nothing else running, the ceiling for complete logins, which also carry HTTP,
 * the database, FHIR, tokens and the load generator on the same cores.
 */
export async function nodeSamlPoolRate(job: ReferenceJob, threads: number): Promise<ReferenceRate> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(new URL('./saml-reference.worker.js', import.meta.url), { workerData: job }),
  );
  // A worker that exits without an error or an answer must not leave the benchmark waiting.
  const answer = async (worker: Worker) => {
    const [message] = await Promise.race([
      once(worker, 'message'),
      once(worker, 'exit').then(([code]) => Promise.reject(new Error(`node-saml reference worker exited with code ${code}`))),
    ]);
    return message as unknown;
  };
  try {
    await Promise.all(workers.map(answer));
    const results = workers.map(async (worker) => (await answer(worker)) as ReferenceRate);
    for (const worker of workers) worker.postMessage('go');
    const rates = await Promise.all(results);
    return {
      perSecond: rates.reduce((sum, rate) => sum + rate.perSecond, 0),
      validated: rates.reduce((sum, rate) => sum + rate.validated, 0),
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
