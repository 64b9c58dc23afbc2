/**
 * The Store on top of either database: one body of SQL, written in the subset SQLite and PostgreSQL share
 * (ON CONFLICT … DO UPDATE, RETURNING, CAST(… AS INTEGER)), with values passed through the dialect's codec.
 */
import { GeoredError, errorFactory } from '../errors/catalogue';
import { STORE_ERRORS } from '../errors/store';
import type { HealthState } from '../model/health-state';
import type { Db, DbHandle, Row } from './db';
import {
  alertDeliveryRecord,
  callPatch,
  callRecord,
  decidedBy,
  eventRecord,
  failbackApprovalRecord,
  failoverRecord,
  healthCheckRecord,
  kvKey,
  regionHealth,
  regionName,
  regionRecord,
  scheduledFailoverPatch,
  scheduledFailoverRecord,
  SCHEDULE_STATUSES,
} from './inputs';
import {
  COLUMNS,
  alertDeliveryFromRow,
  callFromRow,
  eventFromRow,
  failbackApprovalFromRow,
  failoverFromRow,
  healthCheckFromRow,
  regionFromRow,
  scheduledFailoverFromRow,
} from './rows';
import type {
  AlertDeliveryInput,
  AlertDeliveryRow,
  CallInput,
  CallPatch,
  CallRow,
  EventInput,
  EventRow,
  FailbackApprovalInput,
  FailbackApprovalRow,
  FailbackDecision,
  FailoverInput,
  FailoverRow,
  HealthCheckInput,
  HealthCheckRow,
  HealthStats,
  RegionInput,
  RegionRow,
  RetentionLimits,
  ScheduledFailoverInput,
  ScheduledFailoverPatch,
  ScheduledFailoverRow,
  ScheduledFailoverStatus,
  Store,
  Timestamp,
  PbxBindingRow,
  SimulationRow,
} from './types';
import { reasonOf } from './reason';
import { invalid, jsonValue, nonNegativeInt, oneOf, timestamp } from './validate';

const storeError = errorFactory(STORE_ERRORS);

const DAY_MS = 86_400_000;

