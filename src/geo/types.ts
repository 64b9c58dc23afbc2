/**
 * The TypeScript API of geored, mirroring the guide's Python API: camelCase method names, the guide's
 * snake_case JSON fields. `GeographicRedundancy` (src/geo/service.ts) implements it; the REST API
 * (src/api/) is a thin layer over it, so both always mean the same thing.
 */
import type { RoutingStrategy } from '../config/types';
import type { HealthState } from '../model/health-state';

/** POST /api/framework/geographic-redundancy/region — the guide's body, plus optional extras. */
export interface RegionInput {
  name: string;
  trunk_id: string;
  sip_server: string;
  priority: number;
  location?: string;
  capabilities?: string[];
  weight?: number;
  latitude?: number;
  longitude?: number;
  timezone?: string;
  http_check_url?: string;
  request_uri_host?: string;
  source_addresses?: string[];
}

/** A region as registered (GET .../regions/{name}). */
export interface RegionInfo extends Required<
  Pick<RegionInput, 'name' | 'trunk_id' | 'sip_server' | 'priority'>
> {
  location: string | null;
  capabilities: string[];
  weight: number;
  latitude: number | null;
  longitude: number | null;
  timezone: string | null;
  http_check_url: string | null;
  origin: 'config' | 'api';
  health_state: HealthState;
  is_active: boolean;
}

/** One row of GET .../regions — exactly the guide's fields. */
export interface RegionStatus {
  name: string;
  priority: number;
  health_state: HealthState;
  is_active: boolean;
  last_check: string | null;
}

/** GET .../active-region — exactly the guide's fields. */
export interface ActiveRegion {
  name: string;
  trunk_id: string;
  priority: number;
  health_state: HealthState;
  active_since: string;
  /** Beyond the guide: the failover loop's last decision and why (null on a follower, or before the first). */
  last_decision: LoopDecision | null;
}

/** One cycle of the failover loop: what it decided, including to do nothing, and the sentence saying why. */
export interface LoopDecision {
  kind: 'stay' | 'switch' | 'suppress' | 'await-approval' | 'all-down';
  reason: string;
  decided_at: string;
}

export interface ManualFailoverRequest {
  target_region: string;
  reason?: string;
  /** Who asked (the API fills it from the token's name). */
  initiated_by?: string;
  /** Fail over even though the target is not eligible. */
  force?: boolean;
}

export interface FailoverResult {
  success: boolean;
  from_region: string | null;
  to_region: string;
  reason: string;
  occurred_at: string;
}

/** One row of GET .../failover-history: the guide's fields plus the table's initiated_by and duration_ms. */
export interface FailoverRecord {
  from_region: string | null;
  to_region: string;
  reason: string | null;
  automatic: boolean;
  initiated_by: string | null;
  duration_ms: number | null;
  occurred_at: string;
}

export interface CheckStatus {
  method: string;
  success: boolean;
  latency_ms: number | null;
  error: string | null;
  checked_at: string;
}

/** getRegionHealth / GET .../regions/{name}/health. */
export interface RegionHealth {
  region: string;
  state: HealthState;
  reason: string;
  score: number | null;
  last_check: string | null;
  state_since: string | null;
  first_failure_at: string | null;
  healthy_since: string | null;
  registration: 'registered' | 'failed' | 'none' | 'pending';
  simulated_until: string | null;
  checks: CheckStatus[];
  /** Each instance's own view (several with Redis live state; this instance's alone otherwise). */
  views: HealthViewInfo[];
  quorum: QuorumInfo;
}

/** One instance's view of a region: its own probes and calls. */
export interface HealthViewInfo {
  instance: string;
  state: HealthState;
  reason: string;
  checked_at: string | null;
  /** false when stale or without a check yet: it does not count towards the quorum. */
  counted: boolean;
}

/** What the views agree on (src/health/decide-quorum.ts). */
export interface QuorumInfo {
  /** health_check.quorum: majority, a number of instances, or a fraction. */
  setting: 'majority' | number;
  /** Fresh views that must agree; null when none is fresh. */
  required: number | null;
  fresh: number;
  state: HealthState;
  reason: string;
  /** true when the views of several instances decide (Redis live state); false for a single instance. */
  shared: boolean;
}

/** getRegionMetrics — exactly the guide's fields. */
export interface RegionMetrics {
  uptime_percentage: number;
  average_latency_ms: number;
  calls_handled: number;
  failover_count: number;
  last_failover: string | null;
}

