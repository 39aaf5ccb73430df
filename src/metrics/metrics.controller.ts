import { Controller, Get, Header } from '@nestjs/common';
import { FhirGateways } from '../fhir/fhir-gateways.js';

/**
 * `GET /metrics` in the Prometheus text format (exposition format 0.0.4): FHIR round trips by
 * kind, so operators (and the benchmark) see what logins cost the FHIR server, plus process basics.
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly fhir: FhirGateways) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): string {
    const fhir = this.fhir.stats();
    const memory = process.memoryUsage();
    const lines = [
      '# HELP federation_fhir_requests_total FHIR requests sent, by kind.',
      '# TYPE federation_fhir_requests_total counter',
      `federation_fhir_requests_total{kind="read"} ${fhir.reads}`,
      `federation_fhir_requests_total{kind="write"} ${fhir.writes}`,
      '# HELP federation_fhir_retries_total FHIR reads retried after a transient failure.',
      '# TYPE federation_fhir_retries_total counter',
      `federation_fhir_retries_total ${fhir.retries}`,
      '# HELP federation_fhir_failures_total FHIR requests that failed for good.',
      '# TYPE federation_fhir_failures_total counter',
      `federation_fhir_failures_total ${fhir.failures}`,
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${memory.rss}`,
      '# HELP process_uptime_seconds Seconds since the process started.',
      '# TYPE process_uptime_seconds gauge',
      `process_uptime_seconds ${Math.round(process.uptime())}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
