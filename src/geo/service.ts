/**
 * GeographicRedundancy: the TypeScript API of geored, mirroring the guide's Python API (camelCase
 * methods, the guide's snake_case JSON). The REST API is a thin layer over it.
 *
 * The service gathers inputs and applies results: health comes from the HealthMonitor (on the probe leader
 * only) through live state, failover decisions from the pure functions in src/failover through the
 * FailoverEngine, routing from src/routing/decide-route. Everything an operator changes is written to the
 * store first, so a restart (or another instance sharing the store) sees it.
 */
import pino, { type Logger } from 'pino';
import { Alerter } from '../alerts/alerter';
import type { AlertsInForce, AlertsSettings, TestAlertResult } from '../alerts/settings-types';
import type { Config, GeoConfig, RegionConfig } from '../config/types';
import { errorFactory, GeoredError } from '../errors/catalogue';
import { GEO_ERRORS } from '../errors/geo';
import { guardTransition, type TransitionTable } from '../errors/state';
import { decideManualFailover } from '../failover/decide-manual';
import { planFailover } from '../failover/decide-plan';
import { decideFailover } from '../failover/decide-failover';
import type { CheckRegistry } from '../health/checks/registry';
import type { CustomCheckFn } from '../health/checks/custom';
import type { CallOutcome } from '../health/decide-health-types';
import { answeredByRegion } from '../health/decide-quorum';
import type { LiveSignal } from '../live/types';
import { HealthMonitor } from '../health/monitor';
import { systemClock, type MonitorClock } from '../health/monitor-clock';
import type {
  LeaderHandle,
  LiveChange,
  LiveState,
  RegistrationState as LiveRegistrationState,
} from '../live/types';
import { Metrics } from '../metrics/registry';
import { HealthState } from '../model/health-state';
import { compareRegions } from '../model/region-order';
import { decideRoute, type RouteDecision, type RouteRegion } from '../routing/decide-route';
import { locateCaller, type CallerFacts } from '../routing/locate-caller';
import type { RegionRow, Store } from '../store/types';
import { CheckRecorder } from './check-recorder';
import { FailoverEngine } from './engine';
import { GeoEvents } from './events';
import { HealthFeed } from './health-feed';
import { QuorumFeed } from './quorum-feed';
import { checkRegionInput, inputOfConfig, inputOfRow, regionConfigOf, storeRowOf } from './region-input';
import {
  SETTINGS_KEY,
  checkFailbackSettings,
  checkFailoverSettings,
  checkHealthCheckSettings,
  checkRoutingSettings,
  effectiveGeoConfig,
  mergeSettings,
  type RoutingSettings,
  type RuntimeSettings,
} from './settings';
import type {
  ActiveRegion,
  CheckStatus,
  FailbackSettings,
  FailoverRecord,
  FailoverResult,
  FailoverSettings,
  GeoEvent,
  HealthCheckSettings,
  ManualFailoverRequest,
  PendingFailback,
  RegionHealth,
  RegionInfo,
  RegionInput,
  RegionMetrics,
  LatencySeries,
  LoopDecision,
  RegionEvent,
  RegionStatus,
  ScheduleFailoverRequest,
  ScheduledFailoverInfo,
  SimulationInfo,
  TestFailoverResult,
  TtlStatus,
} from './types';
import { openParts, type OpenOptions } from './open';
import { Replicator } from '../replication/replicator';
import {
  configureDataResidency,
  enableDataReplication,
  enableGdprCompliance,
  replicateCdr,
  type CdrReplicationRequest,
  type DataReplicationRequest,
  type GdprRequest,
  type ResidencyRequest,
} from './replication-api';
import { failoverRecord, iso, latencyPoints, pendingFailback, regionInfo, scheduledInfo } from './views';

const geoError = errorFactory(GEO_ERRORS);

/** Signal kinds a follower sends the probe leader through live state. */
const SIGNAL_TTL = 'geo.ttl-check';
const SIGNAL_CALL = 'geo.call-outcome';
const CALL_OUTCOMES: ReadonlySet<string> = new Set<CallOutcome>([
  'ok',
  'timeout',
  '408',
  '5xx',
  'transport-error',
]);
const TTL_STATUSES: ReadonlySet<string> = new Set<TtlStatus>(['pass', 'warn', 'fail']);

function isCallOutcome(v: unknown): v is CallOutcome {
  return typeof v === 'string' && CALL_OUTCOMES.has(v);
}
function isTtlStatus(v: unknown): v is TtlStatus {
  return typeof v === 'string' && TTL_STATUSES.has(v);
}

export interface GeoDeps {
  readonly config: Config;
  readonly store: Store;
  readonly live: LiveState;
  readonly checks: CheckRegistry;
  /** Built from `checks` when absent. */
  readonly monitor?: HealthMonitor;
  readonly clock?: MonitorClock;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Closed by stop(), in order, after everything else: what was opened for this service. */
  readonly owned?: ReadonlyArray<{ close(): Promise<void> | void }>;
  /** The probe-leader lock's TTL; another instance takes over within it if this one dies. */
  readonly leaderTtlMs?: number;
  /** Decision tick; the engine also decides at once on every health change. */
  readonly tickMs?: number;
  /** How often operators' inputs and regions made on other instances are re-read from the store. */
  readonly refreshMs?: number;
  readonly checkFlushMs?: number;
  /** How often geo_health_checks is pruned to its retention bound; default a minute. */
  readonly checkPruneMs?: number;
}

interface Known {
  readonly config: RegionConfig;
  readonly origin: 'config' | 'api';
}

