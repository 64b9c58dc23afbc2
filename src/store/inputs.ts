/** Store inputs → validated, normalised records (timestamps as ISO text), or a STORE_INVALID_ROW error. */
import { HEALTH_STATES, type HealthState } from '../model/health-state';
import type {
  AlertDeliveryInput,
  CallAttempt,
  CallAttemptInput,
  CallInput,
  CallPatch,
  EventInput,
  FailbackApprovalInput,
  FailoverInput,
  HealthCheckInput,
  RegionInput,
  RegionOrigin,
  ScheduledFailoverInput,
  ScheduledFailoverPatch,
  ScheduledFailoverStatus,
} from './types';
import {
  bool,
  int32,
  invalid,
  jsonValue,
  oneOf,
  optionalInt32,
  optionalText,
  optionalTimestamp,
  plainObject,
  positiveNumber,
  stringList,
  text,
  timestamp,
} from './validate';

/** The lengths of the schema's VARCHAR columns. */
const REGION_NAME = 50;
const PERSON = 100;

export const SCHEDULE_STATUSES: readonly ScheduledFailoverStatus[] = [
  'pending',
  'active',
  'completed',
  'cancelled',
];
const ORIGINS: readonly RegionOrigin[] = ['config', 'api'];
const DIRECTIONS = ['outbound', 'inbound'] as const;
const OUTCOMES = ['answered', 'failed', 'timeout', 'transport-error', 'cancelled'] as const;
const EVENT_KIND = /^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$/;

function object(table: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalid(table, 'record', 'must be an object');
  return v as Record<string, unknown>;
}

function healthState(table: string, v: unknown): HealthState | null {
  return v === null ? null : oneOf(table, 'health_state', v, HEALTH_STATES);
}

function sipStatus(table: string, field: string, v: unknown): number | null {
  const n = optionalInt32(table, field, v, 100);
  if (n !== null && n > 699) throw invalid(table, field, 'must be a SIP status from 100 to 699');
  return n;
}

/** Only the fields given: omitted optional ones keep what is stored. */
export interface RegionRecord {
  name: string;
  trunk_id: string;
  sip_server: string;
  priority: number;
  location?: string | null;
  capabilities?: string[];
  health_state?: HealthState | null;
  is_active?: boolean;
  settings?: Record<string, unknown>;
  origin?: RegionOrigin;
}

export function regionRecord(input: RegionInput): RegionRecord {
  const t = 'geo_regions';
  const r = object(t, input) as Partial<RegionInput>;
  const out: RegionRecord = {
    name: text(t, 'name', r.name, REGION_NAME),
    trunk_id: text(t, 'trunk_id', r.trunk_id, 100),
    sip_server: text(t, 'sip_server', r.sip_server, 255),
    priority: int32(t, 'priority', r.priority),
  };
  if (r.location !== undefined) out.location = optionalText(t, 'location', r.location, 100);
  if (r.capabilities !== undefined) out.capabilities = stringList(t, 'capabilities', r.capabilities);
  if (r.health_state !== undefined) out.health_state = healthState(t, r.health_state);
  if (r.is_active !== undefined) out.is_active = bool(t, 'is_active', r.is_active);
  if (r.settings !== undefined) out.settings = plainObject(t, 'settings', r.settings);
  if (r.origin !== undefined) out.origin = oneOf(t, 'origin', r.origin, ORIGINS);
  return out;
}

export function regionName(table: string, field: string, v: unknown): string {
  return text(table, field, v, REGION_NAME);
}

export function regionHealth(
  state: unknown,
  isActive: unknown,
): { state: HealthState | null; active: boolean } {
  return { state: healthState('geo_regions', state), active: bool('geo_regions', 'is_active', isActive) };
}

