/**
 * HealthMonitor: runs the probes. Each region has one timer; when it fires, every configured method runs
 * for that region side by side (each bounded by its timeout), the results go through the pure reducers
 * into the region's record, decideHealth gives the state, and the next probe is scheduled with
 * nextProbeDelay (at once after a failure, then every `timeout`, until DOWN is confirmed or it recovers).
 *
 * The monitor only emits events; recording rows, metrics and logging state changes are the engine's.
 * Only the leader probes: the engine calls pause()/resume() on leadership changes. Passive signals (call
 * outcomes, registration state, simulations) apply whether or not this instance probes.
 */
import type { Logger } from 'pino';
import type { RegionConfig } from '../config/types';
import { errorFactory } from '../errors/catalogue';
import { CHECK_ERRORS } from '../errors/checks';
import type { HealthState } from '../model/health-state';
import type { CheckLookup } from './checks/registry';
import type { CheckOutcome } from './checks/types';
import { decideHealth, type HealthDecision } from './decide-health';
import {
  applyCallOutcome,
  callOutcomeMatters,
  applyCheckResult,
  applyRegistrationStatus,
  endSimulation,
  startSimulation,
} from './decide-health-apply';
import {
  newRegionHealthRecord,
  type CallOutcome,
  type CheckResult,
  type HealthDecisionConfig,
  type RegionHealthRecord,
  type RegistrationStatus,
} from './decide-health-types';
import { nextProbeDelay } from './decide-probe-delay';
import { systemClock, type MonitorClock } from './monitor-clock';
import { runCheck, type TimedOutcome } from './monitor-run-check';

const checkError = errorFactory(CHECK_ERRORS);

export type { MonitorClock } from './monitor-clock';

export interface ResultEvent {
  readonly type: 'result';
  readonly region: string;
  readonly method: string;
  readonly outcome: CheckOutcome;
  readonly at: number;
}

export interface StateEvent {
  readonly type: 'state';
  readonly region: string;
  readonly from: HealthState;
  readonly to: HealthState;
  readonly reason: string;
  readonly at: number;
}

export type MonitorEvent = ResultEvent | StateEvent;
type Listener<K extends MonitorEvent['type']> = (event: Extract<MonitorEvent, { type: K }>) => void;

export interface HealthMonitorOptions {
  readonly config: HealthDecisionConfig;
  readonly regions: readonly RegionConfig[];
  readonly checks: CheckLookup;
  readonly clock?: MonitorClock;
  /** Uniform in [0, 1), for probe jitter. */
  readonly random?: () => number;
  /** For listener failures only; the monitor logs nothing per probe. */
  readonly logger?: Logger;
}

export interface RegionSnapshot {
  readonly region: string;
  readonly record: RegionHealthRecord;
  readonly decision: HealthDecision;
  /** Clock time the last probe round finished; null before the first. */
  readonly lastProbeAt: number | null;
  /** Clock time the next probe is due; null while none is scheduled (paused, stopped, in flight). */
  readonly nextProbeAt: number | null;
}

interface Slot {
  region: RegionConfig;
  record: RegionHealthRecord;
  state: HealthState;
  timer: unknown;
  nextProbeAt: number | null;
  simTimer: unknown;
  inflight: Promise<void> | null;
  abort: AbortController | null;
  /** Bumped on pause and removal: a round that started under an older epoch is dropped. */
  epoch: number;
  lastProbeStart: number | null;
  lastProbeAt: number | null;
}

export class HealthMonitor {
  private config: HealthDecisionConfig;
  private readonly checks: CheckLookup;
  private readonly clock: MonitorClock;
  private readonly random: () => number;
  private readonly log: Logger | undefined;
  private readonly slots = new Map<string, Slot>();
  private readonly listeners = new Map<MonitorEvent['type'], Set<(e: MonitorEvent) => void>>([
    ['result', new Set()],
    ['state', new Set()],
  ]);
  private started = false;
  private stopped = false;
  private paused = false;

  constructor(opts: HealthMonitorOptions) {
    this.checks = opts.checks;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.log = opts.logger;
    this.requireMethods(opts.config);
    this.config = opts.config;
    for (const region of opts.regions) this.addRegion(region);
  }

  on<K extends MonitorEvent['type']>(type: K, listener: Listener<K>): this {
    this.listeners.get(type)?.add(listener as unknown as (e: MonitorEvent) => void);
    return this;
  }

  off<K extends MonitorEvent['type']>(type: K, listener: Listener<K>): this {
    this.listeners.get(type)?.delete(listener as unknown as (e: MonitorEvent) => void);
    return this;
  }

