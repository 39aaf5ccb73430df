import type { Server } from 'node:http';
import { createApp } from './app.factory.js';
import { ConfigError } from './config/config.error.js';
import { configFileFromEnv, loadConfigFile } from './config/config.loader.js';
import { mallocTunablesMissing, missingNodeFlags, SERVICE_MALLOC_TUNABLES, SERVICE_NODE_FLAGS } from './node-flags.js';

/** During shutdown, how often connections that have become idle are closed. */
const IDLE_SWEEP_MS = 100;

/** Starts the service: an invalid config stops it with every problem listed and exit code 1. */
async function main(): Promise<void> {
  const file = configFileFromEnv();
  let config;
  try {
    config = loadConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  let app;
  try {
    app = await createApp(config);
    // Modules start here (IdP metadata files are read and verified): still the config's to fail.
    await app.listen({ port: config.port, host: process.env.HOST ?? '0.0.0.0' });
  } catch (error) {
    // A loader that found a problem while starting (a SAML key, certificate or metadata file) names the key, not the file.
    throw error instanceof ConfigError ? error.in(file) : error;
  }
  const log = app.getHttpAdapter().getInstance().log;
  log.info(
    { publicUrl: config.publicUrl, port: config.port, environment: config.environment, config: file },
    'federation service listening',
  );
  const missing = missingNodeFlags(process.execArgv, process.env.NODE_OPTIONS);
  if (missing.length > 0)
    log.warn(
      { missing, expected: SERVICE_NODE_FLAGS },
      'started without the node flags npm start uses: expect more memory (README, Operations)',
    );
  const { glibcVersionRuntime } = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header;
  if (mallocTunablesMissing(process.env.GLIBC_TUNABLES, glibcVersionRuntime))
    log.warn(
      { expected: `GLIBC_TUNABLES=${SERVICE_MALLOC_TUNABLES}` },
      'started without the malloc setting npm start uses: expect more memory (README, Operations)',
    );

  // Graceful shutdown: stop accepting, finish in-flight requests, close workers, FHIR and database;
  // with a deadline (issue 15, finding 7), since a request waiting on a dead peer or a keep-alive
  // connection would otherwise keep a stopped service alive for as long as they last.
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      log.info({ signal, deadlineMs: config.shutdownTimeoutMs }, 'shutting down');
      setTimeout(() => {
        log.error({ deadlineMs: config.shutdownTimeoutMs }, 'shutdown deadline passed: exiting with requests still open');
        process.exit(1);
      }, config.shutdownTimeoutMs);
      // Idle keep-alive connections go at once, and each in-flight one as soon as its response is out.
      const server = app.getHttpServer() as Server;
      server.closeIdleConnections();
      setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS).unref();
      app.close().then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

/**
 * A config problem found while starting (a key file named in the config, read by a loader) is the
 * operator's to fix: its message names the key, file and reason, and a stack would only bury it.
 */
function startupFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  return `federation service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${startupFailure(error)}\n`);
  process.exit(1);
});