export function failoverRecord(input: FailoverInput, now: string) {
  const t = 'geo_failover_history';
  const r = object(t, input) as Partial<FailoverInput>;
  return {
    from_region: optionalText(t, 'from_region', r.from_region, REGION_NAME),
    to_region: text(t, 'to_region', r.to_region, REGION_NAME),
    reason: optionalText(t, 'reason', r.reason),
    automatic: r.automatic === undefined ? true : bool(t, 'automatic', r.automatic),
    initiated_by: optionalText(t, 'initiated_by', r.initiated_by, PERSON),
    duration_ms: optionalInt32(t, 'duration_ms', r.duration_ms, 0),
    occurred_at: r.occurred_at === undefined ? now : timestamp(t, 'occurred_at', r.occurred_at),
  };
}

export function healthCheckRecord(input: HealthCheckInput, now: string) {
  const t = 'geo_health_checks';
  const r = object(t, input) as Partial<HealthCheckInput>;
  return {
    region_name: text(t, 'region_name', r.region_name, REGION_NAME),
    check_method: text(t, 'check_method', r.check_method, 50),
    success: bool(t, 'success', r.success),
    latency_ms: optionalInt32(t, 'latency_ms', r.latency_ms, 0),
    error_message: optionalText(t, 'error_message', r.error_message),
    checked_at: r.checked_at === undefined ? now : timestamp(t, 'checked_at', r.checked_at),
  };
}

export function eventRecord(input: EventInput, now: string) {
  const t = 'geo_events';
  const r = object(t, input) as Partial<EventInput>;
  const kind = text(t, 'kind', r.kind, 50);
  if (!EVENT_KIND.test(kind)) throw invalid(t, 'kind', 'must be lower-case words joined by -, _ or .');
  return {
    kind,
    region: optionalText(t, 'region', r.region, REGION_NAME),
    reason: optionalText(t, 'reason', r.reason),
    details: r.details === undefined || r.details === null ? null : plainObject(t, 'details', r.details),
    occurred_at: r.occurred_at === undefined ? now : timestamp(t, 'occurred_at', r.occurred_at),
  };
}

const ALERT_CHANNELS = ['email', 'sms', 'webhook', 'pagerduty'] as const;
const ALERT_STATUSES = ['sent', 'failed', 'retrying', 'dry_run'] as const;

export function alertDeliveryRecord(input: AlertDeliveryInput, now: string) {
  const t = 'geo_alert_deliveries';
  const r = object(t, input) as Partial<AlertDeliveryInput>;
  return {
    alert_id: text(t, 'alert_id', r.alert_id, 100),
    event: text(t, 'event', r.event, 50),
    region: optionalText(t, 'region', r.region, REGION_NAME),
    channel: oneOf(t, 'channel', r.channel, ALERT_CHANNELS),
    target: text(t, 'target', r.target),
    status: oneOf(t, 'status', r.status, ALERT_STATUSES),
    attempt: int32(t, 'attempt', r.attempt, 1),
    error: optionalText(t, 'error', r.error),
    attempted_at: r.attempted_at === undefined ? now : timestamp(t, 'attempted_at', r.attempted_at),
  };
}

export function scheduledFailoverRecord(input: ScheduledFailoverInput) {
  const t = 'geo_scheduled_failovers';
  const r = object(t, input) as Partial<ScheduledFailoverInput>;
  return {
    target_region: text(t, 'target_region', r.target_region, REGION_NAME),
    start_time: timestamp(t, 'start_time', r.start_time),
    duration: positiveNumber(t, 'duration', r.duration),
    reason: optionalText(t, 'reason', r.reason),
    created_by: optionalText(t, 'created_by', r.created_by, PERSON),
  };
}

