/**
 * Every route of the API, with who may call it and a request that, once past authentication, gets a
 * known answer without changing anything (invalid bodies, unknown ids). The auth matrix runs each one;
 * the OpenAPI test checks that this list and the document name the same routes.
 */
import { P } from './harness';

export interface RouteCase {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as the OpenAPI document writes it. */
  readonly path: string;
  /** A concrete URL for it. */
  readonly url: string;
  readonly access: 'public' | 'read' | 'admin';
  readonly body?: unknown;
  /** The status once authenticated with an admin token. */
  readonly status: number;
}

const geo = (
  method: RouteCase['method'],
  path: string,
  access: RouteCase['access'],
  status: number,
  extra: Partial<RouteCase> = {},
): RouteCase => ({
  method,
  path: `${P}${path}`,
  url: `${P}${extra.url ?? path}`,
  access,
  status,
  ...(extra.body !== undefined ? { body: extra.body } : {}),
});

export const ROUTES: readonly RouteCase[] = [
  geo('POST', '/region', 'admin', 400, { body: {} }),
  geo('GET', '/regions', 'read', 200),
  geo('GET', '/active-region', 'read', 200),
  geo('GET', '/failover-decision', 'read', 200),
  geo('GET', '/regions/{name}', 'read', 200, { url: '/regions/us-east-1' }),
  geo('PATCH', '/regions/{name}', 'admin', 400, { url: '/regions/us-east-1', body: {} }),
  geo('DELETE', '/regions/{name}', 'admin', 404, { url: '/regions/mars-1' }),
  geo('GET', '/regions/{name}/health', 'read', 200, { url: '/regions/us-east-1/health' }),
  geo('GET', '/regions/{name}/metrics', 'read', 200, { url: '/regions/us-east-1/metrics' }),
  geo('GET', '/regions/{name}/latency', 'read', 200, { url: '/regions/us-east-1/latency?minutes=60' }),
  geo('GET', '/regions/{name}/events', 'read', 200, { url: '/regions/us-east-1/events?limit=5' }),
  geo('POST', '/regions/{name}/checks/{check}', 'admin', 400, {
    url: '/regions/us-east-1/checks/pushed',
    body: {},
  }),
  geo('POST', '/failover', 'admin', 400, { body: {} }),
  geo('GET', '/failover-history', 'read', 200),
  geo('POST', '/simulate-failure', 'admin', 400, { body: {} }),
  geo('POST', '/end-simulation', 'admin', 404, { body: { region: 'mars-1' } }),
  geo('POST', '/test-failover', 'admin', 400, { body: {} }),
  geo('GET', '/scheduled-failovers', 'read', 200),
  geo('POST', '/scheduled-failovers', 'admin', 400, { body: {} }),
  geo('DELETE', '/scheduled-failovers/{id}', 'admin', 404, { url: '/scheduled-failovers/999' }),
  geo('GET', '/failback/pending', 'read', 200),
  geo('POST', '/failback/{id}/approve', 'admin', 404, { url: '/failback/999/approve' }),
  geo('POST', '/failback/{id}/reject', 'admin', 404, { url: '/failback/999/reject' }),
  geo('GET', '/health-check', 'read', 200),
  geo('PUT', '/health-check', 'admin', 400, { body: {} }),
  geo('DELETE', '/health-check', 'admin', 400, { url: '/health-check?fields=bogus' }),
  geo('GET', '/failover-config', 'read', 200),
  geo('PUT', '/failover-config', 'admin', 400, { body: {} }),
  geo('DELETE', '/failover-config', 'admin', 400, { url: '/failover-config?fields=bogus' }),
  geo('GET', '/failback-config', 'read', 200),
  geo('PUT', '/failback-config', 'admin', 400, { body: {} }),
  geo('DELETE', '/failback-config', 'admin', 400, { url: '/failback-config?fields=bogus' }),
  geo('GET', '/routing', 'read', 200),
  geo('DELETE', '/routing', 'admin', 400, { url: '/routing?fields=bogus' }),
  geo('PUT', '/load-balancing', 'admin', 400, { body: {} }),
  geo('PUT', '/time-based-routing', 'admin', 400, { body: {} }),
  geo('GET', '/alerts', 'read', 200),
  geo('PUT', '/alerts', 'admin', 400, { body: { email: 'not-a-list' } }),
  geo('DELETE', '/alerts', 'admin', 400, { url: '/alerts?fields=bogus' }),
  // No channel configured: nothing is sent and the answer is an empty list.
  geo('POST', '/alerts/test', 'admin', 200),
  geo('GET', '/alerts/deliveries', 'read', 200),
  geo('PUT', '/data-replication', 'admin', 400, { body: { data_types: [] } }),
  geo('PUT', '/cdr-replication', 'admin', 400, { body: {} }),
  geo('PUT', '/regions/{name}/data-residency', 'admin', 400, {
    url: '/regions/us-east-1/data-residency',
    body: {},
  }),
  geo('PUT', '/regions/{name}/gdpr', 'admin', 400, { url: '/regions/us-east-1/gdpr', body: { x: 1 } }),
  geo('GET', '/replication/status', 'read', 200),
  geo('POST', '/gdpr/consent', 'admin', 400, { body: {} }),
  geo('POST', '/gdpr/erasure', 'admin', 400, { body: {} }),
  geo('GET', '/gdpr/export', 'admin', 400),
  geo('GET', '/gdpr/policy-changes', 'read', 200),
  { method: 'GET', path: '/api/calls', url: '/api/calls', access: 'read', status: 200 },
  { method: 'GET', path: '/metrics', url: '/metrics', access: 'read', status: 200 },
  { method: 'GET', path: '/healthz', url: '/healthz', access: 'public', status: 200 },
  { method: 'GET', path: '/readyz', url: '/readyz', access: 'public', status: 200 },
  { method: 'GET', path: '/api/openapi.json', url: '/api/openapi.json', access: 'public', status: 200 },
];