/** Probe latency over time: one point per minute with the checks made in it (the panel's charts). */
export interface LatencySeries {
  region: string;
  minutes: number;
  points: { time: string; latency_ms: number | null; checks: number; failures: number }[];
}

/** A recorded event of a region: a health-state change, an all-down episode, a suppressed switch. */
export interface RegionEvent {
  kind: string;
  region: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
  occurred_at: string;
}

export interface HealthCheckSettings {
  interval?: number;
  timeout?: number;
  retry_count?: number;
  check_methods?: string[];
  success_threshold?: number;
  latency_warning_ms?: number;
}

export interface FailoverSettings {
  automatic?: boolean;
  min_failure_duration?: number;
  failover_delay?: number;
}

export interface FailbackSettings {
  enabled?: boolean;
  delay?: number;
  health_threshold?: number;
  automatic?: boolean;
}

export interface ScheduleFailoverRequest {
  target_region: string;
  /** ISO-8601. */
  start_time: string;
  /** Seconds. */
  duration: number;
  reason?: string;
  created_by?: string;
}

export interface ScheduledFailoverInfo {
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

export interface TestFailoverResult {
  from_region: string;
  to_region: string;
  dry_run: boolean;
  ok: boolean;
  reason: string;
  steps: string[];
  checks: Array<{ name: string; ok: boolean; detail: string }>;
}

export interface SimulationInfo {
  region: string;
  until: string;
}

export type TtlStatus = 'pass' | 'warn' | 'fail';

/** What the service tells listeners (logs, metrics, the alerts to come). */
export type GeoEvent =
  | {
      type: 'failover';
      from_region: string | null;
      to_region: string;
      reason: string;
      automatic: boolean;
      at: number;
      /** The failover-history row written for it (as GET /failover-history shows it). */
      record: FailoverRecord | null;
    }
  | { type: 'state'; region: string; from: HealthState; to: HealthState; reason: string; at: number }
  | { type: 'suppressed'; from_region: string | null; wanted_to: string; reason: string; at: number }
  | { type: 'all-down'; keep: string | null; reason: string; at: number }
  | {
      /**
       * A region's database crossed data_replication.lag_alert_seconds (or lag_alert_bytes) behind its
       * publisher (lagging: true), or fell back under both (lagging: false). Once per crossing.
       */
      type: 'replication_lag';
      lagging: boolean;
      publisher: string;
      subscriber: string;
      lag_seconds: number | null;
      lag_bytes: number | null;
      threshold_seconds: number;
      threshold_bytes: number | null;
      reason: string;
      at: number;
    }
  | {
      type: 'failback-pending';
      id: number;
      from_region: string;
      to_region: string;
      reason: string;
      at: number;
    }
  /** A scheduled failover was created, cancelled, started or is over. */
  | {
      type: 'scheduled';
      action: 'created' | 'cancelled' | 'started' | 'completed';
      schedule: ScheduledFailoverInfo;
      at: number;
    }
  /** Settings changed through the API: the patch as given. */
  | { type: 'settings'; changed: Record<string, unknown>; at: number }

  /** A simulated failure (the guide's DR drill) started or ended. */
  | {
      type: 'simulation';
      action: 'started' | 'ended';
      region: string;
      until: string | null;
      reason: string;
      at: number;
    }
  /** A trunk registration's state changed (as live state carries it). */
  | {
      type: 'registration';
      region: string;
      from: string | null;
      to: string;
      reason: string;
      at: number;
    };

/** The routing policy in force after a change (the service answers with it). */
export interface RoutingInForce {
  strategy: RoutingStrategy;
  weights: Record<string, number>;
  time_based: Record<string, string>;
  timezone: string;
}

/** The run-time settings groups: each is changed by a configure_* call and reset to the file's values. */
export type SettingsGroup = 'health_check' | 'failover' | 'failback' | 'routing';

/** Where a setting in force comes from: the config file, the API (until reset), or geored's default. */
export type SettingSource = 'file' | 'api' | 'default';

interface SettingsValues {
  health_check: Required<HealthCheckSettings>;
  failover: Required<FailoverSettings>;
  failback: Required<FailbackSettings>;
  routing: RoutingInForce;
}

/** A group's settings in force (the guide's fields) and, beside them, where each one comes from. */
export type SettingsInForce<G extends SettingsGroup> = SettingsValues[G] & {
  source: { [F in keyof SettingsValues[G]]: SettingSource };
};
