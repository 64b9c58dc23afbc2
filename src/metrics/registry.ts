/**
 * Every Prometheus metric geored exports, defined in one place so names and labels stay consistent.
 * Each geored process gets its own `Metrics` (its own prom-client Registry), which keeps tests that run
 * several instances in one process from sharing counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { HEALTH_STATES, type HealthState } from '../model/health-state';

export class Metrics {
  readonly registry = new Registry();

  readonly regionHealth = new Gauge({
    name: 'geored_region_health_state',
    help: 'Health state of each region: 1 for the current state, 0 for the others',
    labelNames: ['region', 'state'] as const,
    registers: [this.registry],
  });
  readonly regionScore = new Gauge({
    name: 'geored_region_health_score',
    help: 'Health score of each region over its sliding window, 0..1',
    labelNames: ['region'] as const,
    registers: [this.registry],
  });
  readonly activeRegion = new Gauge({
    name: 'geored_active_region',
    help: '1 for the active region, 0 for the others',
    labelNames: ['region'] as const,
    registers: [this.registry],
  });
  readonly probeLatency = new Histogram({
    name: 'geored_probe_latency_seconds',
    help: 'Latency of health-check probes that succeeded',
    labelNames: ['region', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly probes = new Counter({
    name: 'geored_probes_total',
    help: 'Health-check probes by outcome',
    labelNames: ['region', 'method', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly failovers = new Counter({
    name: 'geored_failovers_total',
    help: 'Switches of the active region',
    labelNames: ['from', 'to', 'automatic'] as const,
    registers: [this.registry],
  });
  readonly suppressedSwitches = new Counter({
    name: 'geored_failovers_suppressed_total',
    help: 'Automatic switches the flap guard suppressed',
    registers: [this.registry],
  });
  readonly calls = new Counter({
    name: 'geored_calls_total',
    help: 'Calls routed, by the region that carried them and their outcome',
    labelNames: ['region', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly callRecordsSpooled = new Gauge({
    name: 'geored_call_records_spooled',
    help: 'Call records held in memory because the store could not take them yet (written when it returns)',
    registers: [this.registry],
  });
  readonly callRecordsDropped = new Counter({
    name: 'geored_call_records_dropped_total',
    help: 'Call records lost: the store stayed away longer than the spool holds, or a record was invalid',
    registers: [this.registry],
  });
  readonly callFailovers = new Counter({
    name: 'geored_call_failovers_total',
    help: 'Per-call failovers: a call moved from one region to the next within its transaction',
    labelNames: ['from', 'to', 'cause'] as const,
    registers: [this.registry],
  });
  readonly registrationState = new Gauge({
    name: 'geored_registration_state',
    help: 'Trunk registration state per region: 1 for the current state, 0 for the others',
    labelNames: ['region', 'state'] as const,
    registers: [this.registry],
  });
  readonly sipIn = new Counter({
    name: 'geored_sip_messages_in_total',
    help: 'SIP messages received, by method (requests) or status (responses)',
    labelNames: ['kind', 'value'] as const,
    registers: [this.registry],
    collect: () => this.flushSipCounts(),
  });
  readonly sipOut = new Counter({
    name: 'geored_sip_messages_out_total',
    help: 'SIP messages sent, by method (requests) or status (responses)',
    labelNames: ['kind', 'value'] as const,
    registers: [this.registry],
    collect: () => this.flushSipCounts(),
  });
  /**
   * The call path counts SIP messages in plain numbers (prom-client hashes and validates the labels of every
   * increment, even on a child) and adds them to sipIn/sipOut here, when they are read.
   */
  private readonly sipCountFlushers: Array<() => void> = [];
  onCollectSipCounts(flush: () => void): void {
    this.sipCountFlushers.push(flush);
  }
  private flushSipCounts(): void {
    for (const flush of this.sipCountFlushers) flush();
  }
  readonly transactions = new Gauge({
    name: 'geored_sip_transactions',
    help: 'SIP transactions alive',
    registers: [this.registry],
  });
  readonly addedLatency = new Histogram({
    name: 'geored_proxy_added_latency_seconds',
    help: 'Time a message spends inside geored: INVITE in to INVITE out, and 200 in to 200 out',
    labelNames: ['leg'] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05],
    registers: [this.registry],
  });
  readonly liveBackend = new Gauge({
    name: 'geored_live_state_connected',
    help: '1 when the live-state backend (Redis) is reachable, 0 when geored runs on its last known state',
    registers: [this.registry],
  });
  readonly regionHealthViews = new Gauge({
    name: 'geored_region_health_views',
    help: "Fresh views of a region per health state, over the instances sharing live state (each instance's own probes and calls)",
    labelNames: ['region', 'state'] as const,
    registers: [this.registry],
  });
  readonly regionHealthQuorum = new Gauge({
    name: 'geored_region_health_quorum',
    help: 'Fresh views that must agree before a region takes a worse state (health_check.quorum over the fresh views)',
    labelNames: ['region'] as const,
    registers: [this.registry],
  });
  readonly probeLeader = new Gauge({
    name: 'geored_probe_leader',
    help: '1 when this instance runs the health probes',
    registers: [this.registry],
  });
  readonly sipRefused = new Counter({
    name: 'geored_sip_refused_total',
    help: 'Requests refused before any transaction: unknown_source, banned; by how (reject = one stateless 403, silence)',
    labelNames: ['reason', 'response'] as const,
    registers: [this.registry],
  });
  readonly strayResponsesDropped = new Counter({
    name: 'geored_sip_stray_responses_dropped_total',
    help: 'Responses that matched no transaction of ours and were dropped instead of relayed',
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'geored_auth_failures_total',
    help: 'Wrong digest answers to the PBX registrar or to the PBX request challenge',
    registers: [this.registry],
  });
  readonly authBans = new Counter({
    name: 'geored_auth_bans_total',
    help: 'Failed-authentication bans started, by kind (source IP, user name)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly authBansActive = new Gauge({
    name: 'geored_auth_bans_active',
    help: 'Failed-authentication bans in force, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: () => {
      const active = this.activeBans?.();
      if (!active) return;
      this.authBansActive.set({ kind: 'source' }, active.source);
      this.authBansActive.set({ kind: 'user' }, active.user);
    },
  });
  /** Read at scrape time for geored_auth_bans_active (the registrar's ban table). */
  activeBans: (() => { source: number; user: number }) | undefined;
  readonly connectionsRefused = new Counter({
    name: 'geored_tcp_connections_refused_total',
    help: 'Inbound TCP/TLS connections refused or closed by a limit: per_source, inbound_limit, header_timeout',
    labelNames: ['protocol', 'reason'] as const,
    registers: [this.registry],
  });
  readonly udpReceiveBuffer = new Gauge({
    name: 'geored_udp_receive_buffer_bytes',
    help: 'SO_RCVBUF the kernel granted each UDP listener (capped by net.core.rmem_max)',
    labelNames: ['local'] as const,
    registers: [this.registry],
    collect: () => this.collectUdp(),
  });
  readonly udpReceiveDrops = new Gauge({
    name: 'geored_udp_receive_drops',
    help: 'Datagrams the kernel dropped on each UDP listener (the drops column of /proc/net/udp, udp6)',
    labelNames: ['local'] as const,
    registers: [this.registry],
  });
  /** Read at scrape time for the two UDP gauges (the SIP stack's listeners). */
  udpStats: (() => ReadonlyArray<{ local: string; receiveBuffer: number; drops: number | null }>) | undefined;
  readonly replicationLagBytes = new Gauge({
    name: 'geored_replication_lag_bytes',
    help: 'WAL bytes a region has not yet confirmed from its publisher (PostgreSQL logical replication)',
    labelNames: ['publisher', 'subscriber'] as const,
    registers: [this.registry],
  });
  readonly replicationLagSeconds = new Gauge({
    name: 'geored_replication_lag_seconds',
    help: 'Replay lag of a region behind its publisher, seconds (0 when nothing is outstanding)',
    labelNames: ['publisher', 'subscriber'] as const,
    registers: [this.registry],
  });
  readonly replicationTableReady = new Gauge({
    name: 'geored_replication_table_ready',
    help: '1 when a replicated table is in sync in a region (subscription state ready), else 0',
    labelNames: ['region', 'table'] as const,
    registers: [this.registry],
  });
  readonly replicationTableState = new Gauge({
    name: 'geored_replication_table_state',
    help: "1 for a replicated table's current state in a region (ready, copying, disabled, missing, …), 0 for the others",
    labelNames: ['publisher', 'region', 'table', 'state'] as const,
    registers: [this.registry],
  });
  readonly replicationTableLagBytes = new Gauge({
    name: 'geored_replication_table_lag_bytes',
    help: 'WAL bytes a region has not confirmed of the channel that carries this table',
    labelNames: ['publisher', 'region', 'table'] as const,
    registers: [this.registry],
  });
  readonly replicationTableLagSeconds = new Gauge({
    name: 'geored_replication_table_lag_seconds',
    help: 'Seconds a region lags its publisher on the channel that carries this table',
    labelNames: ['publisher', 'region', 'table'] as const,
    registers: [this.registry],
  });
  /** Each (publisher, region, table) → the state last set, so the previous one is zeroed. */
  private readonly tableStates = new Map<string, string>();
  readonly replicationVerified = new Gauge({
    name: 'geored_replication_last_verification_timestamp_seconds',
    help: 'When geored last verified replication (Unix time)',
    registers: [this.registry],
  });
  readonly replicationChanges = new Counter({
    name: 'geored_replication_changes_total',
    help: 'Changes geored made to publications, subscriptions and slots, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  readonly eventLoopLag = new Gauge({
    name: 'geored_event_loop_lag_seconds',
    help: 'Event-loop delay (p99 since the previous scrape)',
    registers: [this.registry],
    collect: () => {
      this.eventLoopLag.set(this.loopDelay.percentile(99) / 1e9);
      this.loopDelay.reset();
    },
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'geored_' });
    this.loopDelay.enable();
  }

  private collectUdp(): void {
    for (const u of this.udpStats?.() ?? []) {
      this.udpReceiveBuffer.set({ local: u.local }, u.receiveBuffer);
      if (u.drops !== null) this.udpReceiveDrops.set({ local: u.local }, u.drops);
    }
  }

  setRegionHealth(region: string, state: HealthState): void {
    for (const s of HEALTH_STATES) this.regionHealth.set({ region, state: s }, s === state ? 1 : 0);
  }

  /** Fresh views of `region` per state (every state written, so a state no view holds reads 0). */
  setRegionHealthViews(region: string, states: readonly HealthState[], required: number | null): void {
    for (const s of HEALTH_STATES)
      this.regionHealthViews.set({ region, state: s }, states.filter((x) => x === s).length);
    if (required === null) this.regionHealthQuorum.remove({ region });
    else this.regionHealthQuorum.set({ region }, required);
  }

  setActiveRegion(active: string | null, regions: readonly string[]): void {
    for (const r of regions) this.activeRegion.set({ region: r }, r === active ? 1 : 0);
  }

  setRegistrationState(region: string, state: string, all: readonly string[]): void {
    for (const s of all) this.registrationState.set({ region, state: s }, s === state ? 1 : 0);
  }

  setReplicationLag(
    publisher: string,
    subscriber: string,
    bytes: number | null,
    seconds: number | null,
  ): void {
    if (bytes === null) this.replicationLagBytes.remove({ publisher, subscriber });
    else this.replicationLagBytes.set({ publisher, subscriber }, bytes);
    if (seconds === null) this.replicationLagSeconds.remove({ publisher, subscriber });
    else this.replicationLagSeconds.set({ publisher, subscriber }, seconds);
  }

  setReplicationTable(region: string, table: string, ready: boolean): void {
    this.replicationTableReady.set({ region, table }, ready ? 1 : 0);
  }

  setReplicationTableStatus(
    publisher: string,
    region: string,
    table: string,
    state: string,
    bytes: number | null,
    seconds: number | null,
  ): void {
    const labels = { publisher, region, table };
    const key = `${publisher}\u0000${region}\u0000${table}`;
    const before = this.tableStates.get(key);
    if (before !== undefined && before !== state)
      this.replicationTableState.set({ ...labels, state: before }, 0);
    this.tableStates.set(key, state);
    this.replicationTableState.set({ ...labels, state }, 1);
    if (bytes === null) this.replicationTableLagBytes.remove(labels);
    else this.replicationTableLagBytes.set(labels, bytes);
    if (seconds === null) this.replicationTableLagSeconds.remove(labels);
    else this.replicationTableLagSeconds.set(labels, seconds);
  }

  setReplicationVerified(atMs: number): void {
    this.replicationVerified.set(atMs / 1000);
  }

  countReplicationChange(kind: string): void {
    this.replicationChanges.inc({ kind });
  }

  forgetRegion(region: string): void {
    for (const m of [
      this.regionHealth,
      this.regionScore,
      this.activeRegion,
      this.registrationState,
      this.regionHealthViews,
      this.regionHealthQuorum,
    ]) {
      m.remove({ region } as never);
    }
  }

  close(): void {
    this.loopDelay.disable();
  }
}
