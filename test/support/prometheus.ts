import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

/**
 * One sample line of the text exposition format 0.0.4: name, optional labels, a value (Go's float
 * syntax, so `Inf` and `NaN` in any case), an optional timestamp.
 */
const SAMPLE_LINE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\\n])*",?)*)\})? ([-+]?(?:\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[Ii][Nn][Ff]|[Nn][Aa][Nn]))(?: -?\d+)?$/;
const COMMENT_LINE = /^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\\n])*)"/g;

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Metrics {
  /** As a Prometheus text-format parser (parse-prometheus-text-format, prom2json's shape) reads them. */
  families: PrometheusFamily[];
  /** Every sample line, histogram buckets, sums and counts included. */
  samples: Sample[];
}

/**
 * Parses `/metrics` with a Prometheus text-format parser, after checking it strictly line by line
 * (that parser is lenient): every line a sample, a HELP or a TYPE; every family typed.
 */
export function parseMetrics(text: string): Metrics {
  const problems: string[] = [];
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || COMMENT_LINE.test(line)) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) problems.push(`not exposition format: ${line}`);
    else samples.push({ name: match[1]!, labels: labelsOf(match[2] ?? ''), value: Number(match[3]) });
  }
  const families = parsePrometheusTextFormat(text);
  for (const family of families) if (family.type === 'UNTYPED') problems.push(`no TYPE for ${family.name}`);
  if (!text.endsWith('\n')) problems.push('no newline at the end');
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return { families, samples };
}

/** The value of the first sample of `name` whose labels include `labels`; 0 when there is none (yet). */
export function sampleValue(metrics: Metrics, name: string, labels: Record<string, string> = {}): number {
  return matching(metrics, name, labels)[0]?.value ?? 0;
}

/** The sum over every sample of `name` whose labels include `labels`. */
export function sampleSum(metrics: Metrics, name: string, labels: Record<string, string> = {}): number {
  return matching(metrics, name, labels).reduce((sum, s) => sum + s.value, 0);
}

export async function scrape(url: string): Promise<Metrics> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return parseMetrics(await response.text());
}

function matching(metrics: Metrics, name: string, labels: Record<string, string>): Sample[] {
  return metrics.samples.filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value));
}

function labelsOf(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(LABEL)].map((m) => [m[1]!, m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))]),
  );
}
