/**
 * The records store: what geored writes down so that a restart loses nothing (history, regions added at
 * run time, scheduled failovers, pending failback approvals, call records, settings changed through the
 * API). Rows are plain objects with the guide's snake_case fields; every timestamp in a result is an
 * ISO-8601 string in UTC ending in `Z`. Inputs take an ISO string or a Date.
 */
import type { HealthState } from '../model/health-state';

export type Timestamp = string | Date;
export type RegionOrigin = 'config' | 'api';

export interface RegionRow {
  readonly id: number;
  readonly name: string;
  readonly trunk_id: string;
  readonly sip_server: string;
  readonly priority: number;
  readonly location: string | null;
  readonly capabilities: string[];
  readonly health_state: HealthState | null;
  readonly is_active: boolean;
  /** The rest of a region's configuration (weight, latitude, longitude, timezone, http_check_url, …). */
  readonly settings: Record<string, unknown>;
  /** 'api' for regions added at run time, which must come back after a restart. */
  readonly origin: RegionOrigin;
  readonly created_at: string;
  readonly updated_at: string;
}

/**
 * On update, omitted optional fields keep what is stored; a new region gets location null, capabilities [],
 * health_state null, is_active false, settings {} and origin 'config'.
 */
export interface RegionInput {
  readonly name: string;
  readonly trunk_id: string;
  readonly sip_server: string;
  readonly priority: number;
  readonly location?: string | null;
  readonly capabilities?: readonly string[];
  readonly health_state?: HealthState | null;
  readonly is_active?: boolean;
  readonly settings?: Record<string, unknown>;
  readonly origin?: RegionOrigin;
}

export interface FailoverRow {
  readonly id: number;
  readonly from_region: string | null;
  readonly to_region: string;
  readonly reason: string | null;
  readonly automatic: boolean;
  readonly initiated_by: string | null;
  /** From the first failed check to the switch. */
  readonly duration_ms: number | null;
  readonly occurred_at: string;
}

export interface FailoverInput {
  readonly from_region?: string | null;
  readonly to_region: string;
  readonly reason?: string | null;
  readonly automatic?: boolean;
  readonly initiated_by?: string | null;
  readonly duration_ms?: number | null;
  readonly occurred_at?: Timestamp;
}

export interface HealthCheckRow {
  readonly id: number;
  readonly region_name: string;
  readonly check_method: string;
  readonly success: boolean;
  readonly latency_ms: number | null;
  readonly error_message: string | null;
  readonly checked_at: string;
}

export interface HealthCheckInput {
  readonly region_name: string;
  readonly check_method: string;
  readonly success: boolean;
  readonly latency_ms?: number | null;
  readonly error_message?: string | null;
  readonly checked_at?: Timestamp;
}

export interface HealthStats {
  readonly total: number;
  readonly successes: number;
  /** Mean latency of the successful checks that measured one; null when there are none. */
  readonly avg_latency_ms: number | null;
}

/** Decisions that are not switches: a suppressed switch, all regions down, a failback awaiting approval… */
export interface EventRow {
  readonly id: number;
  readonly kind: string;
  readonly region: string | null;
  readonly reason: string | null;
  readonly details: Record<string, unknown> | null;
  readonly occurred_at: string;
}

export interface EventInput {
  /** Lower-case words joined by `-`, `_` or `.`, e.g. 'switch-suppressed', 'all-regions-down'. */
  readonly kind: string;
  readonly region?: string | null;
  readonly reason?: string | null;
  readonly details?: Record<string, unknown> | null;
  readonly occurred_at?: Timestamp;
}

export type ScheduledFailoverStatus = 'pending' | 'active' | 'completed' | 'cancelled';

