/**
 * GeographicRedundancy: the TypeScript API of geored, mirroring the guide's Python API (camelCase
 * methods, the guide's snake_case JSON). The REST API is a thin layer over it, through GeoFacade
 * (facade-types.ts), which this class implements.
 *
 * This file is the facade: it wires the parts and runs the life cycle (start, stop, probe leadership, live
 * state changes); each method delegates to the part that does the job —
 *   region-registry.ts     the regions (file and API), geo_regions rows, change listeners
 *   leader-signals.ts      call outcomes, TTL checks and registration states, forwarded to the probe leader
 *   health-views.ts        region health, latency, events, metrics, the active region, the loop's last decision
 *   simulations.ts         simulate_failure
 *   operator-failover.ts   manual_failover, test_failover, the failover history
 *   scheduled-failovers.ts schedule_failover;  failback-approvals.ts  approving a failback
 *   runtime-settings.ts    settings changed through the API, where each comes from, reset to the file
 *   call-routing.ts        which regions a call tries;  singleton.ts  get_geographic_redundancy()
 *   live-changes.ts        what this instance does on a live-state change;  readiness.ts  GET /readyz
 * Health comes from the HealthMonitor (on the probe leader only) through live state, failover decisions
 * from the pure functions in src/failover through the FailoverEngine. Everything an operator changes is
 * written to the store first, so a restart (or another instance sharing the store) sees it.
 */
import pino, { type Logger } from 'pino';
import { Alerter } from '../alerts/alerter';
import type { AlertsSettings } from '../alerts/settings-types';
import type { Config, GeoConfig, RegionConfig } from '../config/types';
import { guardTransition, type TransitionTable } from '../errors/state';
import type { CheckRegistry } from '../health/checks/registry';
import type { CustomCheckFn } from '../health/checks/custom';
import type { CallOutcome } from '../health/decide-health-types';
import { HealthMonitor, type ResultEvent } from '../health/monitor';
import { systemClock, type MonitorClock } from '../health/monitor-clock';
import type { LeaderHandle, LiveState, RegistrationState as LiveRegistrationState } from '../live/types';
import { Metrics } from '../metrics/registry';
import { HealthState } from '../model/health-state';
import { Replicator } from '../replication/replicator';
import type { RouteDecision } from '../routing/decide-route';
import type { CallerFacts } from '../routing/locate-caller';
import type { Store } from '../store/types';
import { routeCall } from './call-routing';
import { CheckRecorder } from './check-recorder';
import { checkLimit, geoError, requireRunning, type GeoContext, type ServiceState } from './context';
import { FailoverEngine } from './engine';
import { GeoEvents } from './events';
import { followLiveChange } from './live-changes';
import type { CallsQuery, GeoFacade, LoadBalancingSettings, RegionPatch } from './facade-types';
import { FailbackApprovals } from './failback-approvals';
import { HealthFeed } from './health-feed';
import { HealthViews } from './health-views';
import { QuorumFeed } from './quorum-feed';
import { LeaderSignals } from './leader-signals';
import { OperatorFailover } from './operator-failover';
import { readinessProblems } from './readiness';
import { RegionRegistry } from './region-registry';
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
import { RuntimeSettingsStore } from './runtime-settings';
import { ScheduledFailovers } from './scheduled-failovers';
import { Simulations } from './simulations';
import type {
  FailbackSettings,
  FailoverSettings,
  GeoEvent,
  HealthCheckSettings,
  ManualFailoverRequest,
  RegionInput,
  ScheduleFailoverRequest,
  SettingsGroup,
  TtlStatus,
} from './types';

export type { ServiceState } from './context';

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

