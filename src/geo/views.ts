/** Store rows and live records in the API's shapes (src/geo/types.ts): the guide's snake_case JSON. */
import type { RegionConfig } from '../config/types';
import type { RegionLive } from '../live/types';
import { HealthState } from '../model/health-state';
import type { FailbackApprovalRow, FailoverRow, ScheduledFailoverRow } from '../store/types';
import type { FailoverRecord, PendingFailback, RegionInfo, ScheduledFailoverInfo } from './types';

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