  /** Starts probing every region at once (a fresh leader should not wait an interval to know). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const slot of this.slots.values()) this.schedule(slot, 0);
  }

  /** Stops probing and waits for the rounds in flight, whose results are still emitted. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots.values()) this.clearTimers(slot);
    await Promise.all([...this.slots.values()].map((s) => s.inflight));
  }

  /** Lost leadership: no more probes; rounds in flight are abandoned and their results dropped. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const slot of this.slots.values()) {
      this.clearProbeTimer(slot);
      slot.epoch++;
      slot.abort?.abort();
    }
  }

  /** Became leader: probe every region at once, then on the usual schedule. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const slot of this.slots.values()) this.schedule(slot, 0);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  addRegion(region: RegionConfig): void {
    if (this.slots.has(region.name)) throw checkError('CHECK_REGION_EXISTS', { region: region.name });
    const record = newRegionHealthRecord(region.name, this.config);
    const slot: Slot = {
      region,
      record,
      state: decideHealth(record, this.config, this.clock.now()).state,
      timer: null,
      nextProbeAt: null,
      simTimer: null,
      inflight: null,
      abort: null,
      epoch: 0,
      lastProbeStart: null,
      lastProbeAt: null,
    };
    this.slots.set(region.name, slot);
    this.schedule(slot, 0);
  }

  /** Replaces a region's configuration (a new sip_server) keeping its health record. */
  updateRegion(region: RegionConfig): void {
    this.slot(region.name).region = region;
  }

  removeRegion(name: string): void {
    const slot = this.slot(name);
    this.clearTimers(slot);
    slot.epoch++;
    slot.abort?.abort();
    this.slots.delete(name);
  }

  regions(): string[] {
    return [...this.slots.keys()];
  }

  /** New health-check settings; unknown methods are refused before anything changes. */
  updateConfig(config: HealthDecisionConfig): void {
    this.requireMethods(config);
    this.config = config;
    for (const slot of this.slots.values()) {
      if (slot.inflight || slot.timer === null) continue;
      this.clearProbeTimer(slot);
      this.schedule(slot, nextProbeDelay(slot.record, config, this.random()));
    }
  }

  /**
   * A per-call outcome from the call path; enough failures in a row make the region DOWN at once.
   * `detail`: what the transport said for a transport error (`TLS handshake failed: …`), quoted by the reason.
   */
  reportCallOutcome(region: string, outcome: CallOutcome, detail?: string): void {
    const slot = this.slot(region);
    const now = this.clock.now();
    const report = detail === undefined ? { outcome, at: now } : { outcome, at: now, detail };
    const matters = callOutcomeMatters(slot.record, report);
    slot.record = applyCallOutcome(slot.record, report, this.config, now);
    if (matters) this.evaluate(slot, now);
    if (outcome !== 'ok') this.probeSoon(slot, now);
  }

  setRegistrationState(region: string, status: RegistrationStatus, detail?: string): void {
    const slot = this.slot(region);
    const now = this.clock.now();
    const report = detail === undefined ? { status, at: now } : { status, at: now, detail };
    slot.record = applyRegistrationStatus(slot.record, report, this.config, now);
    this.evaluate(slot, now);
  }

  /** simulate-failure until `untilMs` (clock time), or end the simulation with null. Probes go on. */
  setSimulation(region: string, untilMs: number | null): void {
    const slot = this.slot(region);
    const now = this.clock.now();
    if (slot.simTimer !== null) this.clock.clearTimeout(slot.simTimer);
    slot.simTimer = null;
    if (untilMs === null) {
      slot.record = endSimulation(slot.record, now);
    } else {
      slot.record = startSimulation(slot.record, untilMs, now);
      // The state changes back when the simulation ends, whether or not a probe happens then.
      slot.simTimer = this.clock.setTimeout(() => {
        slot.simTimer = null;
        if (this.slots.get(region) === slot) this.evaluate(slot, this.clock.now());
      }, untilMs - now);
    }
    this.evaluate(slot, now);
  }

  records(): Map<string, RegionHealthRecord> {
    return new Map([...this.slots].map(([name, slot]) => [name, slot.record]));
  }

