import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory.js';
import type { AppOverrides } from '../../src/app.module.js';
import type { Config } from '../../src/config/config.schema.js';
import { freePort } from './free-port.js';
import { linesWithPersonalData } from './log-privacy.js';
import { testConfig } from './test-config.js';

export interface TestServer {
  baseUrl: string;
  app: NestFastifyApplication;
  config: Config;
  /** Every log line this instance wrote, for asserting what never reaches a log. */
  logs: string[];
  /** Stops the server; fails when any of its log lines held a national identifier or a name (log-privacy.ts). */
  close(): Promise<void>;
}

/** Starts the real application on a loopback port, as a black box reachable over HTTP. */
export async function startTestServer(
  options: {
    patch?: (raw: Record<string, any>) => void;
    /** Changes the config the schema accepted, as it never would: production on this loopback http issuer. */
    adjust?: (config: Config) => void;
    overrides?: Omit<AppOverrides, 'logDestination'>;
    port?: number;
  } = {},
): Promise<TestServer> {
  // A port chosen beforehand lets a test build what must know the issuer URL (a test IdP) first.
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = testConfig(baseUrl, options.patch);
  options.adjust?.(config);
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const app = await createApp(config, { ...options.overrides, logDestination });
  try {
    await app.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  const close = async (): Promise<void> => {
    await app.close();
    const leaked = linesWithPersonalData(logs);
    if (leaked.length > 0) throw new Error(`personal data in ${leaked.length} log line(s), the first: ${leaked[0]}`);
  };
  return { baseUrl, app, config, logs, close };
}
