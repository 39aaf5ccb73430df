import type { Server } from 'node:http';
import { createApp } from './app.factory.js';
import { ConfigError } from './config/config.error.js';
import { configFileFromEnv, loadConfigFile } from './config/config.loader.js';
import { productionWarnings } from './config/production-warnings.js';
import { databaseFailure, listenFailure } from './start-failure.js';
import { mallocTunablesMissing, missingNodeFlags, SERVICE_MALLOC_TUNABLES, SERVICE_NODE_FLAGS } from './node-flags.js';

/** During shutdown, how often connections that have become idle are closed. */
const IDLE_SWEEP_MS = 100;

/** Starts the service on config file `file`; an invalid config stops it with every problem listed (startupFailure). */
async function main(file: string): Promise<void> {
  const config = loadConfigFile(file);
  // Migrations run here: PostgreSQL not answering is the operator's to fix, said as such.
  const app = await createApp(config).catch((error: unknown) => {
    const reason = databaseFailure(error, config.database.url);
    throw reason === undefined ? error : new StartupRefusal(reason);
  });
  const host = process.env.HOST ?? '0.0.0.0';
  // Modules start here (IdP metadata files are read and verified, the management port listens): still
  // the config's to fail.
  await app.listen({ port: config.port, host }).catch((error: unknown) => {
    const reason = listenFailure(error, host, config);
    throw reason === undefined ? error : new StartupRefusal(reason);
  });
  const log = app.getHttpAdapter().getInstance().log;
  log.info(
    { publicUrl: config.publicUrl, port: config.port, environment: config.environment, config: file },
    'federation service listening',
  );
  for (const { key, reason } of productionWarnings(config)) log.warn({ key }, `production config: ${key}: ${reason}`);
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
  // Listened for as long as the process lives: a supervisor may repeat its signal, and npm passes on
  // each one it gets, and a signal nobody listens for any more ends the process at once.
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return void log.info({ signal }, 'already shutting down');
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

/** A start refused for a reason said in full in its message: printed without a stack. */
class StartupRefusal extends Error {}

/**
 * A config problem found while starting (a key file named in the config, read by a loader) is the
 * operator's to fix: its message names the config file, the key and the reason, and a stack would
 * only bury it. A loader that knows only the key (a SAML key, certificate or metadata file) gets `file`.
 */
function startupFailure(error: unknown, file: string): string {
  if (error instanceof ConfigError) return error.in(file).message;
  if (error instanceof StartupRefusal) return `federation service failed to start: ${error.message}`;
  return `federation service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

const configFile = configFileFromEnv();
main(configFile).catch((error: unknown) => {
  process.stderr.write(`${startupFailure(error, configFile)}\n`);
  process.exit(1);
});
