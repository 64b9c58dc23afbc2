/**
 * The panel's only way to geored: the public REST API with `Authorization: Bearer`. The token lives in
 * this tab's sessionStorage (never a cookie, so no cross-site request can carry it; never a URL).
 */
export const GEO = '/api/framework/geographic-redundancy';
const KEY = 'geored.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const token = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (t: string): void => sessionStorage.setItem(KEY, t),
  clear: (): void => sessionStorage.removeItem(KEY),
};

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const t = token.get();
  const res = await fetch(path.startsWith('/api/') ? path : `${GEO}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(t ? { authorization: `Bearer ${t}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, e?.field);
  }
  return json as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body);
export const post = <T>(path: string, body: unknown) => request<T>('POST', path, body);
export const del = <T>(path: string) => request<T>('DELETE', path);

export type HealthState = 'healthy' | 'warning' | 'critical' | 'down' | 'degraded';

export interface RegionStatus {
  name: string;
  priority: number;
  health_state: HealthState;
  is_active: boolean;
  last_check: string | null;
}
export interface ActiveRegion {
  name: string;
  trunk_id: string;
  priority: number;
  health_state: HealthState;
  active_since: string;
}
export interface CheckStatus {
  method: string;
  success: boolean;
  latency_ms: number | null;
  error: string | null;
  checked_at: string;
}
export interface RegionHealth {
  region: string;
  state: HealthState;
  reason: string;
  score: number | null;
  last_check: string | null;
  state_since: string | null;
  registration: 'registered' | 'failed' | 'none' | 'pending';
  simulated_until: string | null;
  checks: CheckStatus[];
}
export interface RegionMetrics {
  uptime_percentage: number;
  average_latency_ms: number;
  calls_handled: number;
  failover_count: number;
  last_failover: string | null;
}
export interface LatencySeries {
  region: string;
  points: { time: string; latency_ms: number | null; checks: number; failures: number }[];
}
export interface FailoverRecord {
  from_region: string | null;
  to_region: string;
  reason: string | null;
  automatic: boolean;
  initiated_by: string | null;
  duration_ms: number | null;
  occurred_at: string;
}
export interface RegionEvent {
  kind: string;
  region: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
  occurred_at: string;
}
export interface HealthCheckSettings {
  interval: number;
  timeout: number;
  retry_count: number;
  check_methods: string[];
  success_threshold: number;
  latency_warning_ms: number;
}
export interface ScheduledFailover {
  id: number;
  target_region: string;
  start_time: string;
  duration: number;
  reason: string | null;
  status: 'pending' | 'active' | 'completed' | 'cancelled';
  created_by: string | null;
}
export interface PendingFailback {
  id: number;
  from_region: string;
  to_region: string;
  reason: string;
  requested_at: string;
}
export interface CallRecord {
  call_id: string;
  direction: 'outbound' | 'inbound';
  from_uri: string;
  to_uri: string;
  attempts: { region: string; status: number | null; reason: string | null; outcome: string }[];
  region: string | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  final_status: number | null;
  routing_reason: string | null;
}
export type Fault = 'none' | 'blackhole' | 'error-503' | 'slow' | 'refuse-registration';
export interface DemoState {
  regions: { name: string; fault: Fault }[];
  calls: { placed: number; answered: number; failed: number; in_progress: number };
}

/** GET .../replication/status (src/replication/replicator.ts ReplicationStatus). */
export interface ReplicationStatus {
  enabled: boolean;
  active_region: string | null;
  reason: string;
  sync_interval: number;
  last_verification: string | null;
  regions: Array<{
    region: string;
    role: string;
    jurisdiction: string | null;
    reachable: boolean;
    error: string | null;
  }>;
  tables: Array<{
    publisher: string;
    region: string;
    table: string;
    state: string;
    lag_bytes: number | null;
    lag_seconds: number | null;
    last_verified: string | null;
    realtime: boolean;
    restrictions: string[];
  }>;
  refusals: Array<{ table: string; region: string; why: string }>;
  waiting: Array<{ table: string; why: string }>;
}