/** Where a scheduled failover may go from each status; completed and cancelled are final. */
const NEXT_STATUS: Readonly<Record<ScheduledFailoverStatus, readonly ScheduledFailoverStatus[]>> = {
  pending: ['active', 'completed', 'cancelled'],
  active: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

const CALL_COLUMNS = [
  'call_id',
  'direction',
  'from_uri',
  'to_uri',
  'attempts',
  'region',
  'started_at',
  'answered_at',
  'ended_at',
  'final_status',
  'routing_reason',
  'home_region',
] as const;

/** The region whose jurisdiction a call record belongs to (migration 7): residency row filters read it. */
function homeRegion(region: string | null, attempts: readonly { region: string }[]): string {
  return region ?? attempts[0]?.region ?? '';
}

/** A re-recorded call replaces the stored one; the id (and so its place in retention) stays. */
const CALL_UPSERT = `ON CONFLICT (call_id) DO UPDATE SET ${CALL_COLUMNS.filter((c) => c !== 'call_id')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ')}`;

/** WHERE clauses built from optional filters; the text varies only with which filters are present. */
class Where {
  private readonly clauses: string[] = [];
  readonly params: unknown[] = [];
  add(clause: string, ...params: unknown[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }
  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

export interface SqlStoreOptions {
  /** The URL as given: used only to scrub its password out of driver messages. */
  readonly url: string;
  readonly redactedUrl: string;
  /** The clock for timestamps the caller leaves out. */
  readonly now?: () => Date;
  /** The SQLite file (not for `:memory:` or PostgreSQL). */
  readonly file?: string | null;
}

export class SqlStore implements Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly url: string;
  readonly file: string | null;
  private readonly rawUrl: string;
  private readonly clock: () => Date;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly db: DbHandle,
    opts: SqlStoreOptions,
  ) {
    this.dialect = db.dialect;
    this.url = opts.redactedUrl;
    this.rawUrl = opts.url;
    this.file = opts.file ?? null;
    this.clock = opts.now ?? (() => new Date());
  }

  async schemaVersion(): Promise<number> {
    return this.op('schemaVersion', async () => {
      const rows = await this.db.all('SELECT MAX(version) AS version FROM geo_schema_migrations');
      return Number(rows[0]?.version ?? 0);
    });
  }

  // ── regions ──────────────────────────────────────────────────────────────────────────────────────

  upsertRegion(input: RegionInput): Promise<RegionRow> {
    return this.op('upsertRegion', async () => {
      const r = regionRecord(input);
      const c = this.db.codec;
      return this.db.transaction(async (tx) => {
        const found = await tx.all(`SELECT ${COLUMNS.geo_regions} FROM geo_regions WHERE name = ?`, [r.name]);
        const old = found[0] ? regionFromRow(found[0], c) : null;
        const now = this.now();
        const rows = await tx.all(
          `INSERT INTO geo_regions (name, trunk_id, sip_server, priority, location, capabilities, health_state,
             is_active, settings, origin, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET trunk_id = excluded.trunk_id, sip_server = excluded.sip_server,
             priority = excluded.priority, location = excluded.location, capabilities = excluded.capabilities,
             health_state = excluded.health_state, is_active = excluded.is_active, settings = excluded.settings,
             origin = excluded.origin, updated_at = excluded.updated_at
           RETURNING ${COLUMNS.geo_regions}`,
          [
            r.name,
            r.trunk_id,
            r.sip_server,
            r.priority,
            r.location !== undefined ? r.location : (old?.location ?? null),
            c.textArray(r.capabilities ?? old?.capabilities ?? []),
            r.health_state !== undefined ? r.health_state : (old?.health_state ?? null),
            c.bool(r.is_active ?? old?.is_active ?? false),
            c.json(r.settings ?? old?.settings ?? {}),
            r.origin ?? old?.origin ?? 'config',
            now,
            now,
          ],
        );
        return regionFromRow(rows[0]!, c);
      });
    });
  }

  getRegion(name: string): Promise<RegionRow | null> {
    return this.op('getRegion', async () => {
      const rows = await this.db.all(`SELECT ${COLUMNS.geo_regions} FROM geo_regions WHERE name = ?`, [
        regionName('geo_regions', 'name', name),
      ]);
      return rows[0] ? regionFromRow(rows[0], this.db.codec) : null;
    });
  }

  listRegions(): Promise<RegionRow[]> {
    return this.op('listRegions', async () => {
      const rows = await this.db.all(
        `SELECT ${COLUMNS.geo_regions} FROM geo_regions ORDER BY priority, name`,
      );
      return rows.map((r) => regionFromRow(r, this.db.codec));
    });
  }

  deleteRegion(name: string): Promise<boolean> {
    return this.op('deleteRegion', async () => {
      const n = await this.db.run('DELETE FROM geo_regions WHERE name = ?', [
        regionName('geo_regions', 'name', name),
      ]);
      return n > 0;
    });
  }

  setRegionHealth(name: string, state: HealthState | null, is_active: boolean): Promise<boolean> {
    return this.op('setRegionHealth', async () => {
      const h = regionHealth(state, is_active);
      const n = await this.db.run(
        'UPDATE geo_regions SET health_state = ?, is_active = ?, updated_at = ? WHERE name = ?',
        [h.state, this.db.codec.bool(h.active), this.now(), regionName('geo_regions', 'name', name)],
      );
      return n > 0;
    });
  }

  // ── failover history ─────────────────────────────────────────────────────────────────────────────

  recordFailover(input: FailoverInput): Promise<FailoverRow> {
    return this.op('recordFailover', async () => {
      const r = failoverRecord(input, this.now());
      const rows = await this.db.all(
        `INSERT INTO geo_failover_history (from_region, to_region, reason, automatic, initiated_by, duration_ms,
           occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS.geo_failover_history}`,
        [
          r.from_region,
          r.to_region,
          r.reason,
          this.db.codec.bool(r.automatic),
          r.initiated_by,
          r.duration_ms,
          r.occurred_at,
        ],
      );
      return failoverFromRow(rows[0]!, this.db.codec);
    });
  }

  listFailovers(opts: { limit: number; region?: string; since?: Timestamp }): Promise<FailoverRow[]> {
    return this.op('listFailovers', async () => {
      const where = this.failoverWhere(opts.region, opts.since);
      const limit = nonNegativeInt('geo_failover_history', 'limit', opts.limit);
      const rows = await this.db.all(
        `SELECT ${COLUMNS.geo_failover_history} FROM geo_failover_history ${where} ORDER BY occurred_at DESC, id DESC LIMIT ?`,
        [...where.params, limit],
      );
      return rows.map((r) => failoverFromRow(r, this.db.codec));
    });
  }

  async lastFailover(region?: string): Promise<FailoverRow | null> {
    const rows = await this.listFailovers(region === undefined ? { limit: 1 } : { limit: 1, region });
    return rows[0] ?? null;
  }

  countFailovers(region?: string, since?: Timestamp): Promise<number> {
    return this.op('countFailovers', async () => {
      const where = this.failoverWhere(region, since);
      return this.count(
        `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM geo_failover_history ${where}`,
        where.params,
      );
    });
  }

  private failoverWhere(region: string | undefined, since: Timestamp | undefined): Where {
    const t = 'geo_failover_history';
    const where = new Where();
    if (region !== undefined) {
      const name = regionName(t, 'region', region);
      where.add('(from_region = ? OR to_region = ?)', name, name);
    }
    if (since !== undefined) where.add('occurred_at >= ?', timestamp(t, 'since', since));
    return where;
  }

  // ── health checks ────────────────────────────────────────────────────────────────────────────────

  recordHealthChecks(input: readonly HealthCheckInput[]): Promise<number> {
    return this.op('recordHealthChecks', async () => {
      if (!Array.isArray(input)) throw invalid('geo_health_checks', 'rows', 'must be an array');
      const now = this.now();
      const c = this.db.codec;
      const rows = input.map((row) => {
        const r = healthCheckRecord(row, now);
        return [
          r.region_name,
          r.check_method,
          c.bool(r.success),
          r.latency_ms,
          r.error_message,
          r.checked_at,
        ];
      });
      if (rows.length === 0) return 0;
      await this.db.transaction((tx) =>
        tx.insertMany(
          'geo_health_checks',
          ['region_name', 'check_method', 'success', 'latency_ms', 'error_message', 'checked_at'],
          rows,
        ),
      );
      return rows.length;
    });
  }

  listHealthChecks(opts: { region?: string; since?: Timestamp; limit: number }): Promise<HealthCheckRow[]> {
    return this.op('listHealthChecks', async () => {
      const t = 'geo_health_checks';
      const where = new Where();
      if (opts.region !== undefined) where.add('region_name = ?', regionName(t, 'region', opts.region));
      if (opts.since !== undefined) where.add('checked_at >= ?', timestamp(t, 'since', opts.since));
      const rows = await this.db.all(
        `SELECT ${COLUMNS.geo_health_checks} FROM ${t} ${where} ORDER BY checked_at DESC, id DESC LIMIT ?`,
        [...where.params, nonNegativeInt(t, 'limit', opts.limit)],
      );
      return rows.map((r) => healthCheckFromRow(r, this.db.codec));
    });
  }

  healthStats(region: string, since: Timestamp): Promise<HealthStats> {
    return this.op('healthStats', async () => {
      const t = 'geo_health_checks';
      const rows = await this.db.all(
        `SELECT CAST(COUNT(*) AS INTEGER) AS total,
           CAST(COALESCE(SUM(CASE WHEN success THEN 1 ELSE 0 END), 0) AS INTEGER) AS successes,
           CAST(AVG(CASE WHEN success THEN latency_ms END) AS DOUBLE PRECISION) AS avg_latency_ms
         FROM geo_health_checks WHERE region_name = ? AND checked_at >= ?`,
        [regionName(t, 'region', region), timestamp(t, 'since', since)],
      );
      const row = rows[0] ?? {};
      return {
        total: Number(row.total ?? 0),
        successes: Number(row.successes ?? 0),
        avg_latency_ms: row.avg_latency_ms == null ? null : Number(row.avg_latency_ms),
      };
    });
  }

  pruneHealthChecks(limits: RetentionLimits): Promise<number> {
    return this.op('pruneHealthChecks', () => this.prune('geo_health_checks', 'checked_at', limits));
  }

  // ── events ───────────────────────────────────────────────────────────────────────────────────────

  recordEvent(input: EventInput): Promise<EventRow> {
    return this.op('recordEvent', async () => {
      const r = eventRecord(input, this.now());
      const rows = await this.db.all(
        `INSERT INTO geo_events (kind, region, reason, details, occurred_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS.geo_events}`,
        [r.kind, r.region, r.reason, this.db.codec.json(r.details), r.occurred_at],
      );
      return eventFromRow(rows[0]!, this.db.codec);
    });
  }

  listEvents(opts: {
    kind?: string;
    region?: string;
    since?: Timestamp;
    limit: number;
  }): Promise<EventRow[]> {
    return this.op('listEvents', async () => {
      const t = 'geo_events';
      const where = new Where();
      if (opts.kind !== undefined) where.add('kind = ?', opts.kind);
      if (opts.region !== undefined) where.add('region = ?', regionName(t, 'region', opts.region));
      if (opts.since !== undefined) where.add('occurred_at >= ?', timestamp(t, 'since', opts.since));
      const rows = await this.db.all(
        `SELECT ${COLUMNS.geo_events} FROM ${t} ${where} ORDER BY occurred_at DESC, id DESC LIMIT ?`,
        [...where.params, nonNegativeInt(t, 'limit', opts.limit)],
      );
      return rows.map((r) => eventFromRow(r, this.db.codec));
    });
  }

  pruneEvents(limits: RetentionLimits): Promise<number> {
    return this.op('pruneEvents', () => this.prune('geo_events', 'occurred_at', limits));
  }

  // ── alert deliveries ─────────────────────────────────────────────────────────────────────────────

  recordAlertDelivery(input: AlertDeliveryInput): Promise<AlertDeliveryRow> {
    return this.op('recordAlertDelivery', async () => {
      const r = alertDeliveryRecord(input, this.now());
      const rows = await this.db.all(
        `INSERT INTO geo_alert_deliveries (alert_id, event, region, channel, target, status, attempt, error,
           attempted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS.geo_alert_deliveries}`,
        [r.alert_id, r.event, r.region, r.channel, r.target, r.status, r.attempt, r.error, r.attempted_at],
      );
      return alertDeliveryFromRow(rows[0]!, this.db.codec);
    });
  }

  listAlertDeliveries(opts: { limit: number; alert_id?: string }): Promise<AlertDeliveryRow[]> {
    return this.op('listAlertDeliveries', async () => {
      const t = 'geo_alert_deliveries';
      const where = new Where();
      if (opts.alert_id !== undefined) where.add('alert_id = ?', opts.alert_id);
      const rows = await this.db.all(
        `SELECT ${COLUMNS.geo_alert_deliveries} FROM ${t} ${where} ORDER BY attempted_at DESC, id DESC LIMIT ?`,
        [...where.params, nonNegativeInt(t, 'limit', opts.limit)],
      );
      return rows.map((r) => alertDeliveryFromRow(r, this.db.codec));
    });
  }

  // ── scheduled failovers ──────────────────────────────────────────────────────────────────────────

  createScheduledFailover(input: ScheduledFailoverInput): Promise<ScheduledFailoverRow> {
    return this.op('createScheduledFailover', async () => {
      const r = scheduledFailoverRecord(input);
      const now = this.now();
      const rows = await this.db.all(
        `INSERT INTO geo_scheduled_failovers (target_region, start_time, duration, reason, created_by, status,
           created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING ${COLUMNS.geo_scheduled_failovers}`,
        [r.target_region, r.start_time, r.duration, r.reason, r.created_by, now, now],
      );
      return scheduledFailoverFromRow(rows[0]!, this.db.codec);
    });
  }

  listScheduledFailovers(opts: { status?: ScheduledFailoverStatus } = {}): Promise<ScheduledFailoverRow[]> {
    return this.op('listScheduledFailovers', async () => {
      const where = new Where();
      if (opts.status !== undefined) {
        where.add('status = ?', oneOf('geo_scheduled_failovers', 'status', opts.status, SCHEDULE_STATUSES));
      }
      const rows = await this.db.all(
        `SELECT ${COLUMNS.geo_scheduled_failovers} FROM geo_scheduled_failovers ${where} ORDER BY start_time, id`,
        where.params,
      );
      return rows.map((r) => scheduledFailoverFromRow(r, this.db.codec));
    });
  }

  updateScheduledFailover(id: number, patch: ScheduledFailoverPatch): Promise<ScheduledFailoverRow> {
    return this.op('updateScheduledFailover', async () => {
      const key = nonNegativeInt('geo_scheduled_failovers', 'id', id);
      const set = scheduledFailoverPatch(patch);
      return this.db.transaction(async (tx) => {
        const found = await tx.all(
          `SELECT ${COLUMNS.geo_scheduled_failovers} FROM geo_scheduled_failovers WHERE id = ?`,
          [key],
        );
        if (!found[0]) throw storeError('STORE_SCHEDULED_FAILOVER_NOT_FOUND', { id: key });
        const current = scheduledFailoverFromRow(found[0], tx.codec);
        const to =
          (set.find(([col]) => col === 'status')?.[1] as ScheduledFailoverStatus | undefined) ??
          current.status;
        const allowed =
          to === current.status
            ? NEXT_STATUS[current.status].length > 0
            : NEXT_STATUS[current.status].includes(to);
        if (!allowed) {
          throw storeError('STORE_SCHEDULED_FAILOVER_TRANSITION', { id: key, from: current.status, to });
        }
        set.push(['updated_at', this.now()]);
        const rows = await tx.all(
          `UPDATE geo_scheduled_failovers SET ${set.map(([col]) => `${col} = ?`).join(', ')} WHERE id = ? RETURNING ${COLUMNS.geo_scheduled_failovers}`,
          [...set.map(([, v]) => v), key],
        );
        return scheduledFailoverFromRow(rows[0]!, tx.codec);
      });
    });
  }

  // ── failback approvals ───────────────────────────────────────────────────────────────────────────

  createFailbackApproval(input: FailbackApprovalInput): Promise<FailbackApprovalRow> {
    return this.op('createFailbackApproval', async () => {
      const r = failbackApprovalRecord(input, this.now());
      const rows = await this.db.all(
        `INSERT INTO geo_failback_approvals (from_region, to_region, reason, requested_at) VALUES (?, ?, ?, ?)
         RETURNING ${COLUMNS.geo_failback_approvals}`,
        [r.from_region, r.to_region, r.reason, r.requested_at],
      );
      return failbackApprovalFromRow(rows[0]!, this.db.codec);
    });
  }

  listFailbackApprovals(opts: { pending?: boolean } = {}): Promise<FailbackApprovalRow[]> {
    return this.op('listFailbackApprovals', async () => {
      const filter =
        opts.pending === undefined
          ? ''
          : opts.pending
            ? 'WHERE decision IS NULL'
            : 'WHERE decision IS NOT NULL';
      const rows = await this.db.all(
        `SELECT ${COLUMNS.geo_failback_approvals} FROM geo_failback_approvals ${filter} ORDER BY requested_at DESC, id DESC`,
      );
      return rows.map((r) => failbackApprovalFromRow(r, this.db.codec));
    });
  }

  decideFailbackApproval(
    id: number,
    decision: FailbackDecision,
    by: string | null,
    at?: Timestamp,
  ): Promise<FailbackApprovalRow> {
    return this.op('decideFailbackApproval', async () => {
      const t = 'geo_failback_approvals';
      const key = nonNegativeInt(t, 'id', id);
      const params = [
        oneOf(t, 'decision', decision, ['approved', 'rejected'] as const),
        decidedBy(by),
        at === undefined ? this.now() : timestamp(t, 'decided_at', at),
        key,
      ];
      // One statement, so two operators deciding at once cannot both win.
      const rows = await this.db.all(
        `UPDATE ${t} SET decision = ?, decided_by = ?, decided_at = ? WHERE id = ? AND decision IS NULL
         RETURNING ${COLUMNS.geo_failback_approvals}`,
        params,
      );
      if (rows[0]) return failbackApprovalFromRow(rows[0], this.db.codec);
      const existing = await this.db.all(`SELECT decision FROM ${t} WHERE id = ?`, [key]);
      if (!existing[0]) throw storeError('STORE_FAILBACK_APPROVAL_NOT_FOUND', { id: key });
      throw storeError('STORE_FAILBACK_APPROVAL_DECIDED', {
        id: key,
        decision: String(existing[0].decision),
      });
    });
  }

  // ── calls ────────────────────────────────────────────────────────────────────────────────────────

  recordCalls(batch: readonly CallInput[]): Promise<number> {
    return this.op('recordCalls', async () => {
      if (!Array.isArray(batch)) throw invalid('geo_calls', 'batch', 'must be an array');
      const c = this.db.codec;
      // PostgreSQL refuses to upsert one row twice in a statement, so the last row for a call_id wins here.
      const byCallId = new Map<string, unknown[]>();
      for (const input of batch) {
        const r = callRecord(input);
        byCallId.delete(r.call_id);
        byCallId.set(r.call_id, [
          r.call_id,
          r.direction,
          r.from_uri,
          r.to_uri,
          c.json(r.attempts),
          r.region,
          r.started_at,
          r.answered_at,
          r.ended_at,
          r.final_status,
          r.routing_reason,
          homeRegion(r.region, r.attempts),
        ]);
      }
      if (byCallId.size === 0) return 0;
      const rows = [...byCallId.values()];
      await this.db.transaction((tx) => tx.insertMany('geo_calls', CALL_COLUMNS, rows, CALL_UPSERT));
      return rows.length;
    });
  }

  updateCall(call_id: string, patch: CallPatch): Promise<boolean> {
    return this.op('updateCall', async () => {
      const key = callRecordKey(call_id);
      const set = callPatch(patch).map(([col, v]): [string, unknown] => [
        col,
        col === 'attempts' ? this.db.codec.json(v) : v,
      ]);
      const region = set.find(([col]) => col === 'region')?.[1];
      if (typeof region === 'string') set.push(['home_region', region]);
      if (set.length === 0) {
        return (await this.db.all('SELECT 1 AS one FROM geo_calls WHERE call_id = ?', [key])).length > 0;
      }
      const n = await this.db.run(
        `UPDATE geo_calls SET ${set.map(([col]) => `${col} = ?`).join(', ')} WHERE call_id = ?`,
        [...set.map(([, v]) => v), key],
      );
      return n > 0;
    });
  }

  endCalls(ends: readonly { call_id: string; ended_at: Timestamp }[]): Promise<number> {
    return this.op('endCalls', async () => {
      if (!Array.isArray(ends)) throw invalid('geo_calls', 'ends', 'must be an array');
      // Checked whole before the transaction opens: one bad end refuses the batch and changes nothing.
      const rows = ends.map((e): [unknown, string] => {
        const set = callPatch({ ended_at: e.ended_at });
        return [set[0]?.[1] ?? null, callRecordKey(e.call_id)];
      });
      if (rows.length === 0) return 0;
      // One transaction for the batch: SQLite commits once (the pages of a commit are what cost), not per end.
      return this.db.transaction(async (tx) => {
        let changed = 0;
        for (const params of rows)
          changed += await tx.run('UPDATE geo_calls SET ended_at = ? WHERE call_id = ?', params);
        return changed;
      });
    });
  }

  listCalls(opts: {
    region?: string;
    since?: Timestamp;
    until?: Timestamp;
    status?: number;
    limit: number;
  }): Promise<CallRow[]> {
    return this.op('listCalls', async () => {
      const t = 'geo_calls';
      const where = new Where();
      if (opts.region !== undefined) where.add('region = ?', regionName(t, 'region', opts.region));
      if (opts.since !== undefined) where.add('started_at >= ?', timestamp(t, 'since', opts.since));
      if (opts.until !== undefined) where.add('started_at < ?', timestamp(t, 'until', opts.until));
      if (opts.status !== undefined) where.add('final_status = ?', nonNegativeInt(t, 'status', opts.status));
      const rows = await this.db.all(
        `SELECT ${COLUMNS.geo_calls} FROM ${t} ${where} ORDER BY started_at DESC, id DESC LIMIT ?`,
        [...where.params, nonNegativeInt(t, 'limit', opts.limit)],
      );
      return rows.map((r) => callFromRow(r, this.db.codec));
    });
  }

  countCalls(region?: string, since?: Timestamp): Promise<number> {
    return this.op('countCalls', async () => {
      const where = new Where();
      if (region !== undefined) where.add('region = ?', regionName('geo_calls', 'region', region));
      if (since !== undefined) where.add('started_at >= ?', timestamp('geo_calls', 'since', since));
      return this.count(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM geo_calls ${where}`, where.params);
    });
  }

  callsOfParty(user: string, limit: number): Promise<CallRow[]> {
    return this.op('callsOfParty', async () => {
      const like = partyPattern(user);
      const rows = await this.db.all(
        `SELECT ${COLUMNS.geo_calls} FROM geo_calls WHERE from_uri LIKE ? ESCAPE '\\' OR to_uri LIKE ? ESCAPE '\\'
          ORDER BY started_at DESC, id DESC LIMIT ?`,
        [like, like, nonNegativeInt('geo_calls', 'limit', limit)],
      );
      return rows.map((r) => callFromRow(r, this.db.codec));
    });
  }

  pseudonymiseCallParty(user: string, pseudonym: string): Promise<number> {
    return this.op('pseudonymiseCallParty', async () => {
      const like = partyPattern(user);
      const from = `:${user}@`;
      const to = `:${pseudonym}@`;
      return this.db.run(
        `UPDATE geo_calls SET from_uri = REPLACE(from_uri, ?, ?), to_uri = REPLACE(to_uri, ?, ?)
          WHERE from_uri LIKE ? ESCAPE '\\' OR to_uri LIKE ? ESCAPE '\\'`,
        [from, to, from, to, like, like],
      );
    });
  }

  pruneCalls(limits: RetentionLimits): Promise<number> {
    return this.op('pruneCalls', () => this.prune('geo_calls', 'started_at', limits));
  }

  // ── settings ─────────────────────────────────────────────────────────────────────────────────────

  kvGet<T = unknown>(key: string): Promise<T | undefined> {
    return this.op('kvGet', async () => {
      const rows = await this.db.all('SELECT value FROM geo_kv WHERE key = ?', [kvKey(key)]);
      return rows[0] ? (this.db.codec.fromJson(rows[0].value) as T) : undefined;
    });
  }

  kvSet(key: string, value: unknown): Promise<void> {
    return this.op('kvSet', async () => {
      const k = kvKey(key);
      jsonValue('geo_kv', 'value', value);
      await this.db.run(
        `INSERT INTO geo_kv (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        // Stringified here rather than by the codec: a JSON null is a value to keep, not a SQL NULL.
        [k, JSON.stringify(value), this.now()],
      );
    });
  }

  kvDelete(key: string): Promise<boolean> {
    return this.op(
      'kvDelete',
      async () => (await this.db.run('DELETE FROM geo_kv WHERE key = ?', [kvKey(key)])) > 0,
    );
  }

  setSimulation(region: string, until: Timestamp | null): Promise<void> {
    return this.op('setSimulation', async () => {
      if (until === null) {
        await this.db.run('DELETE FROM geo_simulations WHERE region = ?', [region]);
        return;
      }
      await this.db.run(
        `INSERT INTO geo_simulations (region, until_at, started_at) VALUES (?, ?, ?)
         ON CONFLICT (region) DO UPDATE SET until_at = excluded.until_at, started_at = excluded.started_at`,
        [region, new Date(until).toISOString(), this.now()],
      );
    });
  }

  listSimulations(): Promise<SimulationRow[]> {
    return this.op('listSimulations', async () => {
      const rows = await this.db.all(
        'SELECT region, until_at, started_at FROM geo_simulations ORDER BY region',
      );
      const c = this.db.codec;
      return rows.map((r) => ({
        region: String(r.region),
        until: c.fromTime(r.until_at),
        started_at: c.fromTime(r.started_at),
      }));
    });
  }

  replacePbxBindings(rows: readonly PbxBindingRow[]): Promise<void> {
    return this.op('replacePbxBindings', async () => {
      await this.db.transaction(async (tx) => {
        await tx.run('DELETE FROM geo_pbx_bindings');
        if (rows.length === 0) return;
        await tx.insertMany(
          'geo_pbx_bindings',
          ['uri', 'protocol', 'address', 'port', 'call_id', 'cseq', 'expires_at', 'registered_at'],
          rows.map((r) => [
            r.uri,
            r.protocol,
            r.address,
            r.port,
            r.call_id,
            r.cseq,
            new Date(r.expires_at).toISOString(),
            new Date(r.registered_at).toISOString(),
          ]),
        );
      });
    });
  }

  listPbxBindings(now: Timestamp): Promise<PbxBindingRow[]> {
    return this.op('listPbxBindings', async () => {
      const at = new Date(now).toISOString();
      await this.db.run('DELETE FROM geo_pbx_bindings WHERE expires_at <= ?', [at]);
      const rows = await this.db.all(
        `SELECT uri, protocol, address, port, call_id, cseq, expires_at, registered_at
         FROM geo_pbx_bindings WHERE expires_at > ? ORDER BY registered_at DESC`,
        [at],
      );
      const c = this.db.codec;
      return rows.map((r) => ({
        uri: String(r.uri),
        protocol: String(r.protocol) as PbxBindingRow['protocol'],
        address: String(r.address),
        port: Number(r.port),
        call_id: String(r.call_id),
        cseq: Number(r.cseq),
        expires_at: c.fromTime(r.expires_at),
        registered_at: c.fromTime(r.registered_at),
      }));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.db.close();
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────────

  private now(): string {
    return this.clock().toISOString();
  }

  private async count(sql: string, params: readonly unknown[]): Promise<number> {
    const rows: Row[] = await this.db.all(sql, params);
    return Number(rows[0]?.n ?? 0);
  }

  /** Age first, then size: the rows kept by maxRows are the newest written (highest id). */
  private prune(table: string, timeColumn: string, limits: RetentionLimits): Promise<number> {
    const maxRows =
      limits.maxRows === undefined ? undefined : nonNegativeInt(table, 'maxRows', limits.maxRows);
    if (
      limits.maxAgeDays !== undefined &&
      !(typeof limits.maxAgeDays === 'number' && limits.maxAgeDays >= 0)
    ) {
      throw invalid(table, 'maxAgeDays', 'must be a non-negative number');
    }
    const now =
      limits.now === undefined ? this.clock().getTime() : Date.parse(timestamp(table, 'now', limits.now));
    return this.db.transaction(async (tx: Db) => {
      let deleted = 0;
      if (limits.maxAgeDays !== undefined) {
        const cutoff = new Date(now - limits.maxAgeDays * DAY_MS).toISOString();
        deleted += await tx.run(`DELETE FROM ${table} WHERE ${timeColumn} < ?`, [cutoff]);
      }
      if (maxRows !== undefined) {
        deleted += await tx.run(
          `DELETE FROM ${table} WHERE id <= (SELECT id FROM ${table} ORDER BY id DESC LIMIT 1 OFFSET ?)`,
          [maxRows],
        );
      }
      return deleted;
    });
  }

  /** Every public method runs here: closed-store check, typed errors, and tracking for a clean close. */
  private op<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(storeError('STORE_CLOSED'));
    const run = (async () => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof GeoredError) throw err;
        const reason = reasonOf(err, this.rawUrl);
        throw Object.assign(storeError('STORE_QUERY_FAILED', { operation, reason }), { cause: err });
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run)).catch(() => undefined);
    return run;
  }
}

function callRecordKey(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 255) {
    throw invalid('geo_calls', 'call_id', 'must be a non-empty string of at most 255 characters');
  }
  return v;
}

/** A LIKE pattern matching a URI whose user part is `user` (sip:user@…, tel: numbers excepted). */
function partyPattern(user: string): string {
  return `%:${user.replace(/[\\%_]/g, (c) => `\\${c}`)}@%`;
}