export type ServiceState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** The service's life cycle: stop() may come at any point before it is stopped; nothing restarts it. */
const SERVICE_TRANSITIONS: TransitionTable<ServiceState> = {
  new: ['starting', 'stopping'],
  starting: ['running', 'stopping'],
  running: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export class GeographicRedundancy {
  readonly store: Store;
  readonly live: LiveState;
  readonly metrics: Metrics;
  readonly checks: CheckRegistry;
  readonly monitor: HealthMonitor;
  /** Alerts on this service's events (src/alerts); the service only delegates to it. */
  readonly alerts: Alerter;
  private readonly fileConfig: Config;
  private readonly clock: MonitorClock;
  private readonly log: Logger;
  private readonly events: GeoEvents;
  private readonly engine: FailoverEngine;
  private readonly recorder: CheckRecorder;
  private readonly feed: HealthFeed;
  readonly quorum: QuorumFeed;
  private settings: RuntimeSettings = {};
  private settingsLoaded = false;
  private geo: GeoConfig;
  private readonly known = new Map<string, Known>();
  private leader: LeaderHandle | null = null;
  private unsubscribe: (() => void) | null = null;
  private unsubscribeSignals: (() => void) | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private state: ServiceState = 'new';
  /** Whether this instance acted on its election (the handle may report it twice). */
  private leading = false;
  /** The call path re-plans (targets, registrations, source classification) when regions change. */
  private readonly regionListeners = new Set<() => void>();
  /** What recordRegionRows last wrote per region (`state|is_active`). */
  private readonly rowsWritten = new Map<string, string>();
  private rowsChain: Promise<void> = Promise.resolve();
  private rowsQueued = false;
  /** Data replication between the regions' databases (src/replication). */
  readonly replication: Replicator;

  constructor(private readonly deps: GeoDeps) {
    this.fileConfig = deps.config;
    this.geo = deps.config.geo;
    this.store = deps.store;
    this.live = deps.live;
    this.checks = deps.checks;
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? pino({ level: 'silent' });
    this.metrics = deps.metrics ?? new Metrics({ defaultMetrics: false });
    this.events = new GeoEvents((err, event) =>
      this.log.error({ err, event: event.type }, 'a geo event listener threw'),
    );
    this.alerts = new Alerter({
      store: this.store,
      logger: this.log,
      now: () => this.clock.now(),
      instanceId: this.live.instanceId,
      ...(deps.config.geo.alerts !== undefined ? { fileSettings: deps.config.geo.alerts } : {}),
    });
    // The file's command and TTL checks must be known before a monitor checks `check_methods` against them.
    this.checks.configure(deps.config.geo.health_check.custom_checks);
    this.monitor =
      deps.monitor ??
      new HealthMonitor({
        config: this.geo,
        regions: [],
        checks: this.checks,
        clock: this.clock,
        logger: this.log,
      });
    this.recorder = new CheckRecorder({
      store: this.store,
      logger: this.log,
      retention: () => this.geo.health_check.retention,
      now: () => this.clock.now(),
      ...(deps.checkFlushMs !== undefined ? { flushEveryMs: deps.checkFlushMs } : {}),
      ...(deps.checkPruneMs !== undefined ? { pruneEveryMs: deps.checkPruneMs } : {}),
    });
    this.engine = new FailoverEngine({
      store: this.store,
      live: this.live,
      logger: this.log,
      metrics: this.metrics,
      events: this.events,
      now: () => this.clock.now(),
      regions: () => [...this.known.values()].map((k) => k.config),
      geo: () => this.geo,
      isLeader: () => this.isLeader,
      quorumNote: (region) => this.quorum.note(region),
      ...(deps.tickMs !== undefined ? { tickMs: deps.tickMs } : {}),
      ...(deps.refreshMs !== undefined ? { refreshMs: deps.refreshMs } : {}),
    });
    this.replication = new Replicator({
      regions: () =>
        [...this.known.values()]
          .map((k) => k.config)
          .sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : 1))
          .map((r) => ({ name: r.name, database: r.database, jurisdiction: r.jurisdiction })),
      active: () => this.live.getActive()?.name ?? null,
      isLeader: () => this.isLeader,
      store: this.store,
      fileSettings: deps.config.geo.data_replication,
      logger: this.log.child({ component: 'replication' }),
      metrics: this.metrics,
      now: () => this.clock.now(),
      onLag: (e) => this.events.emit(e),
      storeUrl: deps.config.server.store,
    });
    this.events.on('failover', () => this.replication.kick());
    this.quorum = new QuorumFeed({
      live: this.live,
      logger: this.log,
      metrics: this.metrics,
      geo: () => this.geo,
      regions: () => this.monitor.regions(),
      isLeader: () => this.isLeader,
      onAgreed: () => void this.engine.evaluate(),
    });
    this.feed = new HealthFeed(
      this.monitor,
      this.live,
      this.recorder,
      this.metrics,
      this.log,
      () => undefined,
      () => this.isLeader,
      this.quorum,
    );
  }

  /** True while this instance holds the probe lock and so runs the probes and automatic decisions. */
  get isLeader(): boolean {
    return this.leader?.isLeader ?? false;
  }

  get status(): ServiceState {
    return this.state;
  }

  // ---- life cycle ----

  private moveTo(to: ServiceState): void {
    this.state = guardTransition(SERVICE_TRANSITIONS, this.state, to, {
      machine: 'geographic redundancy',
      id: 'service',
    });
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw geoError('GEO_NOT_RUNNING', { state: this.state });
    this.moveTo('starting');
    await this.loadSettings();
    this.checks.configure(this.geo.health_check.custom_checks);
    this.checks.requireAll(this.geo.health_check.check_methods);
    this.monitor.updateConfig(this.geo);
    if (Object.keys(this.settings).length > 0) {
      this.log.info(
        { settings: this.settings },
        'settings changed through the API are in force over the file',
      );
    }
    await this.loadRegions();
    await this.alerts.start(this);
    this.unsubscribe = this.live.onChange((c) => this.onLiveChange(c));
    // Set now, not only on a change: memory live state is always connected and never reports a change.
    this.metrics.liveBackend.set(this.live.status().connected ? 1 : 0);
    this.unsubscribeSignals = this.live.onSignal((sig) => this.onSignal(sig));
    for (const k of this.known.values())
      this.metrics.setRegionHealth(
        k.config.name,
        this.live.getRegion(k.config.name)?.state ?? HealthState.HEALTHY,
      );
    if (!this.geo.enabled) {
      // features.geographic_redundancy.enabled: false — no probes, no decisions, no failover of any kind.
      this.syncTimer = setInterval(() => void this.syncRegions(), this.deps.refreshMs ?? 1000);
      this.syncTimer.unref();
      this.state = 'running';
      this.metrics.setActiveRegion(null, [...this.known.keys()]);
      this.log.info(
        { regions: [...this.known.keys()], source: this.fileConfig.source },
        'geographic redundancy is disabled (features.geographic_redundancy.enabled: false): no health ' +
          'probes and no failover; calls go to regions by priority alone, trunk registrations and the ' +
          'API keep working',
      );
      this.recordRegionRows();
      return;
    }
    await this.engine.load();
    const now = this.clock.now();
    for (const sim of this.live.listSimulations(now)) this.applySimulation(sim.region, sim.until);

    // With a quorum every instance probes; otherwise only the leader (resumed when elected).
    if (!this.quorum.enabled) this.monitor.pause();
    this.monitor.start();
    this.quorum.start();
    this.leader = this.live.runForLeader('probes', this.deps.leaderTtlMs ?? 5000);
    this.leader.on('elected', () => this.onElected());
    this.leader.on('lost', () => this.onLost());
    if (this.leader.isLeader) this.onElected();

    this.recorder.start();
    this.engine.start();
    await this.replication.load();
    this.replication.start();
    this.syncTimer = setInterval(() => void this.syncRegions(), this.deps.refreshMs ?? 1000);
    this.syncTimer.unref();
    this.moveTo('running');
    this.metrics.setActiveRegion(this.live.getActive()?.name ?? null, [...this.known.keys()]);
    this.log.info(
      { regions: [...this.known.keys()], store: this.store.url, live: this.live.status().backend },
      `geographic redundancy running with ${this.known.size} region${this.known.size === 1 ? '' : 's'}`,
    );
    await this.engine.evaluate();
    this.recordRegionRows();
  }

  /**
   * Keeps geo_regions.health_state and is_active (the guide's schema, which external tools read) equal to
   * the live state: every region's state (HEALTHY until a probe says otherwise, as the API shows it) and
   * which one is active. Written at start, when a state changes here and when the active region changes
   * here; only rows whose values differ from what this instance wrote last are written.
   */
  private recordRegionRows(): void {
    if (this.rowsQueued) return;
    this.rowsQueued = true;
    // One pass at a time, reading the live state when it runs: writes of one region never overtake each
    // other (a PostgreSQL pool would run them in parallel), and the last pass writes the latest state.
    this.rowsChain = this.rowsChain.then(async () => {
      this.rowsQueued = false;
      const active = this.live.getActive()?.name ?? null;
      for (const name of [...this.known.keys()]) {
        const state = this.live.getRegion(name)?.state ?? HealthState.HEALTHY;
        const row = `${state}|${name === active}`;
        if (this.rowsWritten.get(name) === row) continue;
        try {
          await this.store.setRegionHealth(name, state, name === active);
          this.rowsWritten.set(name, row);
        } catch (err) {
          this.log.warn({ err, region: name }, 'could not record region health in geo_regions');
        }
      }
    });
  }

  /**
   * What keeps this instance from serving, for GET /readyz: empty when ready. The store is asked (a read
   * bounded by `timeoutMs`), and live state must be connected when it is Redis: without either, failover
   * decisions, records and settings cannot be kept, so an orchestrator should not send traffic here.
   */
  async notReady(timeoutMs = 2000): Promise<string[]> {
    const problems: string[] = [];
    if (this.state !== 'running') problems.push(`the geographic redundancy service is ${this.state}`);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.store.kvGet(SETTINGS_KEY),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      problems.push(`the store (${this.store.url}) does not answer: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    const live = this.live.status();
    if (live.backend === 'redis' && !live.connected) {
      problems.push(`live state (Redis) is not connected since ${new Date(live.since).toISOString()}`);
    }
    return problems;
  }

  /** Stops probes, finishes decisions in flight, flushes records and closes what it owns. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.moveTo('stopping');
    if (this.syncTimer) clearInterval(this.syncTimer);
    await this.engine.stop();
    await this.replication.stop();
    await this.monitor.stop();
    await this.feed.drain();
    await this.quorum.stop();
    await this.recorder.stop();
    await this.rowsChain;
    await this.syncing.catch(() => undefined);
    this.unsubscribe?.();
    this.unsubscribeSignals?.();
    await this.leader
      ?.release()
      .catch((err: unknown) => this.log.warn({ err }, 'could not release the probe lock'));
    this.metrics.probeLeader.set(0);
    await this.alerts.stop();
    for (const r of this.deps.owned ?? []) {
      try {
        await r.close();
      } catch (err) {
        this.log.warn({ err }, 'error while closing');
      }
    }
    this.moveTo('stopped');
    this.log.info('geographic redundancy stopped');
  }

  private onElected(): void {
    if (this.leading) return;
    this.leading = true;
    this.metrics.probeLeader.set(1);
    this.log.info({ instance: this.live.instanceId }, 'this instance now runs the health probes');
    this.monitor.resume();
    void this.feed.writeAll().then(() => this.engine.evaluate());
  }

  private onLost(): void {
    if (!this.leading) return;
    this.leading = false;
    this.metrics.probeLeader.set(0);
    this.log.warn({ instance: this.live.instanceId }, 'this instance no longer runs the health probes');
    if (!this.quorum.enabled) this.monitor.pause();
  }

  private running(): void {
    if (this.state !== 'running') throw geoError('GEO_NOT_RUNNING', { state: this.state });
  }

  /** Refuses what would fail over or fake a failure while geographic redundancy is disabled. */
  private failoverEnabled(action: string): void {
    if (!this.geo.enabled) throw geoError('GEO_DISABLED', { source: this.fileConfig.source, action });
  }

  on<K extends GeoEvent['type']>(
    type: K,
    listener: (event: Extract<GeoEvent, { type: K }>) => void,
  ): () => void {
    return this.events.on(type, listener);
  }

  // ---- regions ----

  private async loadRegions(): Promise<void> {
    const fileNames = new Set(this.fileConfig.geo.regions.map((r) => r.name));
    for (const region of this.fileConfig.geo.regions) {
      await this.store.upsertRegion(storeRowOf(region, 'config'));
      this.addKnown({ config: region, origin: 'config' });
    }
    for (const row of await this.store.listRegions()) {
      if (fileNames.has(row.name)) continue;
      if (row.origin === 'config') {
        // Gone from the file: the file is the truth for its regions.
        await this.store.deleteRegion(row.name);
        this.log.info(
          { region: row.name },
          `region ${row.name} is no longer in the config file and was removed`,
        );
        continue;
      }
      this.addApiRow(row);
    }
  }

  private addApiRow(row: RegionRow): void {
    try {
      const input = inputOfRow(row);
      checkRegionInput(input);
      this.addKnown({ config: regionConfigOf(input), origin: 'api' });
    } catch (err) {
      this.log.error({ err, region: row.name }, `stored region ${row.name} is not valid and is ignored`);
    }
  }

  private addKnown(k: Known): void {
    this.known.set(k.config.name, k);
    if (this.monitor.regions().includes(k.config.name)) this.monitor.updateRegion(k.config);
    else this.monitor.addRegion(k.config);
    this.regionsChanged();
  }

  private dropKnown(name: string): void {
    this.known.delete(name);
    if (this.monitor.regions().includes(name)) this.monitor.removeRegion(name);
    this.engine.forgetRegion(name);
    this.metrics.forgetRegion(name);
    this.quorum.forgetRegion(name);
    this.regionsChanged();
  }

  /**
   * Called after any region is added, changed or removed (through the API, or by another instance sharing
   * the store), so the call path can follow. Returns an unsubscribe.
   */
  onRegionsChanged(listener: () => void): () => void {
    this.regionListeners.add(listener);
    return () => this.regionListeners.delete(listener);
  }

  private regionsChanged(): void {
    for (const listener of this.regionListeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err }, 'a region-change listener threw');
      }
    }
  }

  /** Regions added, changed or removed through another instance sharing the store. */
  private syncRegions(): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      if (this.state !== 'running') return;
      try {
        const rows = await this.store.listRegions();
        const names = new Set(rows.map((r) => r.name));
        for (const row of rows) {
          const k = this.known.get(row.name);
          if (row.origin !== 'api' || (k && k.origin === 'config')) continue;
          if (!k || JSON.stringify(inputOfConfig(k.config)) !== JSON.stringify(inputOfRow(row)))
            this.addApiRow(row);
        }
        for (const [name, k] of this.known) if (k.origin === 'api' && !names.has(name)) this.dropKnown(name);
      } catch (err) {
        this.log.warn({ err }, 'could not re-read regions from the store');
      }
    });
    return this.syncing;
  }

  private requireRegion(name: string): Known {
    const k = this.known.get(name);
    if (!k) throw geoError('GEO_UNKNOWN_REGION', { region: name });
    return k;
  }

  private info(k: Known): RegionInfo {
    return regionInfo(
      k.config,
      k.origin,
      this.live.getRegion(k.config.name),
      this.live.getActive()?.name ?? null,
    );
  }

  async registerRegion(input: RegionInput): Promise<RegionInfo> {
    this.running();
    checkRegionInput(input);
    if (this.known.has(input.name) || (await this.store.getRegion(input.name))) {
      throw geoError('GEO_REGION_EXISTS', { region: input.name });
    }
    const config = regionConfigOf(input);
    await this.store.upsertRegion(storeRowOf(config, 'api'));
    const k: Known = { config, origin: 'api' };
    this.addKnown(k);
    this.metrics.setRegionHealth(config.name, HealthState.HEALTHY);
    this.log.info(
      { region: config.name, priority: config.priority, sip_server: config.sip_server },
      `region ${config.name} registered`,
    );
    await this.engine.evaluate();
    this.recordRegionRows();
    return this.info(k);
  }

  async updateRegion(name: string, patch: Partial<Omit<RegionInput, 'name'>>): Promise<RegionInfo> {
    this.running();
    const k = this.requireRegion(name);
    if (k.origin === 'config')
      throw geoError('GEO_REGION_FROM_CONFIG', { region: name, source: this.fileConfig.source });
    const input: RegionInput = { ...inputOfConfig(k.config), ...patch, name };
    checkRegionInput(input);
    const config = regionConfigOf(input);
    await this.store.upsertRegion(storeRowOf(config, 'api'));
    const next: Known = { config, origin: 'api' };
    this.addKnown(next);
    this.log.info({ region: name, patch }, `region ${name} updated`);
    await this.engine.evaluate();
    return this.info(next);
  }

  async removeRegion(name: string): Promise<{ removed: string }> {
    this.running();
    const k = this.requireRegion(name);
    if (k.origin === 'config')
      throw geoError('GEO_REGION_FROM_CONFIG', { region: name, source: this.fileConfig.source });
    await this.store.deleteRegion(name);
    this.dropKnown(name);
    await this.live.removeRegion(name);
    this.log.info({ region: name }, `region ${name} removed`);
    await this.engine.evaluate();
    return { removed: name };
  }

  getRegion(name: string): RegionInfo | null {
    const k = this.known.get(name);
    return k ? this.info(k) : null;
  }

  listRegions(): RegionStatus[] {
    const active = this.live.getActive()?.name ?? null;
    return [...this.known.values()]
      .map((k) => k.config)
      .sort(compareRegions)
      .map((r) => {
        const live = this.live.getRegion(r.name);
        return {
          name: r.name,
          priority: r.priority,
          health_state: live?.state ?? HealthState.HEALTHY,
          is_active: r.name === active,
          last_check: iso(live?.lastCheck),
        };
      });
  }

  getActiveRegion(): ActiveRegion | null {
    const active = this.live.getActive();
    const k = active ? this.known.get(active.name) : undefined;
    if (!active || !k) return null;
    return {
      name: k.config.name,
      trunk_id: k.config.trunk_id,
      priority: k.config.priority,
      health_state: this.live.getRegion(k.config.name)?.state ?? HealthState.HEALTHY,
      active_since: new Date(active.activeSince).toISOString(),
      last_decision: this.isLeader ? this.engine.lastDecision : null,
    };
  }

  /** The failover loop's last decision and why (it runs on the probe leader; null elsewhere or before). */
  getFailoverDecision(): { decision: LoopDecision | null; leader: boolean } {
    return { decision: this.isLeader ? this.engine.lastDecision : null, leader: this.isLeader };
  }

  // ---- health ----

  getRegionHealth(name: string): RegionHealth {
    this.requireRegion(name);
    const live = this.live.getRegion(name);
    const now = this.clock.now();
    const sim = this.live.getSimulation(name);
    const snap = this.isLeader && this.monitor.regions().includes(name) ? this.monitor.snapshot(name) : null;
    const checks: CheckStatus[] = snap
      ? Object.values(snap.record.latest).map((r) => ({
          method: r.method,
          success: r.success,
          latency_ms: r.latency_ms,
          error: r.error ?? null,
          checked_at: new Date(r.at).toISOString(),
        }))
      : [];
    const reg = live?.registration;
    return {
      region: name,
      state: live?.state ?? HealthState.HEALTHY,
      reason:
        live?.reason ??
        `${name} is HEALTHY: no check result yet, assumed healthy until the first probe answers`,
      score: snap ? snap.decision.score : live && live.lastCheck !== null ? live.score : null,
      last_check: iso(live?.lastCheck),
      state_since: iso(this.engine.input().regions.find((r) => r.name === name)?.stateSince),
      first_failure_at: iso(live?.firstFailureAt),
      healthy_since: iso(live?.healthySince),
      registration:
        reg === 'registered' || reg === 'failed' ? reg : reg === 'registering' ? 'pending' : 'none',
      simulated_until: sim && sim.until !== null && sim.until > now ? iso(sim.until) : null,
      checks,
      ...this.quorum.info(name),
    };
  }

  async configureHealthCheck(s: HealthCheckSettings): Promise<Required<HealthCheckSettings>> {
    checkHealthCheckSettings(s);
    if (s.check_methods) this.checks.requireAll(s.check_methods);
    await this.saveSettings({ health_check: s });
    return this.healthCheckInForce();
  }

  /** The health-check settings in force (file and API); a read, never a write. */
  healthCheckInForce(): Required<HealthCheckSettings> {
    const hc = this.geo.health_check;
    return {
      interval: hc.interval,
      timeout: hc.timeout,
      retry_count: hc.retry_count,
      check_methods: [...hc.check_methods],
      success_threshold: hc.success_threshold,
      latency_warning_ms: hc.latency_warning_ms,
    };
  }

  /** The guide's add_health_check_method('custom', fn): used once `check_methods` names it. */
  addHealthCheckMethod(name: string, fn: CustomCheckFn, opts: { timeoutMs?: number } = {}): void {
    this.checks.register(name, fn, opts);
    this.log.info({ method: name }, `health-check method ${name} registered`);
  }

  pushTtlCheck(
    region: string,
    check: string,
    status: TtlStatus,
    note?: string,
  ): { region: string; check: string; status: TtlStatus } {
    this.requireRegion(region);
    // Applied here too (it also validates the check name): this board is in force if this instance becomes
    // the leader, or acts as one while Redis is away.
    this.checks.pushTtl(region, check, note === undefined ? { status } : { status, note });
    this.forwardToLeader(SIGNAL_TTL, { region, check, status, ...(note === undefined ? {} : { note }) });
    return { region, check, status };
  }

  /**
   * A trunk registration's state, from the call path's registrations: shown by getRegionHealth (through
   * live state, so every instance sees it) and part of the region's health, since a failing registration
   * while OPTIONS pass makes the region DEGRADED. 'registering' leaves health as it was: an attempt in
   * flight says nothing yet.
   */
  async setRegistrationState(region: string, state: LiveRegistrationState, detail?: string): Promise<void> {
    if (!this.known.has(region)) return; // removed while its registration was ending
    const status =
      state === 'registered'
        ? 'registered'
        : state === 'failed'
          ? 'failed'
          : state === 'unregistered'
            ? 'none'
            : null;
    if (status !== null && this.monitor.regions().includes(region)) {
      this.monitor.setRegistrationState(region, status, detail);
    }
    const previous = this.live.getRegion(region)?.registration ?? null;
    if (previous === state) return;
    try {
      await this.live.setRegionHealth(region, { registration: state });
    } catch (err) {
      this.log.warn({ err, region }, 'could not write the registration state to live state');
    }
    if (state === 'registering') return;
    const why =
      state === 'failed'
        ? `the trunk registration in ${region} failed${detail ? `: ${detail}` : ''}`
        : `the trunk registration in ${region} is now ${state}`;
    this.events.emit({
      type: 'registration',
      region,
      from: previous,
      to: state,
      reason: why,
      at: this.clock.now(),
    });
  }

  /** A per-call outcome from the call path: a passive health signal. */
  reportCallOutcome(region: string, outcome: CallOutcome): void {
    if (!this.known.has(region)) return; // a region removed while its call was in flight
    if (!this.geo.enabled) return; // no health is kept, so no call marks a region down
    this.monitor.reportCallOutcome(region, outcome);
    // With a quorum, silence stays in this instance's own view (answeredByRegion); answers go to every view.
    if (this.quorum.enabled && !answeredByRegion(outcome)) return;
    // Every instance carries calls, but only the leader's monitor writes health: tell it.
    this.forwardToLeader(SIGNAL_CALL, { region, outcome });
  }

  /**
   * A follower's passive signals go to the probe leader. When they cannot be sent (Redis away) this
   * instance acts as leader itself, and has already applied them locally.
   */
  private forwardToLeader(kind: string, payload: unknown): void {
    // With a quorum every instance keeps its own view, so what is forwarded goes to all of them.
    if ((this.isLeader && !this.quorum.enabled) || this.state !== 'running') return;
    try {
      this.live.publishSignal(kind, payload);
    } catch (err) {
      this.log.warn({ err, signal: kind }, 'could not forward a health signal to the probe leader');
    }
  }

  /** A follower's passive signal: only the leader acts on it, as if it had been received here. */
  private onSignal(sig: LiveSignal): void {
    // Sent to an instance that has since lost the lock: dropped, as in transit (with a quorum, every view takes it).
    if (!this.isLeader && !this.quorum.enabled) return;
    const p = sig.payload as Record<string, unknown> | null;
    const region = typeof p?.region === 'string' ? p.region : null;
    if (region === null || !this.known.has(region)) return;
    try {
      if (sig.kind === SIGNAL_CALL && isCallOutcome(p?.outcome)) {
        if (this.quorum.enabled && !answeredByRegion(p.outcome)) return; // another instance's path
        this.monitor.reportCallOutcome(region, p.outcome);
      } else if (sig.kind === SIGNAL_TTL && typeof p?.check === 'string' && isTtlStatus(p.status)) {
        const note = typeof p.note === 'string' ? p.note : undefined;
        this.checks.pushTtl(
          region,
          p.check,
          note === undefined ? { status: p.status } : { status: p.status, note },
        );
      }
    } catch (err) {
      // e.g. a TTL check this instance does not know (configurations differ): the sender's problem to see.
      this.log.warn(
        { err, signal: sig.kind, from: sig.from, region },
        'ignored a health signal from a follower',
      );
    }
  }

  async simulateFailure(region: string, durationSeconds: number): Promise<SimulationInfo> {
    this.running();
    this.failoverEnabled('simulate_failure');
    this.requireRegion(region);
    if (typeof durationSeconds !== 'number' || !Number.isFinite(durationSeconds) || durationSeconds <= 0) {
      throw geoError('GEO_BAD_SETTING', {
        setting: 'duration',
        found: JSON.stringify(durationSeconds),
        expected: 'a number of seconds above 0',
      });
    }
    const until = this.clock.now() + durationSeconds * 1000;
    await this.live.setSimulation(region, until);
    const why = `simulated failure of ${region} until ${iso(until)}`;
    this.log.warn({ region, until: iso(until) }, why);
    this.events.emit({
      type: 'simulation',
      action: 'started',
      region,
      until: iso(until),
      reason: why,
      at: this.clock.now(),
    });
    return { region, until: new Date(until).toISOString() };
  }

  async endSimulation(region?: string): Promise<SimulationInfo[]> {
    this.running();
    if (region !== undefined) this.requireRegion(region);
    const now = this.clock.now();
    const running = this.live.listSimulations(now).filter((s) => region === undefined || s.region === region);
    const ended: SimulationInfo[] = [];
    for (const sim of running) {
      await this.live.setSimulation(sim.region, null);
      ended.push({ region: sim.region, until: new Date(now).toISOString() });
      const why = `simulated failure of ${sim.region} ended`;
      this.log.info({ region: sim.region }, why);
      this.events.emit({
        type: 'simulation',
        action: 'ended',
        region: sim.region,
        until: null,
        reason: why,
        at: now,
      });
    }
    return ended;
  }

  private applySimulation(region: string, until: number | null): void {
    if (!this.monitor.regions().includes(region)) return;
    const now = this.clock.now();
    try {
      this.monitor.setSimulation(region, until !== null && until > now ? until : null);
    } catch (err) {
      this.log.warn({ err, region }, 'could not apply a simulated failure');
    }
  }

  // ---- failover ----

  async manualFailover(req: ManualFailoverRequest): Promise<FailoverResult> {
    this.running();
    this.failoverEnabled('manual_failover');
    return this.engine.serial(async () => {
      const now = this.clock.now();
      const decision = decideManualFailover(
        {
          target: req.target_region,
          by: req.initiated_by ?? 'api',
          reason: req.reason ?? 'manual failover',
          ...(req.force !== undefined ? { force: req.force } : {}),
        },
        this.engine.input(),
        this.geo,
        now,
      );
      const row = await this.engine.applySwitch(decision, now);
      return {
        success: row !== null,
        from_region: decision.from,
        to_region: decision.to,
        reason: row
          ? decision.reason
          : `not applied: another geored instance switched the active region first`,
        occurred_at: row?.occurred_at ?? new Date(now).toISOString(),
      };
    });
  }

  async getFailoverHistory(limit = 50): Promise<FailoverRecord[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw geoError('GEO_BAD_SETTING', {
        setting: 'limit',
        found: JSON.stringify(limit),
        expected: 'an integer from 1 to 10000',
      });
    }
    return (await this.store.listFailovers({ limit })).map(failoverRecord);
  }

  configureFailover(s: FailoverSettings): Promise<Required<FailoverSettings>> {
    checkFailoverSettings(s);
    return this.saveSettings({ failover: s }).then(() => this.failoverInForce());
  }

  /** The automatic-failover settings in force; a read, never a write. */
  failoverInForce(): Required<FailoverSettings> {
    const f = this.geo.failover;
    return {
      automatic: f.automatic,
      min_failure_duration: f.min_failure_duration,
      failover_delay: f.failover_delay,
    };
  }

  configureFailback(s: FailbackSettings): Promise<Required<FailbackSettings>> {
    checkFailbackSettings(s);
    return this.saveSettings({ failback: s }).then(() => this.failbackInForce());
  }

  /** The failback settings in force; a read, never a write. */
  failbackInForce(): Required<FailbackSettings> {
    const f = this.geo.failback;
    return {
      enabled: f.enabled,
      delay: f.delay,
      health_threshold: f.health_threshold,
      automatic: f.automatic,
    };
  }

  async scheduleFailover(req: ScheduleFailoverRequest): Promise<ScheduledFailoverInfo> {
    this.running();
    this.failoverEnabled('schedule_failover');
    this.requireRegion(req.target_region);
    const start = typeof req.start_time === 'string' ? Date.parse(req.start_time) : NaN;
    if (!Number.isFinite(start)) {
      throw geoError('GEO_BAD_SETTING', {
        setting: 'start_time',
        found: JSON.stringify(req.start_time),
        expected: 'an ISO-8601 time such as 2025-01-20T02:00:00Z',
      });
    }
    if (typeof req.duration !== 'number' || !Number.isFinite(req.duration) || req.duration <= 0) {
      throw geoError('GEO_BAD_SETTING', {
        setting: 'duration',
        found: JSON.stringify(req.duration),
        expected: 'a number of seconds above 0',
      });
    }
    // A window entirely in the past would be "completed" at once without ever being in force.
    const end = start + req.duration * 1000;
    const now = this.clock.now();
    if (end <= now) {
      throw geoError('GEO_SCHEDULED_FAILOVER_IN_PAST', {
        setting: 'start_time',
        start: new Date(start).toISOString(),
        duration: req.duration,
        end: new Date(end).toISOString(),
        now: new Date(now).toISOString(),
      });
    }
    const row = await this.store.createScheduledFailover({
      target_region: req.target_region,
      start_time: new Date(start),
      duration: req.duration,
      reason: req.reason ?? null,
      created_by: req.created_by ?? null,
    });
    this.log.info(
      { id: row.id, target: row.target_region, start: row.start_time, duration: row.duration },
      `failover to ${row.target_region} scheduled at ${row.start_time} for ${row.duration} s`,
    );
    await this.engine.reloadAndEvaluate();
    const info = scheduledInfo(row);
    this.events.emit({ type: 'scheduled', action: 'created', schedule: info, at: this.clock.now() });
    return info;
  }

  async cancelScheduledFailover(id: number): Promise<ScheduledFailoverInfo> {
    this.running();
    const row = (await this.store.listScheduledFailovers()).find((s) => s.id === id);
    if (!row) throw geoError('GEO_UNKNOWN_SCHEDULED_FAILOVER', { id });
    if (row.status === 'completed' || row.status === 'cancelled') {
      throw geoError('GEO_SCHEDULED_FAILOVER_OVER', { id, status: row.status });
    }
    const updated = await this.store.updateScheduledFailover(id, { status: 'cancelled' });
    this.log.info({ id }, `scheduled failover ${id} to ${row.target_region} cancelled`);
    await this.engine.reloadAndEvaluate();
    const info = scheduledInfo(updated);
    this.events.emit({ type: 'scheduled', action: 'cancelled', schedule: info, at: this.clock.now() });
    return info;
  }

  async listScheduledFailovers(): Promise<ScheduledFailoverInfo[]> {
    return (await this.store.listScheduledFailovers()).map(scheduledInfo);
  }

  async listPendingFailbacks(): Promise<PendingFailback[]> {
    return (await this.store.listFailbackApprovals({ pending: true })).map(pendingFailback);
  }

  async approveFailback(id: number, by: string): Promise<FailoverResult> {
    this.running();
    this.failoverEnabled('approve_failback');
    const row = await this.decideFailback(id, 'approved', by);
    await this.engine.reloadAndEvaluate();
    const active = this.live.getActive();
    const now = this.clock.now();
    if (active?.name === row.to_region) {
      const last = (await this.store.listFailovers({ limit: 1 }))[0];
      return {
        success: true,
        from_region: row.from_region,
        to_region: row.to_region,
        reason: last?.reason ?? active.reason,
        occurred_at: last?.occurred_at ?? new Date(active.activeSince).toISOString(),
      };
    }
    const why = this.isLeader
      ? decideFailover(this.engine.input(), this.geo, now).reason
      : 'the probe leader applies it when the failback rules allow';
    return {
      success: false,
      from_region: row.from_region,
      to_region: row.to_region,
      reason: `failback to ${row.to_region} approved by ${by} but not done yet: ${why}`,
      occurred_at: new Date(now).toISOString(),
    };
  }

  async rejectFailback(
    id: number,
    by: string,
  ): Promise<PendingFailback & { decision: 'rejected'; decided_by: string }> {
    this.running();
    const row = await this.decideFailback(id, 'rejected', by);
    return { ...pendingFailback(row), decision: 'rejected', decided_by: by };
  }

  private async decideFailback(id: number, decision: 'approved' | 'rejected', by: string) {
    const row = (await this.store.listFailbackApprovals()).find((a) => a.id === id);
    if (!row) throw geoError('GEO_UNKNOWN_FAILBACK', { id });
    if (row.decision !== null) throw geoError('GEO_FAILBACK_DECIDED', { id, decision: row.decision });
    try {
      const decided = await this.store.decideFailbackApproval(id, decision, by, new Date(this.clock.now()));
      this.log.info({ id, by, to: row.to_region }, `failback ${id} to ${row.to_region} ${decision} by ${by}`);
      return decided;
    } catch (err) {
      if (err instanceof GeoredError && err.code === 'STORE_FAILBACK_APPROVAL_DECIDED') {
        throw geoError('GEO_FAILBACK_DECIDED', { id, decision: 'decided' });
      }
      throw err;
    }
  }

  /** The guide's test_failover: the plan and the checks on the target. With dry_run false it also fails over. */
  async testFailover(from: string, to: string, dry_run = true): Promise<TestFailoverResult> {
    const plan = planFailover(from, to, this.engine.input(), this.geo, this.clock.now());
    const result: TestFailoverResult = {
      from_region: from,
      to_region: to,
      dry_run,
      ok: plan.ok,
      reason: plan.reason,
      steps: [...plan.steps],
      checks: plan.checks.map((c) => ({ ...c })),
    };
    if (!dry_run) this.failoverEnabled('test_failover with dry_run false');
    if (!dry_run && plan.ok) {
      const done = await this.manualFailover({
        target_region: to,
        reason: 'test_failover',
        initiated_by: 'test_failover',
      });
      return { ...result, reason: done.reason };
    }
    return result;
  }

  /** Probe latency of the last `minutes`, averaged per minute over successful checks. */
  async getRegionLatency(name: string, minutes = 60): Promise<LatencySeries> {
    this.requireRegion(name);
    const now = this.clock.now();
    await this.recorder.flush();
    const rows = await this.store.listHealthChecks({
      region: name,
      since: new Date(now - minutes * 60_000),
      limit: 20_000,
    });
    return { region: name, minutes, points: latencyPoints(rows, now, minutes) };
  }

  /** A region's recorded events (health-state changes among them), newest first. */
  async getRegionEvents(name: string, limit = 50): Promise<RegionEvent[]> {
    this.requireRegion(name);
    const rows = await this.store.listEvents({ region: name, limit });
    return rows.map((r) => ({
      kind: r.kind,
      region: r.region,
      reason: r.reason,
      details: r.details,
      occurred_at: r.occurred_at,
    }));
  }

  async getRegionMetrics(name: string): Promise<RegionMetrics> {
    this.requireRegion(name);
    const windowDays = this.geo.health_check.retention.max_age_days;
    const since = new Date(this.clock.now() - windowDays * 86_400_000);
    await this.recorder.flush();
    const [stats, calls, failovers, last] = await Promise.all([
      this.store.healthStats(name, since),
      this.store.countCalls(name),
      this.store.countFailovers(name),
      this.store.lastFailover(name),
    ]);
    return {
      // No recorded check yet: 0, not an invented 100 %.
      uptime_percentage: stats.total === 0 ? 0 : Math.round((stats.successes / stats.total) * 10_000) / 100,
      average_latency_ms: stats.avg_latency_ms === null ? 0 : Math.round(stats.avg_latency_ms * 100) / 100,
      calls_handled: calls,
      failover_count: failovers,
      last_failover: last?.occurred_at ?? null,
    };
  }

  // ---- alerts ----

  /** The guide's configure_alerts (email, sms, webhook, on_events) plus each channel's settings. */
  configureAlerts(s: AlertsSettings): Promise<AlertsInForce> {
    return this.alerts.configure(s);
  }

  getAlerts(): AlertsInForce {
    return this.alerts.inForce();
  }

  sendTestAlert(): Promise<TestAlertResult[]> {
    return this.alerts.sendTest();
  }

  listAlertDeliveries(limit = 50) {
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw geoError('GEO_BAD_SETTING', {
        setting: 'limit',
        found: JSON.stringify(limit),
        expected: 'an integer from 1 to 10000',
      });
    }
    return this.alerts.listDeliveries(limit);
  }

  // ---- routing ----

  async enableGeoLoadBalancing(s: {
    strategy: RoutingSettings['strategy'];
    weights?: Record<string, number>;
  }) {
    const patch: RoutingSettings =
      s.weights === undefined
        ? { strategy: s.strategy ?? 'proximity' }
        : { strategy: s.strategy ?? 'proximity', weights: s.weights };
    checkRoutingSettings(patch, new Set(this.known.keys()), this.geo.routing.time_based.length);
    await this.saveSettings({ routing: patch });
    return this.routingInForce();
  }

  async configureTimeBasedRouting(rules: Record<string, string>, timezone?: string) {
    const patch: RoutingSettings = {
      strategy: 'time_of_day',
      time_based: rules,
      ...(timezone !== undefined ? { timezone } : {}),
    };
    checkRoutingSettings(patch, new Set(this.known.keys()), this.geo.routing.time_based.length);
    await this.saveSettings({ routing: patch });
    return this.routingInForce();
  }

  private routingInForce() {
    const r = this.geo.routing;
    return {
      strategy: r.strategy,
      weights: { ...r.weights },
      time_based: Object.fromEntries(r.time_based.map((t) => [t.label, t.region])),
      timezone: r.timezone,
    };
  }

  /** Which regions a new call tries, in order (for the proxy): live state + routing policy → decideRoute. */
  routeCall(facts: CallerFacts, now = this.clock.now()): RouteDecision {
    const r = this.geo.routing;
    if (!this.geo.enabled) {
      // Disabled: no health and no active region, so every region in priority order.
      const regions: RouteRegion[] = [...this.known.values()].map(({ config }) => ({
        name: config.name,
        priority: config.priority,
        weight: config.weight,
        state: HealthState.HEALTHY,
      }));
      const d = decideRoute(
        { regions, active: null, caller: null, now, random: 0 },
        {
          strategy: 'priority',
          weights: {},
          timeRules: [],
          timezone: r.timezone,
          degradedIsEligible: true,
        },
      );
      return { order: d.order, reason: `Geographic redundancy is disabled: ${d.reason}` };
    }
    const regions: RouteRegion[] = [...this.known.values()].map(({ config }) => ({
      name: config.name,
      priority: config.priority,
      weight: config.weight,
      state: this.live.getRegion(config.name)?.state ?? HealthState.HEALTHY,
      ...(config.latitude !== undefined && config.longitude !== undefined
        ? { location: { latitude: config.latitude, longitude: config.longitude } }
        : {}),
    }));
    const caller = locateCaller(facts, r.location_rules);
    return decideRoute(
      { regions, active: this.live.getActive()?.name ?? null, caller, now, random: Math.random() },
      {
        strategy: r.strategy,
        weights: r.weights,
        timeRules: r.time_based,
        timezone: r.timezone,
        degradedIsEligible: this.geo.failover.degraded_is_eligible,
      },
    );
  }

  /** The RegionConfig of every region (the proxy needs targets, credentials and rewrites). */
  regionConfigs(): RegionConfig[] {
    return [...this.known.values()].map((k) => k.config);
  }

  /** The configuration in force: the file's with the API's settings over it. */
  geoConfig(): GeoConfig {
    return this.geo;
  }

  // ---- data replication (the guide's Data Replication and Compliance sections) ----

  /** enable_data_replication(data_types, sync_interval, bidirectional): what changed, refusals, why. */
  enableDataReplication(req: DataReplicationRequest = {}) {
    this.running();
    return enableDataReplication(this.replication, req);
  }

  replicateCdr(req: CdrReplicationRequest) {
    this.running();
    return replicateCdr(this.replication, req);
  }

  configureDataResidency(region: string, constraints: ResidencyRequest, by?: string) {
    this.running();
    return configureDataResidency(this.replication, region, constraints, by);
  }

  enableGdprCompliance(req: GdprRequest) {
    this.running();
    return enableGdprCompliance(this.replication, req);
  }

  getReplicationStatus() {
    return this.replication.status();
  }

  /** Verifies replication now (as every sync_interval does) and answers the status. */
  async verifyReplication() {
    this.running();
    await this.replication.reconcile();
    return this.replication.status();
  }

  recordConsent(subject: string, granted: boolean, by = 'api') {
    this.running();
    return this.replication.recordConsent(subject, granted, by);
  }

  eraseSubject(subject: string, by = 'api') {
    this.running();
    return this.replication.erase(subject, by);
  }

  exportSubject(subject: string, by = 'api') {
    this.running();
    return this.replication.export(subject, by);
  }

  listTransferPolicyChanges(limit = 100) {
    return this.replication.policyLog(limit);
  }

  // ---- internals ----

  private async loadSettings(): Promise<void> {
    if (this.settingsLoaded) return;
    this.settings = (await this.store.kvGet<RuntimeSettings>(SETTINGS_KEY)) ?? {};
    this.geo = effectiveGeoConfig(this.fileConfig.geo, this.settings);
    this.settingsLoaded = true;
  }

  private async saveSettings(patch: RuntimeSettings): Promise<void> {
    // Settings may be changed before start() (a check method set up front): merge with what is saved.
    await this.loadSettings();
    // A change that names nothing (configure_failover() with no arguments) is a read: nothing is written.
    if (!changesAnything(patch)) return;
    const next = mergeSettings(this.settings, patch);
    const geo = effectiveGeoConfig(this.fileConfig.geo, next);
    this.monitor.updateConfig(geo); // refuses unknown methods before anything is saved
    await this.store.kvSet(SETTINGS_KEY, next);
    this.settings = next;
    this.geo = geo;
    this.log.info({ settings: patch }, 'settings changed');
    // GET of a settings section is an empty change (a read): only a real change is an event.
    const changed = Object.values(patch).some(
      (v) => typeof v === 'object' && v !== null && Object.keys(v).length > 0,
    );
    if (changed)
      this.events.emit({ type: 'settings', changed: patch as Record<string, unknown>, at: this.clock.now() });
    if (this.state === 'running') await this.engine.evaluate();
  }

  private onLiveChange(c: LiveChange): void {
    switch (c.kind) {
      case 'region-health': {
        const r = c.region;
        if (!this.known.has(r.name)) return;
        this.metrics.regionScore.set({ region: r.name }, r.score);
        const from = c.previous?.state ?? HealthState.HEALTHY;
        if (c.previous && from === r.state) return;
        const at = this.clock.now();
        this.engine.noteState(r.name, at, r.state);
        this.metrics.setRegionHealth(r.name, r.state);
        if (from !== r.state) {
          if (c.origin === 'local') {
            const level = r.state === HealthState.HEALTHY ? 'info' : 'warn';
            this.log[level]({ region: r.name, from, to: r.state }, r.reason);
            this.recordRegionRows();
            void this.store
              .recordEvent({
                kind: 'health-change',
                region: r.name,
                reason: r.reason,
                details: { from, to: r.state },
                occurred_at: new Date(at),
              })
              .catch((err: unknown) => this.log.warn({ err }, 'could not record a health change'));
          }
          this.events.emit({ type: 'state', region: r.name, from, to: r.state, reason: r.reason, at });
        }
        void this.engine.evaluate();
        return;
      }
      case 'active-region': {
        this.metrics.setActiveRegion(c.active.name, [...this.known.keys()]);
        if (c.origin === 'local') this.recordRegionRows();
        if (c.origin === 'remote') {
          this.log.info(
            { to: c.active.name },
            `active region is now ${c.active.name} (switched by another instance): ${c.active.reason}`,
          );
          this.engine.markStale();
        }
        this.replication.kick();
        return;
      }
      case 'simulation':
        this.applySimulation(c.simulation.region, c.simulation.until);
        return;
      case 'connection':
        this.metrics.liveBackend.set(c.connected ? 1 : 0);
        return;
      default:
        return;
    }
  }
}

/** True when some section of `patch` names at least one defined field. */
function changesAnything(patch: RuntimeSettings): boolean {
  return Object.values(patch).some(
    (section) =>
      section !== undefined && Object.values(section as Record<string, unknown>).some((v) => v !== undefined),
  );
}

export function createGeographicRedundancy(deps: GeoDeps): GeographicRedundancy {
  return new GeographicRedundancy(deps);
}

let instance: Promise<GeographicRedundancy> | null = null;

/** Opens everything from a Config (or a file path; embedded defaults without one) and starts a service. */
export async function openGeographicRedundancy(
  config?: Config | string,
  opts: OpenOptions & Pick<GeoDeps, 'leaderTtlMs' | 'tickMs' | 'refreshMs' | 'checkFlushMs' | 'clock'> = {},
): Promise<GeographicRedundancy> {
  const parts = await openParts(config, opts);
  const service = createGeographicRedundancy({ ...opts, ...parts });
  try {
    await service.start();
  } catch (err) {
    await service.stop().catch(() => undefined);
    throw err;
  }
  return service;
}

/**
 * The process-wide instance, as the guide's get_geographic_redundancy(): opened and started on first use
 * from `config` (a Config, or a config file path; the embedded defaults without one). `memoryStore` keeps
 * records in an in-memory SQLite database instead of the configured store (for scripts and tests).
 */
export function getGeographicRedundancy(
  config?: Config | string,
  opts: OpenOptions = {},
): Promise<GeographicRedundancy> {
  if (!instance) {
    const opening = openGeographicRedundancy(config, opts);
    instance = opening;
    opening.catch(() => {
      if (instance === opening) instance = null;
    });
  }
  return instance;
}

/** Stops the process-wide instance (if any), so the next getGeographicRedundancy() starts afresh. */
export async function resetGeographicRedundancy(): Promise<void> {
  const current = instance;
  instance = null;
  if (current) await (await current).stop();
}