  snapshot(region: string): RegionSnapshot {
    const slot = this.slot(region);
    return {
      region,
      record: slot.record,
      decision: decideHealth(slot.record, this.config, this.clock.now()),
      lastProbeAt: slot.lastProbeAt,
      nextProbeAt: slot.nextProbeAt,
    };
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) throw checkError('CHECK_UNKNOWN_REGION', { region: name });
    return slot;
  }

  private requireMethods(config: HealthDecisionConfig): void {
    for (const method of config.health_check.check_methods) this.checks.get(method);
  }

  private get probing(): boolean {
    return this.started && !this.stopped && !this.paused;
  }

  private schedule(slot: Slot, delayMs: number): void {
    if (!this.probing || slot.timer !== null) return;
    slot.nextProbeAt = this.clock.now() + delayMs;
    slot.timer = this.clock.setTimeout(() => {
      slot.timer = null;
      slot.nextProbeAt = null;
      this.probe(slot);
    }, delayMs);
  }

  /**
   * A failed call is a hint the region may be failing: probe now rather than at the end of the interval,
   * unless a probe is running, the region is already DOWN, or one started less than `timeout` ago.
   */
  private probeSoon(slot: Slot, now: number): void {
    if (!this.probing || slot.inflight || slot.record.down) return;
    const timeoutMs = this.config.health_check.timeout * 1000;
    if (slot.lastProbeStart !== null && now - slot.lastProbeStart < timeoutMs) return;
    if (slot.nextProbeAt !== null && slot.nextProbeAt - now <= timeoutMs) return;
    this.clearProbeTimer(slot);
    this.schedule(slot, 0);
  }

  private probe(slot: Slot): void {
    if (!this.probing || slot.inflight) return;
    const epoch = slot.epoch;
    const ac = new AbortController();
    slot.abort = ac;
    slot.lastProbeStart = this.clock.now();
    const hc = this.config.health_check;
    const methods = hc.check_methods
      .map((name) => this.checks.get(name))
      .filter((entry) => entry.appliesTo?.(slot.region) ?? true);
    const round = Promise.all(
      methods.map((entry) =>
        runCheck(entry, slot.region, entry.timeoutMs ?? hc.timeout * 1000, this.clock, ac.signal).then(
          (timed) => [entry.name, timed] as const,
        ),
      ),
    ).then((results) => {
      if (slot.epoch !== epoch || this.slots.get(slot.region.name) !== slot) return;
      this.applyRound(slot, results);
    });
    slot.inflight = round
      .catch((err: unknown) =>
        this.log?.error({ err, region: slot.region.name }, 'health probe round failed'),
      )
      .finally(() => {
        if (slot.abort === ac) slot.abort = null;
        slot.inflight = null;
      });
  }

  private applyRound(slot: Slot, results: ReadonlyArray<readonly [string, TimedOutcome]>): void {
    const cfg = this.config;
    const name = slot.region.name;
    let latest = slot.lastProbeStart ?? this.clock.now();
    for (const [method, { outcome, at, elapsed }] of results) {
      latest = Math.max(latest, at);
      slot.record = applyCheckResult(slot.record, toCheckResult(method, outcome, at, elapsed), cfg, at);
      this.emit({ type: 'result', region: name, method, outcome, at });
    }
    const now = this.clock.now();
    slot.lastProbeAt = latest;
    this.evaluate(slot, now);
    this.schedule(slot, nextProbeDelay(slot.record, cfg, this.random()));
  }

  private evaluate(slot: Slot, now: number): void {
    const { state, reason } = decideHealth(slot.record, this.config, now);
    if (state === slot.state) return;
    const from = slot.state;
    slot.state = state;
    this.emit({ type: 'state', region: slot.region.name, from, to: state, reason, at: now });
  }

  private emit(event: MonitorEvent): void {
    for (const listener of this.listeners.get(event.type) ?? []) {
      try {
        listener(event);
      } catch (err) {
        // A broken listener must not stop probing or keep the other listeners from hearing the event.
        this.log?.error({ err, event: event.type, region: event.region }, 'health monitor listener threw');
      }
    }
  }

  private clearProbeTimer(slot: Slot): void {
    if (slot.timer !== null) this.clock.clearTimeout(slot.timer);
    slot.timer = null;
    slot.nextProbeAt = null;
  }

  private clearTimers(slot: Slot): void {
    this.clearProbeTimer(slot);
    if (slot.simTimer !== null) this.clock.clearTimeout(slot.simTimer);
    slot.simTimer = null;
  }
}

/** A check outcome as the reducers read it; a failure without a measured latency took all it was given. */
export function toCheckResult(method: string, o: CheckOutcome, at: number, elapsed: number): CheckResult {
  const latency_ms = o.latency_ms ?? elapsed;
  const base = { method, success: o.success, latency_ms, at };
  if (!o.success) return { ...base, error: o.error ?? 'failed' };
  if (o.level === 'warning') return { ...base, warning: o.detail ?? o.error ?? 'warning' };
  return base;
}