/** The columns a patch sets, in a stable order so the SQL text (and its prepared statement) repeats. */
export function scheduledFailoverPatch(patch: ScheduledFailoverPatch): [string, unknown][] {
  const t = 'geo_scheduled_failovers';
  const p = object(t, patch) as Partial<ScheduledFailoverPatch>;
  const set: [string, unknown][] = [];
  if (p.status !== undefined) set.push(['status', oneOf(t, 'status', p.status, SCHEDULE_STATUSES)]);
  if (p.previous_region !== undefined) {
    set.push(['previous_region', optionalText(t, 'previous_region', p.previous_region, REGION_NAME)]);
  }
  if (p.start_time !== undefined) set.push(['start_time', timestamp(t, 'start_time', p.start_time)]);
  if (p.duration !== undefined) set.push(['duration', positiveNumber(t, 'duration', p.duration)]);
  if (p.reason !== undefined) set.push(['reason', optionalText(t, 'reason', p.reason)]);
  return set;
}

export function failbackApprovalRecord(input: FailbackApprovalInput, now: string) {
  const t = 'geo_failback_approvals';
  const r = object(t, input) as Partial<FailbackApprovalInput>;
  return {
    from_region: optionalText(t, 'from_region', r.from_region, REGION_NAME),
    to_region: text(t, 'to_region', r.to_region, REGION_NAME),
    reason: optionalText(t, 'reason', r.reason),
    requested_at: r.requested_at === undefined ? now : timestamp(t, 'requested_at', r.requested_at),
  };
}

export function decidedBy(v: unknown): string | null {
  return optionalText('geo_failback_approvals', 'decided_by', v, PERSON);
}

function attempts(table: string, v: unknown): CallAttempt[] {
  if (!Array.isArray(v)) throw invalid(table, 'attempts', 'must be an array');
  return v.map((item: unknown, i) => {
    const field = `attempts[${i}]`;
    const a = object(table, item) as Partial<CallAttemptInput>;
    return {
      region: text(table, `${field}.region`, a.region, REGION_NAME),
      status: sipStatus(table, `${field}.status`, a.status),
      reason: optionalText(table, `${field}.reason`, a.reason),
      outcome: oneOf(table, `${field}.outcome`, a.outcome, OUTCOMES),
      started_at: timestamp(table, `${field}.started_at`, a.started_at),
      ended_at: optionalTimestamp(table, `${field}.ended_at`, a.ended_at),
    };
  });
}

export function callRecord(input: CallInput) {
  const t = 'geo_calls';
  const r = object(t, input) as Partial<CallInput>;
  const record = {
    call_id: text(t, 'call_id', r.call_id, 255),
    direction: oneOf(t, 'direction', r.direction, DIRECTIONS),
    from_uri: text(t, 'from_uri', r.from_uri),
    to_uri: text(t, 'to_uri', r.to_uri),
    attempts: r.attempts === undefined ? [] : attempts(t, r.attempts),
    region: optionalText(t, 'region', r.region, REGION_NAME),
    started_at: timestamp(t, 'started_at', r.started_at),
    answered_at: optionalTimestamp(t, 'answered_at', r.answered_at),
    ended_at: optionalTimestamp(t, 'ended_at', r.ended_at),
    final_status: sipStatus(t, 'final_status', r.final_status),
    routing_reason: optionalText(t, 'routing_reason', r.routing_reason),
  };
  jsonValue(t, 'attempts', record.attempts);
  return record;
}

/** The columns a patch sets, in a stable order; attempts still as objects (the codec encodes them). */
export function callPatch(patch: CallPatch): [string, unknown][] {
  const t = 'geo_calls';
  const p = object(t, patch) as Partial<CallPatch>;
  const set: [string, unknown][] = [];
  if (p.attempts !== undefined) set.push(['attempts', attempts(t, p.attempts)]);
  if (p.region !== undefined) set.push(['region', optionalText(t, 'region', p.region, REGION_NAME)]);
  if (p.answered_at !== undefined)
    set.push(['answered_at', optionalTimestamp(t, 'answered_at', p.answered_at)]);
  if (p.ended_at !== undefined) set.push(['ended_at', optionalTimestamp(t, 'ended_at', p.ended_at)]);
  if (p.final_status !== undefined) set.push(['final_status', sipStatus(t, 'final_status', p.final_status)]);
  return set;
}

export function kvKey(v: unknown): string {
  return text('geo_kv', 'key', v, 100);
}