/** The service's life cycle: stop() may come at any point before it is stopped; nothing restarts it. */
const SERVICE_TRANSITIONS: TransitionTable<ServiceState> = {
  new: ['starting', 'stopping'],
  starting: ['running', 'stopping'],
  running: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export class GeographicRedundancy implements GeoFacade {
  // What the service was given or built, readable by tests and tools that inspect one instance; code outside
  // src/geo uses the facade's methods (or is handed these parts by the composition root), not these fields.
  readonly store: Store;
  readonly live: LiveState;
  readonly metrics: Metrics;
  readonly checks: CheckRegistry;
  readonly monitor: HealthMonitor;
  /** Alerts on this service's events (src/alerts); the service only delegates to it. */
  readonly alerts: Alerter;
  /** Data replication between the regions' databases (src/replication). */
  readonly replication: Replicator;
  private readonly fileConfig: Config;
  private readonly clock: MonitorClock;
  private readonly log: Logger;
  private readonly events: GeoEvents;
  private readonly engine: FailoverEngine;
  private readonly recorder: CheckRecorder;
  private readonly feed: HealthFeed;
  readonly quorum: QuorumFeed;
  private readonly regions: RegionRegistry;
  private readonly settings: RuntimeSettingsStore;
  private readonly signals: LeaderSignals;
  private readonly views: HealthViews;
  private readonly simulations: Simulations;
  private readonly operator: OperatorFailover;
  private readonly schedules: ScheduledFailovers;
  private readonly approvals: FailbackApprovals;
  private readonly ctx: GeoContext;
  private leader: LeaderHandle | null = null;
  private readonly unsubscribe: Array<() => void> = [];
  private syncTimer: NodeJS.Timeout | null = null;
  private state: ServiceState = 'new';
  /** Whether this instance acted on its election (the handle may report it twice). */
  private leading = false;

  constructor(private readonly deps: GeoDeps) {
    this.fileConfig = deps.config;
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
        config: deps.config.geo,
        regions: [],
        checks: this.checks,
        clock: this.clock,
        logger: this.log,
      });
    this.recorder = new CheckRecorder({
      store: this.store,
      logger: this.log,
      retention: () => this.geo().health_check.retention,
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
      regions: () => this.regions.configs(),
      geo: () => this.geo(),
      isLeader: () => this.isLeader,
      quorumNote: (region) => this.quorum.note(region),
      ...(deps.tickMs !== undefined ? { tickMs: deps.tickMs } : {}),
      ...(deps.refreshMs !== undefined ? { refreshMs: deps.refreshMs } : {}),
    });
    this.quorum = new QuorumFeed({
      live: this.live,
      logger: this.log,
      metrics: this.metrics,
      geo: () => this.geo(),
      regions: () => this.monitor.regions(),
      isLeader: () => this.isLeader,
      onAgreed: () => this.engine.kick(),
    });
    const ctx: GeoContext = (this.ctx = {
      store: this.store,
      live: this.live,
      metrics: this.metrics,
      monitor: this.monitor,
      checks: this.checks,
      clock: this.clock,
      log: this.log,
      events: this.events,
      recorder: this.recorder,
      engine: this.engine,
      quorum: this.quorum,
      fileConfig: this.fileConfig,
      geo: () => this.geo(),
      isLeader: () => this.isLeader,
      state: () => this.state,
    });
    this.regions = new RegionRegistry(ctx);
    this.settings = new RuntimeSettingsStore(ctx, () => new Set(this.regions.names()));
    this.signals = new LeaderSignals(ctx, this.regions);
    this.views = new HealthViews(ctx, this.regions);
    this.simulations = new Simulations(ctx, this.regions);
    this.operator = new OperatorFailover(ctx);
    this.schedules = new ScheduledFailovers(ctx, this.regions);
    this.approvals = new FailbackApprovals(ctx);
    this.replication = new Replicator({
      regions: () =>
        this.regions
          .configs()
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
    await this.settings.load();
    const geo = this.geo();
    this.checks.configure(geo.health_check.custom_checks);
    this.checks.requireAll(geo.health_check.check_methods);
    this.monitor.updateConfig(geo);
    const saved = this.settings.saved();
    if (Object.keys(saved).length > 0) {
      this.log.info({ settings: saved }, 'settings changed through the API are in force over the file');
    }
    await this.regions.load();
    await this.alerts.start(this);
    this.unsubscribe.push(
      this.live.onChange((c) =>
        followLiveChange(c, {
          ctx: this.ctx,
          regions: this.regions,
          simulations: this.simulations,
          replication: this.replication,
        }),
      ),
    );
    // Set now, not only on a change: memory live state is always connected and never reports a change.
    this.metrics.liveBackend.set(this.live.status().connected ? 1 : 0);
    this.unsubscribe.push(this.live.onSignal((sig) => this.signals.onSignal(sig)));
    for (const name of this.regions.names())
      this.metrics.setRegionHealth(name, this.live.getRegion(name)?.state ?? HealthState.HEALTHY);
    if (!geo.enabled) {
      // features.geographic_redundancy.enabled: false — no probes, no decisions, no failover of any kind.
      this.startSync();
      this.state = 'running';
      this.metrics.setActiveRegion(null, this.regions.names());
      this.log.info(
        { regions: this.regions.names(), source: this.fileConfig.source },
        'geographic redundancy is disabled (features.geographic_redundancy.enabled: false): no health ' +
          'probes and no failover; calls go to regions by priority alone, trunk registrations and the ' +
          'API keep working',
      );
      this.regions.recordRows();
      return;
    }
    await this.engine.load();
    await this.simulations.restore();

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
    this.startSync();
    this.moveTo('running');
    this.metrics.setActiveRegion(this.live.getActive()?.name ?? null, this.regions.names());
    const n = this.regions.size;
    this.log.info(
      { regions: this.regions.names(), store: this.store.url, live: this.live.status().backend },
      `geographic redundancy running with ${n} region${n === 1 ? '' : 's'}`,
    );
    await this.engine.evaluate();
    this.regions.recordRows();
  }

  private startSync(): void {
    this.syncTimer = setInterval(() => void this.regions.sync(), this.deps.refreshMs ?? 1000);
    this.syncTimer.unref();
  }

  /** What keeps this instance from serving, for GET /readyz: empty when ready (readiness.ts). */
  notReady(timeoutMs = 2000): Promise<string[]> {
    return readinessProblems(this.state, this.store, this.live, timeoutMs);
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
    await this.regions.drain();
    for (const off of this.unsubscribe) off();
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
    void this.feed
      .writeAll()
      .catch((err: unknown) => this.log.warn({ err }, 'could not write health to live state on election'))
      .then(() => this.engine.kick());
  }

  private onLost(): void {
    if (!this.leading) return;
    this.leading = false;
    this.metrics.probeLeader.set(0);
    this.log.warn({ instance: this.live.instanceId }, 'this instance no longer runs the health probes');
    if (!this.quorum.enabled) this.monitor.pause();
  }

  on<K extends GeoEvent['type']>(
    type: K,
    listener: (event: Extract<GeoEvent, { type: K }>) => void,
  ): () => void {
    return this.events.on(type, listener);
  }

  // ---- for the call path ----

  /** Called after any region is added, changed or removed (here or by another instance); returns an unsubscribe. */
  onRegionsChanged(listener: () => void): () => void {
    return this.regions.onChanged(listener);
  }

  /** Every probe result of this instance's monitor (the call path learns round-trip times); returns an unsubscribe. */
  onProbeResult(listener: (e: ResultEvent) => void): () => void {
    this.monitor.on('result', listener);
    return () => this.monitor.off('result', listener);
  }

  /** The RegionConfig of every region (the proxy needs targets, credentials and rewrites). */
  regionConfigs(): RegionConfig[] {
    return this.regions.configs();
  }

  /** The configuration in force: the file's with the API's settings over it. */
  geoConfig(): GeoConfig {
    return this.geo();
  }

  private running(): void {
    requireRunning({ state: () => this.state });
  }

  private geo(): GeoConfig {
    return this.settings.geo();
  }

  /** Which regions a new call tries, in order (for the proxy): live state + routing policy → decideRoute. */
  routeCall(facts: CallerFacts, now = this.clock.now()): RouteDecision {
    return routeCall(this.regions.configs(), this.live, this.geo(), facts, now);
  }

  reportCallOutcome(region: string, outcome: CallOutcome, detail?: string): void {
    this.signals.reportCallOutcome(region, outcome, detail);
  }

  setRegistrationState(region: string, state: LiveRegistrationState, detail?: string): Promise<void> {
    return this.signals.setRegistrationState(region, state, detail);
  }

  /** GET /api/calls: the call records, newest first. */
  listCalls(q: CallsQuery) {
    return this.store.listCalls({
      limit: q.limit,
      ...(q.region !== undefined ? { region: q.region } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
      ...(q.until !== undefined ? { until: q.until } : {}),
      ...(q.status !== undefined ? { status: q.status } : {}),
    });
  }

  // ---- regions (region-registry.ts) ----

  registerRegion(input: RegionInput) {
    return this.regions.register(input);
  }
  updateRegion(name: string, patch: RegionPatch) {
    return this.regions.update(name, patch);
  }
  removeRegion(name: string) {
    return this.regions.remove(name);
  }
  getRegion(name: string) {
    return this.regions.get(name);
  }
  listRegions() {
    return this.regions.list();
  }

  // ---- health (health-views.ts, leader-signals.ts, simulations.ts) ----

  getActiveRegion() {
    return this.views.getActiveRegion();
  }
  /** The failover loop's last decision and why (it runs on the probe leader; null elsewhere or before). */
  getFailoverDecision() {
    return this.views.getFailoverDecision();
  }
  getRegionHealth(name: string) {
    return this.views.getRegionHealth(name);
  }
  getRegionLatency(name: string, minutes = 60) {
    return this.views.getRegionLatency(name, minutes);
  }
  getRegionEvents(name: string, limit = 50) {
    return this.views.getRegionEvents(name, limit);
  }
  getRegionMetrics(name: string) {
    return this.views.getRegionMetrics(name);
  }
  /** The guide's add_health_check_method('custom', fn): used once `check_methods` names it. */
  addHealthCheckMethod(name: string, fn: CustomCheckFn, opts: { timeoutMs?: number } = {}): void {
    this.checks.register(name, fn, opts);
    this.log.info({ method: name }, `health-check method ${name} registered`);
  }
  pushTtlCheck(region: string, check: string, status: TtlStatus, note?: string) {
    return this.signals.pushTtlCheck(region, check, status, note);
  }
  simulateFailure(region: string, durationSeconds: number) {
    return this.simulations.simulateFailure(region, durationSeconds);
  }
  endSimulation(region?: string) {
    return this.simulations.endSimulation(region);
  }

  // ---- failover (operator-failover.ts, scheduled-failovers.ts, failback-approvals.ts) ----

  manualFailover(req: ManualFailoverRequest) {
    return this.operator.manualFailover(req);
  }
  getFailoverHistory(limit = 50) {
    return this.operator.getFailoverHistory(limit);
  }
  testFailover(from: string, to: string, dry_run = true) {
    return this.operator.testFailover(from, to, dry_run);
  }
  scheduleFailover(req: ScheduleFailoverRequest) {
    return this.schedules.schedule(req);
  }
  cancelScheduledFailover(id: number) {
    return this.schedules.cancel(id);
  }
  listScheduledFailovers() {
    return this.schedules.list();
  }
  listPendingFailbacks() {
    return this.approvals.listPending();
  }
  approveFailback(id: number, by: string) {
    return this.approvals.approve(id, by);
  }
  rejectFailback(id: number, by: string) {
    return this.approvals.reject(id, by);
  }

  // ---- run-time settings (runtime-settings.ts) ----

  configureHealthCheck(s: HealthCheckSettings) {
    return this.settings.configureHealthCheck(s);
  }
  healthCheckInForce() {
    return this.settings.healthCheckInForce();
  }
  configureFailover(s: FailoverSettings) {
    return this.settings.configureFailover(s);
  }
  failoverInForce() {
    return this.settings.failoverInForce();
  }
  configureFailback(s: FailbackSettings) {
    return this.settings.configureFailback(s);
  }
  failbackInForce() {
    return this.settings.failbackInForce();
  }
  enableGeoLoadBalancing(s: LoadBalancingSettings) {
    return this.settings.enableGeoLoadBalancing(s);
  }
  configureTimeBasedRouting(rules: Record<string, string>, timezone?: string) {
    return this.settings.configureTimeBasedRouting(rules, timezone);
  }
  settingsInForce<G extends SettingsGroup>(group: G) {
    return this.settings.settingsInForce(group);
  }
  resetSettings<G extends SettingsGroup>(group: G, fields?: readonly string[]) {
    return this.settings.reset(group, fields);
  }

  // ---- alerts (src/alerts) ----

  /** The guide's configure_alerts (email, sms, webhook, on_events) plus each channel's settings. */
  configureAlerts(s: AlertsSettings) {
    return this.alerts.configure(s);
  }
  getAlerts() {
    return this.alerts.inForce();
  }
  alertsInForce() {
    return { ...this.alerts.inForce(), source: this.alerts.sources() };
  }
  async resetAlerts(fields?: readonly string[]) {
    const inForce = await this.alerts.reset(fields);
    return { ...inForce, source: this.alerts.sources() };
  }
  sendTestAlert() {
    return this.alerts.sendTest();
  }
  listAlertDeliveries(limit = 50) {
    checkLimit(limit);
    return this.alerts.listDeliveries(limit);
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
}

export function createGeographicRedundancy(deps: GeoDeps): GeographicRedundancy {
  return new GeographicRedundancy(deps);
}
