/** Store rows and live records in the API's shapes (src/geo/types.ts): the guide's snake_case JSON. */
import type { RegionConfig } from '../config/types';
import type { RegionLive } from '../live/types';
import { HealthState } from '../model/health-state';
import type { FailbackApprovalRow, FailoverRow, HealthCheckRow, ScheduledFailoverRow } from '../store/types';
import type {
  FailoverRecord,
  LatencySeries,
  PendingFailback,
  RegionInfo,
  ScheduledFailoverInfo,
} from './types';

export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export function failoverRecord(row: FailoverRow): FailoverRecord {
  return {
    from_region: row.from_region,
    to_region: row.to_region,
    reason: row.reason,
    automatic: row.automatic,
    initiated_by: row.initiated_by,
    duration_ms: row.duration_ms,
    occurred_at: row.occurred_at,
  };
}

export function scheduledInfo(row: ScheduledFailoverRow): ScheduledFailoverInfo {
  return {
    id: row.id,
    target_region: row.target_region,
    start_time: row.start_time,
    duration: row.duration,
    reason: row.reason,
    status: row.status,
    created_by: row.created_by,
  };
}

export function pendingFailback(row: FailbackApprovalRow): PendingFailback {
  return {
    id: row.id,
    from_region: row.from_region ?? '',
    to_region: row.to_region,
    reason: row.reason ?? '',
    requested_at: row.requested_at,
  };
}

/** The guide's columns of a region: what geo_regions stores as columns and what the API shows first. */
export function guideColumns(
  region: RegionConfig,
): Pick<RegionInfo, 'name' | 'trunk_id' | 'sip_server' | 'priority' | 'location' | 'capabilities'> {
  return {
    name: region.name,
    trunk_id: region.trunk_id,
    sip_server: region.sip_server,
    priority: region.priority,
    location: region.location ?? null,
    capabilities: [...region.capabilities],
  };
}

export function regionInfo(
  region: RegionConfig,
  origin: 'config' | 'api',
  live: RegionLive | null,
  active: string | null,
): RegionInfo {
  return {
    ...guideColumns(region),
    weight: region.weight,
    latitude: region.latitude ?? null,
    longitude: region.longitude ?? null,
    timezone: region.timezone ?? null,
    http_check_url: region.http_check_url ?? null,
    origin,
    health_state: live?.state ?? HealthState.HEALTHY,
    is_active: region.name === active,
  };
}

/** Health-check rows (any order) as one point per minute, oldest first; a minute without checks is absent. */
export function latencyPoints(
  rows: readonly Pick<HealthCheckRow, 'checked_at' | 'latency_ms' | 'success'>[],
  now: number,
  minutes: number,
): LatencySeries['points'] {
  const start = now - minutes * 60_000;
  const buckets = new Map<number, { sum: number; n: number; checks: number; failures: number }>();
  for (const r of rows) {
    const t = Date.parse(r.checked_at);
    if (!(t >= start)) continue;
    const minute = Math.floor(t / 60_000) * 60_000;
    const b = buckets.get(minute) ?? { sum: 0, n: 0, checks: 0, failures: 0 };
    b.checks++;
    if (!r.success) b.failures++;
    else if (r.latency_ms !== null) {
      b.sum += r.latency_ms;
      b.n++;
    }
    buckets.set(minute, b);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([minute, b]) => ({
      time: new Date(minute).toISOString(),
      latency_ms: b.n === 0 ? null : Math.round((b.sum / b.n) * 100) / 100,
      checks: b.checks,
      failures: b.failures,
    }));
}