export interface ScheduledFailoverRow {
  readonly id: number;
  readonly target_region: string;
  readonly start_time: string;
  /** Seconds, may be fractional. */
  readonly duration: number;
  readonly reason: string | null;
  readonly created_by: string | null;
  readonly status: ScheduledFailoverStatus;
  /** The region that was active when the window started, so the end can return to it. */
  readonly previous_region: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface ScheduledFailoverInput {
  readonly target_region: string;
  readonly start_time: Timestamp;
  readonly duration: number;
  readonly reason?: string | null;
  readonly created_by?: string | null;
}

export interface ScheduledFailoverPatch {
  readonly status?: ScheduledFailoverStatus;
  readonly previous_region?: string | null;
  readonly start_time?: Timestamp;
  readonly duration?: number;
  readonly reason?: string | null;
}

export type FailbackDecision = 'approved' | 'rejected';

export interface FailbackApprovalRow {
  readonly id: number;
  readonly from_region: string | null;
  readonly to_region: string;
  readonly reason: string | null;
  readonly requested_at: string;
  readonly decided_at: string | null;
  readonly decision: FailbackDecision | null;
  readonly decided_by: string | null;
}

export interface FailbackApprovalInput {
  readonly from_region?: string | null;
  readonly to_region: string;
  readonly reason?: string | null;
  readonly requested_at?: Timestamp;
}

export type CallDirection = 'outbound' | 'inbound';
export type CallAttemptOutcome = 'answered' | 'failed' | 'timeout' | 'transport-error' | 'cancelled';

/** One region tried for a call; status is the SIP final status, null when none came (timeout, transport). */
export interface CallAttempt {
  readonly region: string;
  readonly status: number | null;
  readonly reason: string | null;
  readonly outcome: CallAttemptOutcome;
  readonly started_at: string;
  readonly ended_at: string | null;
}

export interface CallAttemptInput {
  readonly region: string;
  readonly status?: number | null;
  readonly reason?: string | null;
  readonly outcome: CallAttemptOutcome;
  readonly started_at: Timestamp;
  readonly ended_at?: Timestamp | null;
}

export interface CallRow {
  readonly call_id: string;
  readonly direction: CallDirection;
  readonly from_uri: string;
  readonly to_uri: string;
  readonly attempts: CallAttempt[];
  /** The region that carried the call; null when none did. */
  readonly region: string | null;
  readonly started_at: string;
  readonly answered_at: string | null;
  readonly ended_at: string | null;
  readonly final_status: number | null;
  /** Why the call was routed as it was (the routing decision's sentence); null for inbound calls. */
  readonly routing_reason: string | null;
}

export interface CallInput {
  readonly call_id: string;
  readonly direction: CallDirection;
  readonly from_uri: string;
  readonly to_uri: string;
  readonly attempts?: readonly CallAttemptInput[];
  readonly region?: string | null;
  readonly started_at: Timestamp;
  readonly answered_at?: Timestamp | null;
  readonly ended_at?: Timestamp | null;
  readonly final_status?: number | null;
  readonly routing_reason?: string | null;
}

/** What the call-record journal holds (src/store/call-journal.ts): a whole record, or a call's end. */
export type CallJournalEntry =
  { readonly row: CallInput } | { readonly end: { readonly call_id: string; readonly ended_at: Timestamp } };

/** Where call records wait for the store, safe from a kill of the process (FileCallJournal). */
export interface CallJournal {
  /** Adds the entries at the end; the bytes are the kernel's when it returns. */
  append(entries: readonly CallJournalEntry[]): void;
  /** Leaves exactly these entries in the journal, atomically. */
  replace(entries: readonly CallJournalEntry[]): void;
  /** What an earlier process left, in order, and how many lines could not be read. */
  recover(): { entries: CallJournalEntry[]; unreadable: number };
  close(): void;
}

export interface CallPatch {
  readonly attempts?: readonly CallAttemptInput[];
  readonly region?: string | null;
  readonly answered_at?: Timestamp | null;
  readonly ended_at?: Timestamp | null;
  readonly final_status?: number | null;
}

export interface RetentionLimits {
  /** Keep at most this many rows, the newest written. */
  readonly maxRows?: number;
  /** Delete rows older than this many days before `now`. */
  readonly maxAgeDays?: number;
  readonly now?: Timestamp;
}

/** One PBX binding at geored's registrar (geo_pbx_bindings). */
export interface PbxBindingRow {
  readonly uri: string;
  readonly protocol: 'udp' | 'tcp' | 'tls';
  readonly address: string;
  readonly port: number;
  readonly call_id: string;
  readonly cseq: number;
  /** ISO 8601. */
  readonly expires_at: string;
  readonly registered_at: string;
}

/** A simulated failure in force (simulate_failure), kept so a restart restores it. */
export interface SimulationRow {
  readonly region: string;
  /** ISO 8601: when the simulation ends on its own. */
  readonly until: string;
  readonly started_at: string;
}

export type AlertChannel = 'email' | 'sms' | 'webhook' | 'pagerduty';
export type AlertDeliveryStatus = 'sent' | 'failed' | 'retrying' | 'dry_run';

/** One delivery attempt of one alert to one target (geo_alert_deliveries). */
export interface AlertDeliveryInput {
  readonly alert_id: string;
  readonly event: string;
  readonly region?: string | null;
  readonly channel: AlertChannel;
  readonly target: string;
  readonly status: AlertDeliveryStatus;
  readonly attempt: number;
  readonly error?: string | null;
  readonly attempted_at?: Timestamp;
}

export interface AlertDeliveryRow {
  readonly id: number;
  readonly alert_id: string;
  readonly event: string;
  readonly region: string | null;
  readonly channel: AlertChannel;
  readonly target: string;
  readonly status: AlertDeliveryStatus;
  readonly attempt: number;
  readonly error: string | null;
  readonly attempted_at: string;
}

export interface Store {
  /** 'sqlite' or 'postgres'. */
  readonly dialect: 'sqlite' | 'postgres';
  /** The store URL with any password replaced by `***`: safe to log. */
  readonly url: string;
  /** The SQLite database file, when the store is one on disk (its call-record journal goes beside it). */
  readonly file: string | null;
  /** The highest migration applied. */
  schemaVersion(): Promise<number>;

  /** Insert or update by name; returns the stored row. */
  upsertRegion(region: RegionInput): Promise<RegionRow>;
  getRegion(name: string): Promise<RegionRow | null>;
  /** Ordered by priority, then name. */
  listRegions(): Promise<RegionRow[]>;
  /** False when there was no such region. */
  deleteRegion(name: string): Promise<boolean>;
  /** False when there is no such region. */
  setRegionHealth(name: string, state: HealthState | null, is_active: boolean): Promise<boolean>;

