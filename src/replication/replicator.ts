/**
 * Runs data replication: every `sync_interval`, and at once when the active region changes, it observes
 * each region's database, decides the channels (decide-channels.ts), checks the tables (check-tables.ts),
 * plans the SQL (plan-actions.ts) and runs it, then measures lag. PostgreSQL copies the rows; geored never
 * does. Only the probe leader runs it, so two instances never fight over a publication.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { errorFactory, type GeoredError } from '../errors/catalogue';
import { REPLICATION_ERRORS } from '../errors/replication';
import type { CallRow, EventRow, Store } from '../store/types';
import { checkChannels } from './check-tables';
import { decideCallChannels, STORE_NODE, wantsCallRecords } from './decide-call-records';
import { decideLag, type LagMemory } from './decide-lag';
import {
  storageAllowed,
  channelName,
  decideChannels,
  tableTypes,
  twoWaySeed,
  type ChannelDecision,
} from './decide-channels';
import { quoteIdent, quoteTable } from './pbx-schema';
import { summarize, type KeptAsideReport, type SlotChange } from './pgoutput';
import { planActions } from './plan-actions';
import { conninfoOf, RegionDb } from './region-db';
import { checkReplicationSettings, DEFAULT_REPLICATION } from './settings';
import type {
  Channel,
  ObservedDatabase,
  Refusal,
  ReplicaRegion,
  ReplicationAction,
  ReplicationSettings,
} from './types';

const replicationError = errorFactory(REPLICATION_ERRORS);
export const REPLICATION_SETTINGS_KEY = 'replication.settings';
/** Channel → how far its subscriber had applied when geored dropped the subscription. */
export const REPLICATION_APPLIED_KEY = 'replication.applied';
const MAX_CHANGES = 200;

export interface ReplicationLagEvent {
  readonly type: 'replication_lag';
  /** true: it crossed a threshold now; false: it is back under both. */
  readonly lagging: boolean;
  readonly publisher: string;
  readonly subscriber: string;
  readonly lag_seconds: number | null;
  readonly lag_bytes: number | null;
  readonly threshold_seconds: number;
  readonly threshold_bytes: number | null;
  readonly reason: string;
  readonly at: number;
}

/** The metrics replication sets (src/metrics/registry.ts implements them). */
export interface ReplicationMetrics {
  setReplicationLag(
    publisher: string,
    subscriber: string,
    bytes: number | null,
    seconds: number | null,
  ): void;
  setReplicationTable(region: string, table: string, ready: boolean): void;
  /** Per table in a region: its state and its channel's lag (optional: the benchmark has no registry). */
  setReplicationTableStatus?(
    publisher: string,
    region: string,
    table: string,
    state: string,
    bytes: number | null,
    seconds: number | null,
  ): void;
  setReplicationVerified(atMs: number): void;
  countReplicationChange(kind: string): void;
}

export interface ReplicatorDeps {
  /** Regions in priority order, with their databases. */
  readonly regions: () => readonly ReplicaRegion[];
  readonly active: () => string | null;
  readonly isLeader: () => boolean;
  readonly store: Pick<
    Store,
    'kvGet' | 'kvSet' | 'recordEvent' | 'listEvents' | 'callsOfParty' | 'pseudonymiseCallParty'
  >;
  readonly fileSettings: ReplicationSettings | null;
  readonly logger: Logger;
  readonly metrics: ReplicationMetrics;
  readonly now: () => number;
  readonly onLag: (e: ReplicationLagEvent) => void;
  /** geored's own store (server.store): a PostgreSQL store publishes geo_calls to the CDR targets. */
  readonly storeUrl?: string;
}

export interface AppliedChange {
  readonly region: string;
  readonly kind: ReplicationAction['kind'];
  readonly why: string;
  readonly at: string;
  readonly error?: string;
}

/**
 * One direction of replication as found at the last verification: who publishes to whom, how (two-way:
 * origin = none, and whether its subscription was seeded by a copy), and whether its subscription works.
 * PostgreSQL counts the errors of a subscription's apply worker (a conflict: the same key written in two
 * regions, a constraint the row breaks) and table sync; geored reports them, it resolves no conflict.
 */
export interface ChannelStatus {
  readonly publisher: string;
  readonly subscriber: string;
  readonly name: string;
  readonly two_way: boolean;
  /** 'none' (two-way), 'any' (one-way), or null when the subscription is not there or not seen. */
  readonly origin: string | null;
  readonly copy_data: boolean;
  readonly subscription:
    'streaming' | 'not streaming' | 'disabled' | 'between catch-ups' | 'missing' | 'unreachable';
  readonly apply_errors: number | null;
  readonly sync_errors: number | null;
  /** One sentence when something is wrong, else null. */
  readonly problem: string | null;
}

