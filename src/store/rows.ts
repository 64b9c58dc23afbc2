/** Database rows → the plain objects the Store returns, one decoder per table. */
import type { HealthState } from '../model/health-state';
import type { Codec, Row } from './db';
import type {
  AlertChannel,
  AlertDeliveryRow,
  AlertDeliveryStatus,
  CallAttempt,
  CallDirection,
  CallRow,
  EventRow,
  FailbackApprovalRow,
  FailbackDecision,
  FailoverRow,
  HealthCheckRow,
  RegionOrigin,
  RegionRow,
  ScheduledFailoverRow,
  ScheduledFailoverStatus,
} from './types';

/**
 * Columns read back, named rather than `*`: PostgreSQL's cached plan for a prepared `SELECT *` breaks when a
 * newer geored sharing the database adds a column, and an older one must keep running through that upgrade.
 */
export const COLUMNS = {
  geo_regions:
    'id, name, trunk_id, sip_server, priority, location, capabilities, health_state, is_active, settings, origin, created_at, updated_at',
  geo_failover_history:
    'id, from_region, to_region, reason, automatic, initiated_by, duration_ms, occurred_at',
  geo_health_checks: 'id, region_name, check_method, success, latency_ms, error_message, checked_at',
  geo_events: 'id, kind, region, reason, details, occurred_at',
  geo_scheduled_failovers:
    'id, target_region, start_time, duration, reason, created_by, status, previous_region, created_at, updated_at',
  geo_failback_approvals:
    'id, from_region, to_region, reason, requested_at, decided_at, decision, decided_by',
  geo_alert_deliveries: 'id, alert_id, event, region, channel, target, status, attempt, error, attempted_at',
  geo_calls:
    'call_id, direction, from_uri, to_uri, attempts, region, started_at, answered_at, ended_at, final_status, ' +
    'routing_reason',
} as const;

const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v == null ? null : String(v));
const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));

export function regionFromRow(r: Row, c: Codec): RegionRow {
  return {
    id: Number(r.id),
    name: str(r.name),
    trunk_id: str(r.trunk_id),
    sip_server: str(r.sip_server),
    priority: Number(r.priority),
    location: strOrNull(r.location),
    capabilities: c.fromTextArray(r.capabilities),
    health_state: strOrNull(r.health_state) as HealthState | null,
    is_active: c.fromBool(r.is_active),
    settings: (c.fromJson(r.settings) ?? {}) as Record<string, unknown>,
    origin: str(r.origin) as RegionOrigin,
    created_at: c.fromTime(r.created_at),
    updated_at: c.fromTime(r.updated_at),
  };
}

export function failoverFromRow(r: Row, c: Codec): FailoverRow {
  return {
    id: Number(r.id),
    from_region: strOrNull(r.from_region),
    to_region: str(r.to_region),
    reason: strOrNull(r.reason),
    automatic: c.fromBool(r.automatic),
    initiated_by: strOrNull(r.initiated_by),
    duration_ms: numOrNull(r.duration_ms),
    occurred_at: c.fromTime(r.occurred_at),
  };
}

export function healthCheckFromRow(r: Row, c: Codec): HealthCheckRow {
  return {
    id: Number(r.id),
    region_name: str(r.region_name),
    check_method: str(r.check_method),
    success: c.fromBool(r.success),
    latency_ms: numOrNull(r.latency_ms),
    error_message: strOrNull(r.error_message),
    checked_at: c.fromTime(r.checked_at),
  };
}

export function eventFromRow(r: Row, c: Codec): EventRow {
  return {
    id: Number(r.id),
    kind: str(r.kind),
    region: strOrNull(r.region),
    reason: strOrNull(r.reason),
    details: c.fromJson(r.details) as Record<string, unknown> | null,
    occurred_at: c.fromTime(r.occurred_at),
  };
}

export function alertDeliveryFromRow(r: Row, c: Codec): AlertDeliveryRow {
  return {
    id: Number(r.id),
    alert_id: str(r.alert_id),
    event: str(r.event),
    region: strOrNull(r.region),
    channel: str(r.channel) as AlertChannel,
    target: str(r.target),
    status: str(r.status) as AlertDeliveryStatus,
    attempt: Number(r.attempt),
    error: strOrNull(r.error),
    attempted_at: c.fromTime(r.attempted_at),
  };
}

export function scheduledFailoverFromRow(r: Row, c: Codec): ScheduledFailoverRow {
  return {
    id: Number(r.id),
    target_region: str(r.target_region),
    start_time: c.fromTime(r.start_time),
    duration: Number(r.duration),
    reason: strOrNull(r.reason),
    created_by: strOrNull(r.created_by),
    status: str(r.status) as ScheduledFailoverStatus,
    previous_region: strOrNull(r.previous_region),
    created_at: c.fromTime(r.created_at),
    updated_at: c.fromTime(r.updated_at),
  };
}

export function failbackApprovalFromRow(r: Row, c: Codec): FailbackApprovalRow {
  return {
    id: Number(r.id),
    from_region: strOrNull(r.from_region),
    to_region: str(r.to_region),
    reason: strOrNull(r.reason),
    requested_at: c.fromTime(r.requested_at),
    decided_at: c.fromTimeOrNull(r.decided_at),
    decision: strOrNull(r.decision) as FailbackDecision | null,
    decided_by: strOrNull(r.decided_by),
  };
}

export function callFromRow(r: Row, c: Codec): CallRow {
  return {
    call_id: str(r.call_id),
    direction: str(r.direction) as CallDirection,
    from_uri: str(r.from_uri),
    to_uri: str(r.to_uri),
    attempts: (c.fromJson(r.attempts) ?? []) as CallAttempt[],
    region: strOrNull(r.region),
    started_at: c.fromTime(r.started_at),
    answered_at: c.fromTimeOrNull(r.answered_at),
    ended_at: c.fromTimeOrNull(r.ended_at),
    final_status: numOrNull(r.final_status),
    routing_reason: strOrNull(r.routing_reason),
  };
}
