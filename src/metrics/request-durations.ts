import type { Histogram } from 'prom-client';

type Child = ReturnType<Histogram<'method' | 'route' | 'status'>['labels']>;

/**
 * The request-duration histogram on the hot path: prom-client's `observe(labels, value)` hashes the
 * label object on every call, so each (method, route, status) child is looked up once and kept in
 * nested maps; after the first request of a kind an observation allocates nothing. Routes are
 * templates and statuses a few dozen, so the maps stay small.
 */
export class RequestDurations {
  private readonly children = new Map<string, Map<string, Map<number, Child>>>();

  constructor(private readonly histogram: Histogram<'method' | 'route' | 'status'>) {}

  observe(method: string, route: string, status: number, seconds: number): void {
    let byRoute = this.children.get(method);
    if (!byRoute) this.children.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let child = byStatus.get(status);
    if (!child) byStatus.set(status, (child = this.histogram.labels(method, route, String(status))));
    child.observe(seconds);
  }
}