export interface ReconcileResult {
  readonly reason: string;
  readonly changes: AppliedChange[];
  /** Every direction geored checked, with what it found. */
  readonly channels: ChannelStatus[];
  readonly refusals: Refusal[];
  readonly waiting: ChannelDecision['waiting'];
  readonly kept_aside: KeptAsideReport[];
}

export interface TableStatus {
  readonly publisher: string;
  readonly region: string;
  readonly table: string;
  readonly state: string;
  readonly lag_bytes: number | null;
  readonly lag_seconds: number | null;
  readonly last_verified: string | null;
  readonly realtime: boolean;
  readonly restrictions: string[];
}

export interface ReplicationStatus {
  readonly enabled: boolean;
  readonly active_region: string | null;
  readonly reason: string;
  readonly bidirectional: boolean;
  readonly sync_interval: number;
  readonly last_verification: string | null;
  readonly regions: Array<{
    region: string;
    role: 'publisher' | 'subscriber' | 'publisher and subscriber' | 'none';
    jurisdiction: string | null;
    reachable: boolean;
    error: string | null;
    server_version: number | null;
  }>;
  readonly tables: TableStatus[];
  /** Per direction (publisher → subscriber): the subscription and its errors. */
  readonly channels: ChannelStatus[];
  readonly refusals: Refusal[];
  readonly waiting: Array<{ table: string; why: string }>;
  readonly kept_aside: KeptAsideReport[];
  readonly last_changes: AppliedChange[];
}

const SUB_STATES: Record<string, string> = {
  i: 'initializing',
  d: 'copying',
  f: 'copied',
  s: 'synchronizing',
  r: 'ready',
};

export class Replicator {
  private settings: ReplicationSettings = DEFAULT_REPLICATION;
  private readonly dbs = new Map<string, RegionDb>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private observed = new Map<string, ObservedDatabase>();
  private decision: ChannelDecision | null = null;
  private channels: Channel[] = [];
  private refusals: Refusal[] = [];
  private lag = new Map<string, { bytes: number | null; seconds: number | null }>();
  /** geo_calls as schema.table in the store, once resolved there. */
  private callsTable: string | null = null;
  private lastVerification: number | null = null;
  private readonly changes: AppliedChange[] = [];
  private readonly kept: KeptAsideReport[] = [];
  private lastReason = '';
  private readonly lagMemory = new Map<string, LagMemory>();

  constructor(private readonly deps: ReplicatorDeps) {}

  get current(): ReplicationSettings {
    return this.settings;
  }