  recordFailover(row: FailoverInput): Promise<FailoverRow>;
  /** Newest first; `region` matches either end of the switch. */
  listFailovers(opts: { limit: number; region?: string; since?: Timestamp }): Promise<FailoverRow[]>;
  lastFailover(region?: string): Promise<FailoverRow | null>;
  countFailovers(region?: string, since?: Timestamp): Promise<number>;

  /** All rows in one transaction; returns how many were written. */
  recordHealthChecks(rows: readonly HealthCheckInput[]): Promise<number>;
  /** Newest first. */
  listHealthChecks(opts: { region?: string; since?: Timestamp; limit: number }): Promise<HealthCheckRow[]>;
  healthStats(region: string, since: Timestamp): Promise<HealthStats>;
  /** Returns how many rows were deleted. */
  pruneHealthChecks(limits: RetentionLimits): Promise<number>;

  recordEvent(event: EventInput): Promise<EventRow>;
  /** Newest first. */
  listEvents(opts: { kind?: string; region?: string; since?: Timestamp; limit: number }): Promise<EventRow[]>;
  pruneEvents(limits: RetentionLimits): Promise<number>;

  createScheduledFailover(input: ScheduledFailoverInput): Promise<ScheduledFailoverRow>;
  /** Ordered by start_time, then id. */
  listScheduledFailovers(opts?: { status?: ScheduledFailoverStatus }): Promise<ScheduledFailoverRow[]>;
  /**
   * Status moves pending → active | completed | cancelled and active → completed | cancelled; anything
   * else (including leaving completed or cancelled) is STORE_SCHEDULED_FAILOVER_TRANSITION.
   */
  updateScheduledFailover(id: number, patch: ScheduledFailoverPatch): Promise<ScheduledFailoverRow>;

  createFailbackApproval(input: FailbackApprovalInput): Promise<FailbackApprovalRow>;
  /** Newest first; `pending: true` only undecided ones, `false` only decided ones. */
  listFailbackApprovals(opts?: { pending?: boolean }): Promise<FailbackApprovalRow[]>;
  /** Decides once; a second decision is STORE_FAILBACK_APPROVAL_DECIDED. */
  decideFailbackApproval(
    id: number,
    decision: FailbackDecision,
    by: string | null,
    at?: Timestamp,
  ): Promise<FailbackApprovalRow>;

  /**
   * Many calls in one transaction. A call_id already stored is replaced (the proxy may write a call again
   * once it ends); within one batch the last row for a call_id wins. Returns how many were written.
   */
  recordCalls(batch: readonly CallInput[]): Promise<number>;
  /** False when no call has this call_id. */
  updateCall(call_id: string, patch: CallPatch): Promise<boolean>;
  /** Sets ended_at of each call in one transaction; returns how many rows it changed. */
  endCalls(ends: readonly { call_id: string; ended_at: Timestamp }[]): Promise<number>;
  /** Newest first by started_at; since/until bound started_at (since inclusive, until exclusive). */
  listCalls(opts: {
    region?: string;
    since?: Timestamp;
    until?: Timestamp;
    status?: number;
    limit: number;
  }): Promise<CallRow[]>;
  /** Calls carried by `region` (all calls when omitted), since `since` when given. */
  countCalls(region?: string, since?: Timestamp): Promise<number>;
  pruneCalls(limits: RetentionLimits): Promise<number>;
  /** Calls whose From or To URI has `user` as its user part (GDPR export), newest first. */
  callsOfParty(user: string, limit: number): Promise<CallRow[]>;
  /** Replaces the user part `user` with `pseudonym` in From and To (GDPR erasure); returns the rows changed. */
  pseudonymiseCallParty(user: string, pseudonym: string): Promise<number>;

  recordAlertDelivery(input: AlertDeliveryInput): Promise<AlertDeliveryRow>;
  /** Newest first. */
  listAlertDeliveries(opts: { limit: number; alert_id?: string }): Promise<AlertDeliveryRow[]>;

  kvGet<T = unknown>(key: string): Promise<T | undefined>;
  kvSet(key: string, value: unknown): Promise<void>;
  /** The PBX's registrar bindings: all replaced at once (they change together, per REGISTER). */
  replacePbxBindings(rows: readonly PbxBindingRow[]): Promise<void>;
  /** Bindings still live at `now` (expired ones are left out and deleted). */
  listPbxBindings(now: Timestamp): Promise<PbxBindingRow[]>;
  kvDelete(key: string): Promise<boolean>;
  /** Starts (or replaces) the simulated failure of `region` until `until`; null ends it. */
  setSimulation(region: string, until: Timestamp | null): Promise<void>;
  /** Every simulation stored, ended ones included (the caller drops those), by region. */
  listSimulations(): Promise<SimulationRow[]>;

  /** Waits for work in progress, then closes; later calls fail with STORE_CLOSED. */
  close(): Promise<void>;
}
