import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { systemClock } from '../../../src/common/clock.js';
import { defaultLoginDeadlineMs, DEFAULT_FHIR_MAX_ANSWER_BYTES } from '../../../src/config/fhir-config.schema.js';
import { FhirGateway, type FhirGatewaySettings } from '../../../src/fhir/fhir.gateway.js';
import type { FhirRoundTrips } from '../../../src/fhir/fhir-round-trips.js';
import { FhirGateways } from '../../../src/fhir/fhir-gateways.js';
import { FhirIdentityLinker } from '../../../src/fhir/fhir-identity-linker.js';

/** One service instance's FHIR side, wired as FhirModule wires it, pointed at `baseUrl`. */
export function fhirLinker(
  baseUrl: string,
  { loginDeadlineMs: deadline, ...settings }: Partial<FhirGatewaySettings> & { loginDeadlineMs?: number } = {},
): { gateway: FhirGateway; linker: FhirIdentityLinker } {
  const gateway = new FhirGateway({ baseUrl, timeoutMs: 3000, retries: 2, backoffMs: 20, ...settings });
  // As the config defaults it (fhir-config.schema.ts).
  const loginDeadlineMs = deadline ?? defaultLoginDeadlineMs(settings.timeoutMs ?? 3000);
  return {
    gateway,
    linker: new FhirIdentityLinker(
      new FhirGateways(gateway, {
        realms: [],
        fhir: { baseUrl, timeoutMs: 3000, retries: 2, loginDeadlineMs, maxAnswerBytes: DEFAULT_FHIR_MAX_ANSWER_BYTES },
      }),
      systemClock,
      loginDeadlineMs,
    ),
  };
}

/** What a piece of work cost in FHIR round trips. */
export async function measure<T>(gateway: FhirGateway, work: () => Promise<T>): Promise<{ result: T; cost: FhirRoundTrips }> {
  const before = gateway.stats();
  const result = await work();
  const after = gateway.stats();
  const cost = Object.fromEntries(
    Object.entries(after).map(([k, v]) => [k, v - before[k as keyof FhirRoundTrips]]),
  ) as unknown as FhirRoundTrips;
  return { result, cost };
}

/** Every Nest log line (all levels, debug included) while installed, to assert what never reaches a log. */
export function captureNestLogs(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: unknown, ...rest: unknown[]) =>
      lines.push(`${level} ${JSON.stringify([message, ...rest])}`);
  const sink: LoggerService = {
    log: record('log'),
    error: record('error'),
    warn: record('warn'),
    debug: record('debug'),
    verbose: record('verbose'),
    fatal: record('fatal'),
  };
  Logger.overrideLogger(sink);
  return { lines, restore: () => Logger.overrideLogger(new ConsoleLogger()) };
}