  async load(): Promise<void> {
    const saved = await this.deps.store.kvGet<ReplicationSettings>(REPLICATION_SETTINGS_KEY);
    this.settings = saved
      ? { ...DEFAULT_REPLICATION, ...saved }
      : (this.deps.fileSettings ?? DEFAULT_REPLICATION);
    if (saved)
      this.deps.logger.info('replication settings changed through the API are in force over the file');
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule(this.settings.sync_interval * 1000));
    }, ms);
    this.timer.unref();
  }

  /** The active region changed (here or on another instance): re-plan now. */
  kick(): void {
    this.schedule(0);
  }

  private async tick(): Promise<void> {
    if (!this.deps.isLeader() || !this.settings.enabled) return;
    try {
      // Another instance may have changed the settings through its API.
      const saved = await this.deps.store.kvGet<ReplicationSettings>(REPLICATION_SETTINGS_KEY);
      if (saved) this.settings = { ...DEFAULT_REPLICATION, ...saved };
      await this.reconcile();
    } catch (err) {
      this.deps.logger.warn({ err }, 'replication verification failed');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.chain.catch(() => undefined);
    await Promise.all([...this.dbs.values()].map((d) => d.close()));
    this.dbs.clear();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private replicaRegions(): ReplicaRegion[] {
    return [...this.deps.regions()];
  }

  private db(region: ReplicaRegion): RegionDb | undefined {
    if (region.database === undefined) return undefined;
    const have = this.dbs.get(region.name);
    if (have && have.url === region.database) return have;
    void have?.close();
    const db = new RegionDb(region.name, region.database);
    this.dbs.set(region.name, db);
    return db;
  }

  /** geored's store as a publisher, when it is PostgreSQL. */
  private storeNode(): ReplicaRegion | null {
    const url = this.deps.storeUrl;
    if (url === undefined || !/^postgres(ql)?:\/\//i.test(url)) return null;
    return { name: STORE_NODE, database: url, jurisdiction: undefined };
  }

  /** geo_calls' name in the store, or null when the store cannot publish it (not PostgreSQL). */
  private callsTableName(): string | null {
    return this.storeNode() === null ? null : (this.callsTable ?? 'public.geo_calls');
  }

  private async observeAll(settings: ReplicationSettings): Promise<Map<string, ObservedDatabase>> {
    const node = settings.enabled ? this.storeNode() : null;
    const store = node ? this.db(node) : undefined;
    if (store && this.callsTable === null)
      this.callsTable = await store.resolveTable('geo_calls').catch(() => null);
    const calls = this.callsTableName();
    const tables = [...tableTypes(settings).keys()];
    if (calls !== null && wantsCallRecords(settings)) tables.push(calls);
    const out = new Map<string, ObservedDatabase>();
    await Promise.all([
      ...this.replicaRegions().map(async (r) => {
        const db = this.db(r);
        if (db) out.set(r.name, await db.observe(tables));
      }),
      // Observed whenever replication runs, so a publication of geo_calls no longer wanted is dropped.
      ...(store ? [store.observe(calls === null ? [] : [calls]).then((o) => out.set(STORE_NODE, o))] : []),
    ]);
    return out;
  }

  /** Throws unless `settings` can be put in force now: the checks an API call must pass before saving. */
  private preflight(settings: ReplicationSettings, observed: ReadonlyMap<string, ObservedDatabase>): void {
    const regions = this.replicaRegions();
    for (const [region, rule] of Object.entries(settings.residency)) {
      const home = regions.find((r) => r.name === rule.storage_location);
      if (home && !storageAllowed(rule, home)) {
        throw replicationError('REPLICATION_RESIDENCY_VIOLATION', {
          what: `storage_location ${rule.storage_location}`,
          data_types: rule.data_types.join(', '),
          region,
          target: rule.storage_location,
          rule: `no_transfer_outside_${rule.no_transfer_outside.join('/')} of ${region}`,
          setting: `data_residency.${region}.storage_location`,
        });
      }
    }
    const problems = checkReplicationSettings(settings, regions, this.deps.storeUrl);
    if (problems.length > 0) {
      const p = problems[0]!;
      throw replicationError('REPLICATION_BAD_SETTING', {
        setting: p.path,
        found: p.found,
        expected: p.expected,
      });
    }
    if (!settings.enabled) return;
    for (const db of observed.values()) {
      // The store matters only when it publishes geo_calls.
      if (db.region === STORE_NODE && !wantsCallRecords(settings)) continue;
      if (db.reachable && db.wal_level !== 'logical')
        throw replicationError('REPLICATION_WAL_LEVEL', {
          region: db.region === STORE_NODE ? "geored's store" : db.region,
          found: db.wal_level,
        });
    }
    if (settings.bidirectional) {
      const old = [...observed.values()].find(
        (d) => d.reachable && d.region !== STORE_NODE && d.server_version_num < 160000,
      );
      if (old) {
        const v = old.server_version_num;
        throw replicationError('REPLICATION_BIDIRECTIONAL_UNSUPPORTED', {
          region: old.region,
          version: `${Math.floor(v / 10000)}.${v % 10000}`,
          setting: 'bidirectional',
        });
      }
      // Two-way needs one region to copy the initial rows from that may hold all of them.
      const { seed, why } = twoWaySeed(settings, regions, this.deps.active());
      if (seed === null)
        throw replicationError('REPLICATION_BAD_SETTING', {
          setting: 'bidirectional',
          found: 'true',
          expected: `false, or residency rules under which one region may hold every replicated row and column: ${why}`,
        });
    }
  }

  /**
   * Puts settings in force: checks them against every database (refusing with nothing changed), saves
   * them with who changed what (the transfer-policy log), then reconciles.
   */
  apply(next: ReplicationSettings, by: string, what: string): Promise<ReconcileResult> {
    return this.serial(async () => {
      if (!this.deps.isLeader()) throw replicationError('REPLICATION_NOT_LEADER', { what });
      const observed = await this.observeAll(next);
      this.preflight(next, observed);
      const decided = this.decide(next, observed);
      if (decided.refusals.length > 0) throw refused(decided.refusals);
      await this.deps.store.kvSet(REPLICATION_SETTINGS_KEY, next);
      const before = this.settings;
      this.settings = next;
      await this.deps.store.recordEvent({
        kind: 'transfer-policy',
        reason: `${by} ${what}`,
        details: { by, change: what, before, after: next },
      });
      this.deps.logger.info({ by, change: what }, `replication policy changed by ${by}: ${what}`);
      return this.reconcileWith(next, observed);
    });
  }

  reconcile(): Promise<ReconcileResult> {
    return this.serial(async () => {
      const settings = this.settings;
      return this.reconcileWith(settings, await this.observeAll(settings));
    });
  }

  private decide(settings: ReplicationSettings, observed: ReadonlyMap<string, ObservedDatabase>) {
    const regions = this.replicaRegions();
    const reachable = new Set([...observed.values()].filter((d) => d.reachable).map((d) => d.region));
    const decision = decideChannels(
      { settings, regions, active: this.deps.active(), reachable },
      (region, table) =>
        observed
          .get(region)
          ?.tables.get(table)
          ?.columns.map((c) => c.name),
    );
    const table = this.callsTableName();
    const calls = decideCallChannels({
      settings,
      regions,
      reachable,
      table,
      columns:
        table === null
          ? undefined
          : observed
              .get(STORE_NODE)
              ?.tables.get(table)
              ?.columns.map((c) => c.name),
    });
    const checked = checkChannels([...decision.channels, ...calls.channels], observed);
    const reason = calls.reason === null ? decision.reason : `${decision.reason}; ${calls.reason}`;
    return { decision: { ...decision, reason }, channels: checked.channels, refusals: checked.refusals };
  }

  private async reconcileWith(
    settings: ReplicationSettings,
    observedIn: Map<string, ObservedDatabase>,
  ): Promise<ReconcileResult> {
    let observed = observedIn;
    const { decision, channels, refusals } = this.decide(settings, observed);
    const actions = settings.enabled
      ? planActions({ channels, observed, regions: this.replicaRegions().map((r) => r.name) })
      : planActions({ channels: [], observed, regions: [] });
    const applied: AppliedChange[] = [];
    const kept: KeptAsideReport[] = [];
    /** Region → slot → the changes it held that its subscriber never confirmed. */
    const aside = new Map<string, Map<string, SlotChange[]>>();
    for (const action of actions) {
      const db = this.dbs.get(action.region);
      if (!db) continue;
      const at = new Date(this.deps.now()).toISOString();
      try {
        if (action.kind === 'drop-subscription') {
          // Remembered before the subscription goes: what it applied is what the old primary need not report.
          const name = action.sql[0]!.match(/"([^"]+)"/)?.[1] ?? '';
          const lsn = await db.appliedPosition(name).catch(() => null);
          if (lsn !== null) {
            const applied =
              (await this.deps.store.kvGet<Record<string, string>>(REPLICATION_APPLIED_KEY)) ?? {};
            await this.deps.store.kvSet(REPLICATION_APPLIED_KEY, { ...applied, [name]: lsn });
          }
        }
        if (action.kind === 'keep-aside') {
          const applied =
            (await this.deps.store.kvGet<Record<string, string>>(REPLICATION_APPLIED_KEY)) ?? {};
          const upTo = applied[action.sql[0]!];
          const all = await db.keepAside(action.sql[0]!, action.sql[0]!, upTo ?? null);
          const changes = all;
          const mine = aside.get(action.region) ?? new Map<string, SlotChange[]>();
          mine.set(action.sql[0]!, changes);
          aside.set(action.region, mine);
        } else {
          await db.run(action, (r) => this.conninfo(r));
        }
        applied.push({ region: action.region, kind: action.kind, why: action.why, at });
        this.deps.metrics.countReplicationChange(action.kind);
        this.deps.logger.info({ region: action.region, kind: action.kind }, action.why);
      } catch (err) {
        const error = db.describe(err);
        applied.push({ region: action.region, kind: action.kind, why: action.why, at, error });
        this.deps.logger.warn(
          { region: action.region, kind: action.kind, error },
          `replication step failed: ${action.why}`,
        );
        // A failed step leaves later ones on the same database without their premise: stop there.
        if (action.kind === 'keep-aside' || action.kind === 'truncate') break;
      }
    }
    for (const [region, slots] of aside) {
      const report = summarize(region, unreplicated(slots, channelName(region, this.deps.active() ?? '')));
      if (report.count === 0) continue;
      kept.push(report);
      await this.deps.store.recordEvent({
        kind: 'replication-kept-aside',
        region,
        reason: `${report.count} change(s) written in ${region} never reached ${this.deps.active() ?? 'the new primary'} and are kept aside in ${region}'s geored_kept_aside`,
        details: { ...report },
      });
      this.deps.logger.warn({ report }, `${region}: ${report.count} unreplicated change(s) kept aside`);
    }
    if (actions.length > 0) observed = await this.observeAll(settings);
    this.observed = observed;
    await this.catchUpPeriodic(channels);
    await this.measure(channels, settings);
    this.decision = decision;
    this.channels = channels;
    this.refusals = refusals;
    this.lastVerification = this.deps.now();
    this.deps.metrics.setReplicationVerified(this.lastVerification);
    this.changes.unshift(...applied.reverse());
    this.changes.splice(MAX_CHANGES);
    this.kept.unshift(...kept);
    this.kept.splice(MAX_CHANGES);
    if (decision.reason !== this.lastReason) {
      this.lastReason = decision.reason;
      this.deps.logger.info({ reason: decision.reason }, `replication: ${decision.reason}`);
    }
    for (const r of refusals)
      this.deps.logger.warn({ refusal: r }, `replication refused ${r.table} in ${r.region}: ${r.why}`);
    this.status(); // the per-table metrics follow each verification
    return {
      reason: decision.reason,
      changes: applied.reverse(),
      channels: this.channelStatus(),
      refusals,
      waiting: decision.waiting,
      kept_aside: kept,
    };
  }

  private conninfo(region: string): string {
    if (region === STORE_NODE && this.deps.storeUrl !== undefined) return conninfoOf(this.deps.storeUrl);
    const r = this.replicaRegions().find((x) => x.name === region);
    if (!r?.database) throw replicationError('REPLICATION_NO_DATABASE', { region, what: 'publishing' });
    return conninfoOf(r.database);
  }

  /** Channels that are not realtime run only now: enabled, caught up (bounded), disabled again. */
  private async catchUpPeriodic(channels: readonly Channel[]): Promise<void> {
    for (const ch of channels.filter((c) => !c.realtime)) {
      if (this.observed.get(ch.subscriber)?.reachable !== true) continue;
      const sub = this.dbs.get(ch.subscriber);
      const pub = this.dbs.get(ch.publisher);
      if (!sub || !pub) continue;
      try {
        await sub.query(`ALTER SUBSCRIPTION ${quoteIdent(ch.name)} ENABLE`);
        const [target] = await pub.query('SELECT pg_current_wal_lsn()::text AS lsn');
        const deadline = this.deps.now() + Math.min(this.settings.sync_interval * 500, 30_000);
        while (this.deps.now() < deadline) {
          const [row] = await pub.query(
            `SELECT confirmed_flush_lsn >= $2::pg_lsn AS done FROM pg_replication_slots WHERE slot_name = $1`,
            [ch.name, target!.lsn],
          );
          if (row?.done === true) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await sub.query(`ALTER SUBSCRIPTION ${quoteIdent(ch.name)} DISABLE`);
      } catch (err) {
        this.deps.logger.warn({ err: sub.describe(err), channel: ch.name }, 'periodic catch-up failed');
      }
    }
  }

  private async measure(channels: readonly Channel[], settings: ReplicationSettings): Promise<void> {
    const samples = new Map<string, { bytes: number | null; seconds: number | null; active: boolean }>();
    const answered = new Set<string>();
    for (const pub of new Set(channels.map((c) => c.publisher))) {
      const db = this.dbs.get(pub);
      if (!db) continue;
      try {
        for (const [k, v] of await db.lag()) samples.set(k, v);
        answered.add(pub);
      } catch {
        // unreachable since the observation: no figure rather than a wrong one
      }
    }
    const lag = new Map<string, { bytes: number | null; seconds: number | null }>();
    const now = this.deps.now();
    for (const ch of channels) {
      if (!answered.has(ch.publisher)) {
        this.deps.metrics.setReplicationLag(ch.publisher, ch.subscriber, null, null);
        continue;
      }
      const sample = samples.get(ch.name) ?? { bytes: null, seconds: null, active: false };
      const d = decideLag(ch, sample, this.lagMemory.get(ch.name), settings, now);
      this.lagMemory.set(ch.name, d.memory);
      lag.set(ch.name, { bytes: d.bytes, seconds: d.seconds });
      this.deps.metrics.setReplicationLag(ch.publisher, ch.subscriber, d.bytes, d.seconds);
      if (d.event === null) continue;
      if (d.event === 'lagging') this.deps.logger.warn({ channel: ch.name, seconds: d.seconds }, d.reason);
      else this.deps.logger.info({ channel: ch.name, seconds: d.seconds }, d.reason);
      this.deps.onLag({
        type: 'replication_lag',
        lagging: d.event === 'lagging',
        publisher: ch.publisher,
        subscriber: ch.subscriber,
        lag_seconds: d.seconds,
        lag_bytes: d.bytes,
        threshold_seconds: settings.lag_alert_seconds,
        threshold_bytes: settings.lag_alert_bytes,
        reason: d.reason,
        at: now,
      });
    }
    // A channel that is gone is neither lagging nor remembered.
    for (const name of [...this.lagMemory.keys()])
      if (!channels.some((c) => c.name === name)) this.lagMemory.delete(name);
    this.lag = lag;
  }

  /** Each channel's subscription as last observed, with a sentence when it does not work. */
  private channelStatus(): ChannelStatus[] {
    return this.channels.map((ch) => {
      const o = this.observed.get(ch.subscriber);
      const sub = o?.subscriptions.find((x) => x.name === ch.name);
      const state: ChannelStatus['subscription'] =
        o?.reachable !== true
          ? 'unreachable'
          : !sub
            ? 'missing'
            : !sub.enabled
              ? ch.realtime
                ? 'disabled'
                : 'between catch-ups'
              : sub.worker_running
                ? 'streaming'
                : 'not streaming';
      const errors = (sub?.apply_errors ?? 0) + (sub?.sync_errors ?? 0);
      const problem =
        state === 'unreachable'
          ? `${ch.subscriber}'s database does not answer: ${ch.publisher}'s slot keeps the changes for it`
          : state === 'missing'
            ? `${ch.subscriber} has no subscription ${ch.name} yet`
            : state === 'not streaming' || errors > 0
              ? `${ch.subscriber}'s subscription to ${ch.publisher} ` +
                (state === 'not streaming' ? 'has no running apply worker; ' : '') +
                `PostgreSQL counted ${sub!.apply_errors} apply error(s) and ${sub!.sync_errors} table-sync error(s) (a conflict such as the same key written in two regions stops the apply until it is resolved; the error is in ${ch.subscriber}'s PostgreSQL log)`
              : null;
      return {
        publisher: ch.publisher,
        subscriber: ch.subscriber,
        name: ch.name,
        two_way: ch.two_way === true,
        origin: sub?.origin ?? null,
        copy_data: ch.two_way === true ? ch.copy_data === true : true,
        subscription: state,
        apply_errors: sub?.apply_errors ?? null,
        sync_errors: sub?.sync_errors ?? null,
        problem,
      };
    });
  }

  status(): ReplicationStatus {
    const s = this.settings;
    const verified = this.lastVerification === null ? null : new Date(this.lastVerification).toISOString();
    const tables: TableStatus[] = [];
    for (const ch of this.channels) {
      const sub = this.observed.get(ch.subscriber)?.subscriptions.find((x) => x.name === ch.name);
      const l = this.lag.get(ch.name);
      for (const t of ch.tables) {
        const rel = sub?.tables.find((x) => x.table === t.table);
        const state =
          this.observed.get(ch.subscriber)?.reachable !== true
            ? 'unreachable'
            : !sub
              ? 'missing'
              : !sub.enabled && ch.realtime
                ? 'disabled'
                : rel
                  ? (SUB_STATES[rel.state] ?? rel.state)
                  : 'missing';
        this.deps.metrics.setReplicationTable(ch.subscriber, t.table, state === 'ready');
        this.deps.metrics.setReplicationTableStatus?.(
          ch.publisher,
          ch.subscriber,
          t.table,
          state,
          l?.bytes ?? null,
          l?.seconds ?? null,
        );
        tables.push({
          publisher: ch.publisher,
          region: ch.subscriber,
          table: t.table,
          state: !ch.realtime && sub && !sub.enabled ? `${state} (between catch-ups)` : state,
          lag_bytes: l?.bytes ?? null,
          lag_seconds: l?.seconds ?? null,
          last_verified: verified,
          realtime: ch.realtime,
          restrictions: [...t.restrictions],
        });
      }
    }
    const pubs = new Set(this.channels.map((c) => c.publisher));
    const subs = new Set(this.channels.map((c) => c.subscriber));
    return {
      enabled: s.enabled,
      active_region: this.deps.active(),
      reason: this.decision?.reason ?? (s.enabled ? 'not verified yet' : 'data replication is not enabled'),
      bidirectional: s.bidirectional,
      sync_interval: s.sync_interval,
      last_verification: verified,
      regions: this.replicaRegions()
        .filter((r) => r.database !== undefined)
        .map((r) => {
          const o = this.observed.get(r.name);
          const role = pubs.has(r.name)
            ? subs.has(r.name)
              ? 'publisher and subscriber'
              : 'publisher'
            : subs.has(r.name)
              ? 'subscriber'
              : 'none';
          return {
            region: r.name,
            role,
            jurisdiction: r.jurisdiction ?? null,
            reachable: o?.reachable ?? false,
            error: o?.error ?? null,
            server_version: o?.reachable ? o.server_version_num : null,
          };
        }),
      tables,
      channels: this.channelStatus(),
      refusals: this.refusals,
      waiting: [...(this.decision?.waiting ?? [])],
      kept_aside: [...this.kept],
      last_changes: [...this.changes],
    };
  }

  // ---- GDPR ----

  private gdprTables(): string[] {
    return [...tableTypes(this.settings).keys()];
  }

  private requireGdpr(what: string): void {
    if (Object.keys(this.settings.gdpr).length === 0)
      throw replicationError('REPLICATION_GDPR_NOT_ENABLED', { what });
  }

  private reachableDbs(): RegionDb[] {
    return this.replicaRegions()
      .map((r) => this.db(r))
      .filter((d): d is RegionDb => d !== undefined);
  }

  private publisherOf(table: string): RegionDb | undefined {
    const p = this.decision?.publishers.get(table) ?? this.deps.active();
    return p ? this.dbs.get(p) : undefined;
  }

  /** Records a subject's consent where their rows are written; replication carries it (and, with it, the rows). */
  recordConsent(subject: string, granted: boolean, by: string) {
    return this.serial(async () => {
      this.requireGdpr('recording consent');
      const s = this.settings;
      const observed = this.observed;
      const done: Array<{ region: string; table: string; rows: number }> = [];
      for (const table of this.gdprTables()) {
        const db = this.publisherOf(table);
        const t = db ? observed.get(db.region)?.tables.get(table) : undefined;
        if (!db || !t?.columns.some((c) => c.name === s.consent_column)) continue;
        if (!t.columns.some((c) => c.name === s.subject_column)) continue;
        const rows = await db.query(
          `UPDATE ${quoteTable(table)} SET ${quoteIdent(s.consent_column)} = $2 WHERE ${quoteIdent(s.subject_column)} = $1 RETURNING 1`,
          [subject, granted],
        );
        done.push({ region: db.region, table, rows: rows.length });
      }
      const at = new Date(this.deps.now()).toISOString();
      await this.deps.store.recordEvent({
        kind: 'gdpr-consent',
        reason: `${by} recorded that subject ${subject} ${granted ? 'gave' : 'withdrew'} consent`,
        details: { subject, granted, by, tables: done },
      });
      return { subject, granted, recorded_by: by, recorded_at: at, tables: done };
    });
  }

  /**
   * Erases a subject everywhere: deleted at each table's publisher (replication carries the delete), then
   * verified in every region, where anything replication did not reach (rows kept aside, rows a filter
   * kept home) is deleted directly; geored's own call records are pseudonymised. The report says what
   * was done where.
   */
  erase(subject: string, by: string) {
    return this.serial(async () => {
      this.requireGdpr('an erasure');
      const s = this.settings;
      const dbs = this.reachableDbs();
      const count = async (db: RegionDb, table: string) => {
        const t = this.observed.get(db.region)?.tables.get(table);
        if (!t?.columns.some((c) => c.name === s.subject_column)) return null;
        try {
          const [r] = await db.query(
            `SELECT COUNT(*)::int AS n FROM ${quoteTable(table)} WHERE ${quoteIdent(s.subject_column)} = $1`,
            [subject],
          );
          return r!.n as number;
        } catch {
          return null;
        }
      };
      const before = new Map<string, number | null>();
      for (const db of dbs)
        for (const t of this.gdprTables()) before.set(`${db.region}\u0000${t}`, await count(db, t));
      const deletedAt = new Map<string, string>();
      for (const table of this.gdprTables()) {
        const db = this.publisherOf(table);
        if (!db || (await count(db, table)) === null) continue;
        await db.query(`DELETE FROM ${quoteTable(table)} WHERE ${quoteIdent(s.subject_column)} = $1`, [
          subject,
        ]);
        const [lsn] = await db.query('SELECT pg_current_wal_lsn()::text AS lsn');
        deletedAt.set(db.region, lsn!.lsn as string);
      }
      // Wait (bounded) for every subscriber to confirm the deletes.
      const deadline = this.deps.now() + 30_000;
      for (const ch of this.channels) {
        const lsn = deletedAt.get(ch.publisher);
        const pub = this.dbs.get(ch.publisher);
        // One that does not answer gets the deletes from its slot when back; the report names it.
        if (!lsn || !pub || this.observed.get(ch.subscriber)?.reachable !== true) continue;
        while (this.deps.now() < deadline) {
          const [row] = await pub
            .query(
              'SELECT confirmed_flush_lsn >= $2::pg_lsn AS done FROM pg_replication_slots WHERE slot_name = $1',
              [ch.name, lsn],
            )
            .catch(() => [{ done: false }]);
          if (row?.done === true) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const regions: Array<{
        region: string;
        table: string;
        rows_before: number;
        rows_after: number;
        method:
          | 'deleted at the publisher'
          | 'deleted through replication'
          | 'deleted directly'
          | 'nothing to erase';
      }> = [];
      for (const db of dbs) {
        for (const table of this.gdprTables()) {
          const was = before.get(`${db.region}\u0000${table}`) ?? null;
          if (was === null) continue;
          let now = (await count(db, table)) ?? 0;
          let method: (typeof regions)[number]['method'] =
            was === 0
              ? 'nothing to erase'
              : this.publisherOf(table)?.region === db.region
                ? 'deleted at the publisher'
                : 'deleted through replication';
          if (now > 0) {
            await db.query(`DELETE FROM ${quoteTable(table)} WHERE ${quoteIdent(s.subject_column)} = $1`, [
              subject,
            ]);
            now = (await count(db, table)) ?? 0;
            method = 'deleted directly';
          }
          regions.push({ region: db.region, table, rows_before: was, rows_after: now, method });
        }
      }
      const unreachable = this.replicaRegions()
        .filter((r) => r.database !== undefined && this.observed.get(r.name)?.reachable !== true)
        .map((r) => r.name);
      const pseudonym = `erased-${createHash('sha256').update(subject).digest('hex').slice(0, 16)}`;
      const calls = await this.deps.store.pseudonymiseCallParty(subject, pseudonym);
      const at = new Date(this.deps.now()).toISOString();
      const report = {
        subject,
        requested_by: by,
        completed_at: at,
        regions,
        call_records: { store: 'geo_calls', pseudonymised: calls, pseudonym },
        unreachable_regions: unreachable,
        complete: unreachable.length === 0 && regions.every((r) => r.rows_after === 0),
      };
      await this.deps.store.recordEvent({
        kind: 'gdpr-erasure',
        reason: `${by} erased subject ${subject}: ${regions.reduce((n, r) => n + r.rows_before, 0)} row(s) in ${new Set(regions.map((r) => r.region)).size} region(s), ${calls} call record(s) pseudonymised`,
        details: report,
      });
      return report;
    });
  }

  /** A subject's data from every region's database and geored's call records, as JSON. */
  async export(subject: string, by: string) {
    this.requireGdpr('an export');
    const s = this.settings;
    const regions: Record<string, Record<string, Array<Record<string, unknown>>>> = {};
    const unreachable: string[] = [];
    const observed = await this.observeAll(s);
    for (const r of this.replicaRegions()) {
      const db = this.db(r);
      const o = observed.get(r.name);
      if (!db || !o) continue;
      if (!o.reachable) {
        unreachable.push(r.name);
        continue;
      }
      const tables: Record<string, Array<Record<string, unknown>>> = {};
      for (const table of this.gdprTables()) {
        if (!o.tables.get(table)?.columns.some((c) => c.name === s.subject_column)) continue;
        tables[table] = await db.rowsOf(table, s.subject_column, subject);
      }
      regions[r.name] = tables;
    }
    const calls: CallRow[] = await this.deps.store.callsOfParty(subject, 10_000);
    await this.deps.store.recordEvent({
      kind: 'gdpr-export',
      reason: `${by} exported subject ${subject}`,
      details: { subject, by, regions: Object.keys(regions), unreachable },
    });
    return {
      subject,
      exported_at: new Date(this.deps.now()).toISOString(),
      regions,
      call_records: calls,
      unreachable_regions: unreachable,
    };
  }

  /** Every recorded change of a cross-region transfer policy, newest first. */
  async policyLog(limit: number): Promise<EventRow[]> {
    return this.deps.store.listEvents({ kind: 'transfer-policy', limit });
  }
}

/**
 * What an old primary wrote that the new primary never got: the changes of its slot towards the new
 * primary when it had one, else of all its slots (without repeats).
 */
export function unreplicated(slots: ReadonlyMap<string, SlotChange[]>, towardsActive: string): SlotChange[] {
  const direct = slots.get(towardsActive);
  if (direct) return direct;
  const seen = new Set<string>();
  return [...slots.values()].flat().filter((c) => {
    const k = `${c.lsn}\u0000${c.table}\u0000${c.operation}\u0000${JSON.stringify(c.row)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function refused(refusals: readonly Refusal[]): GeoredError {
  return replicationError('REPLICATION_TABLE_REFUSED', {
    count: new Set(refusals.map((r) => r.table)).size,
    details: refusals.map((r) => `${r.table} in ${r.region}: ${r.why}`).join('; '),
    refusals,
  });
}
