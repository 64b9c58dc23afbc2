/**
 * The failover engine: gathers a FailoverInput from live state and the store, asks the pure decideFailover
 * (src/failover) what to do, and applies the answer — the live active region, a history row, metrics, one
 * log line with the decision's reason, and an event. It decides nothing itself.
 *
 * Operators' inputs that must survive a restart live in the store: the pin of the last manual or scheduled
 * switch and the last active region (kv), scheduled failovers and failback approvals (their tables).
 */
import type { Logger } from 'pino';
import type { GeoConfig, RegionConfig } from '../config/types';
import { decideApprovalRequest } from '../failover/decide-approval';
import { decideFailover } from '../failover/decide-failover';
import { decideManualPin, type ManualPinDecision } from '../failover/decide-manual-pin';
import type {
  FailbackApproval,
  FailoverDecision,
  FailoverInput,
  Pin,
  RegionView,
  ScheduledFailover,
} from '../failover/decide-failover-types';
import { GeoredError } from '../errors/catalogue';
import type { LiveState } from '../live/types';
import type { Metrics } from '../metrics/registry';
import { LogLimiter } from '../sip/stack/log-limiter';
import { HealthState } from '../model/health-state';
import type { FailbackApprovalRow, FailoverRow, ScheduledFailoverRow, Store } from '../store/types';
import type { GeoEvents } from './events';
import type { LoopDecision } from './types';
import { failoverRecord, scheduledInfo } from './views';

export const PIN_KEY = 'geo.pin';
export const ACTIVE_KEY = 'geo.active';

export type SwitchDecision = Extract<FailoverDecision, { kind: 'switch' }>;

export interface EngineDeps {
  readonly store: Store;
  readonly live: LiveState;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly events: GeoEvents;
  readonly now: () => number;
  readonly regions: () => readonly RegionConfig[];
  readonly geo: () => GeoConfig;
  /** Only the probe leader takes automatic decisions; any instance applies an operator's. */
  readonly isLeader: () => boolean;
  /** How many instances agreed on a region's state, for the reason of an automatic switch (quorum-feed.ts). */
  readonly quorumNote?: (region: string) => string | null;
  readonly tickMs?: number;
  readonly refreshMs?: number;
}

export class FailoverEngine {
  private readonly stateSince = new Map<string, number>();
  private pin: Pin | null = null;
  private schedules: ScheduledFailoverRow[] = [];
  private approvals: FailbackApprovalRow[] = [];
  private recentSwitches: number[] = [];
  private allDownEpisode = false;
  /** The last cycle's decision (on the leader), shown by GET .../active-region and .../failover-decision. */
  lastDecision: LoopDecision | null = null;
  private loggedStay: string | null = null;
  private readonly failedCycleLog = new LogLimiter(60_000);
  private loggedApproval: string | null = null;
  /** Per region, whether the manual-pin rule held its healthy time at the last look (logged on a change). */
  private readonly pinHeld = new Map<string, boolean>();
  private suppressed: string | null = null;
  /** Set when another instance switched: its pin must be read before deciding again. */
  private stale = false;
  private chain: Promise<unknown> = Promise.resolve();
  private tickTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** When load() ran, and which regions failed since: health from before a restart is not known. */
  private loadedAt: number | null = null;
  private readonly failedSinceLoad = new Set<string>();

  constructor(private readonly deps: EngineDeps) {}

  /** Reads what the store remembers; restores the last active region into live state when it has none. */
  async load(): Promise<void> {
    const { store, live, now } = this.deps;
    await this.refresh();
    const windowS = this.deps.geo().failover.flap_guard.window;
    const recent = await store.listFailovers({ limit: 100, since: new Date(now() - windowS * 1000) });
    this.recentSwitches = recent.filter(countsForFlapGuard).map((r) => Date.parse(r.occurred_at));
    const saved = await store.kvGet<{ name: string; since: number }>(ACTIVE_KEY);
    const names = new Set(this.deps.regions().map((r) => r.name));
    if (!live.getActive() && saved && names.has(saved.name)) {
      // Its time as the active region goes on from when it became active, not from the restart.
      await live.setActive(saved.name, {
        reason: `restored ${saved.name}, the active region before the restart`,
        ...(Number.isFinite(saved.since) ? { since: saved.since } : {}),
      });
    }
    for (const r of live.listRegions()) this.stateSince.set(r.name, r.updatedAt);
    this.loadedAt = now();
  }

  /** Re-reads the operators' inputs another instance may have changed. */
  async refresh(): Promise<void> {
    const { store } = this.deps;
    const [pin, pending, active, approvals] = await Promise.all([
      store.kvGet<Pin | null>(PIN_KEY),
      store.listScheduledFailovers({ status: 'pending' }),
      store.listScheduledFailovers({ status: 'active' }),
      store.listFailbackApprovals(),
    ]);
    this.pin = pin ?? null;
    this.schedules = [...pending, ...active];
    this.approvals = approvals.slice(0, 50);
    this.stale = false;
  }

  /**
   * An evaluation nobody waits for (the tick, a health change, a quorum count, an election). A cycle that
   * fails (the store refusing a write while PostgreSQL is away) is logged, at most once a minute, and the
   * next tick tries again: a rejection left unhandled would end the process, and with it every call.
   */
  kick(): void {
    this.evaluate().catch((err: unknown) => this.cycleFailed(err, 'decision'));
  }

  private cycleFailed(err: unknown, what: 'decision' | 'refresh'): void {
    const suppressed = this.failedCycleLog.take(this.deps.now());
    if (suppressed === null) return;
    this.deps.logger.error(
      { err, suppressed },
      `a failover ${what} cycle failed; the loop goes on and tries again on its next tick`,
    );
  }

  start(): void {
    const tick = this.deps.tickMs ?? 250;
    this.tickTimer = setInterval(() => this.kick(), tick);
    this.refreshTimer = setInterval(
      () => void this.serial(() => this.refresh()).catch((err: unknown) => this.cycleFailed(err, 'refresh')),
      this.deps.refreshMs ?? 1000,
    );
    this.tickTimer.unref();
    this.refreshTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await this.chain.catch(() => undefined);
  }

  noteState(region: string, at: number, state: HealthState): void {
    this.stateSince.set(region, at);
    if (state !== HealthState.HEALTHY && state !== HealthState.WARNING) this.failedSinceLoad.add(region);
  }

  forgetRegion(region: string): void {
    this.stateSince.delete(region);
    this.pinHeld.delete(region);
  }

  markStale(): void {
    this.stale = true;
    void this.serial(() => this.refresh());
  }

  /** Runs work one at a time, so two decisions never apply over each other. */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  input(): FailoverInput {
    const { live } = this.deps;
    const active = live.getActive();
    const activeSince = active?.activeSince ?? null;
    const approval = this.approvals.find(
      (a) =>
        a.decision === 'approved' && a.decided_at !== null && Date.parse(a.decided_at) >= (activeSince ?? 0),
    );
    const failbackApproval: FailbackApproval | null = approval
      ? {
          to: approval.to_region,
          by: approval.decided_by ?? 'operator',
          at: Date.parse(approval.decided_at!),
        }
      : null;
    return {
      regions: this.deps.regions().map((r) => this.view(r)),
      active: active?.name ?? null,
      activeSince,
      pin: this.pin,
      scheduled: this.schedules.map(toScheduled),
      failbackApproval,
      recentSwitches: this.recentSwitches,
    };
  }

  private view(region: RegionConfig): RegionView {
    const live = this.deps.live.getRegion(region.name);
    const reg = live?.registration;
    const pinned = decideManualPin({
      region: region.name,
      healthySince: live?.healthySince ?? null,
      pin: this.pin,
      loadedAt: this.loadedAt,
      failedSinceLoad: this.failedSinceLoad.has(region.name),
      failbackRequestedAt: this.approvals
        .filter((a) => a.to_region === region.name)
        .map((a) => Date.parse(a.requested_at)),
    });
    this.notePinned(region.name, pinned);
    const healthySince = pinned.healthySince;
    return {
      name: region.name,
      priority: region.priority,
      weight: region.weight,
      state: live?.state ?? HealthState.HEALTHY,
      stateSince: this.stateSince.get(region.name) ?? null,
      healthySince,
      firstFailureAt: live?.firstFailureAt ?? null,
      // A live record before any probe carries the default score; it is no evidence of health.
      score: live && live.lastCheck !== null ? live.score : null,
      registration: reg === 'registered' || reg === 'failed' ? reg : 'none',
    };
  }

  /** Logs the manual-pin rule's sentence when its answer for a region changes (input() runs every tick). */
  private notePinned(region: string, d: ManualPinDecision): void {
    const held = d.decision === 'hold';
    if ((this.pinHeld.get(region) ?? false) === held) return;
    this.pinHeld.set(region, held);
    this.deps.logger.info({ region, decision: d.decision }, d.reason);
  }

  /** One automatic decision, on the leader only. */
  evaluate(): Promise<void> {
    return this.serial(async () => {
      if (this.stopped || this.stale || !this.deps.isLeader()) return;
      const now = this.deps.now();
      const decision = withQuorumNote(decideFailover(this.input(), this.deps.geo(), now), this.deps);
      // Patroni-style: why nothing happened is logged too, once each time the sentence changes. Numbers are
      // left out of the comparison, so a countdown ("waits: healthy for 12 s of 300 s") is not a new reason.
      if (decision.kind === 'stay' && sentenceShape(decision.reason) !== this.loggedStay) {
        this.loggedStay = sentenceShape(decision.reason);
        this.deps.logger.info({ decision: 'stay' }, decision.reason);
      }
      if (decision.kind !== 'stay') this.loggedStay = null;
      this.lastDecision = {
        kind: decision.kind,
        reason: decision.reason,
        decided_at: new Date(now).toISOString(),
      };
      await this.apply(decision, now);
      await this.completeEndedSchedules(now);
    });
  }

  private async apply(decision: FailoverDecision, now: number): Promise<void> {
    const { logger, store, events } = this.deps;
    if (decision.kind !== 'all-down') this.allDownEpisode = false;
    if (decision.kind !== 'suppress') this.suppressed = null;
    switch (decision.kind) {
      case 'stay':
        if (decision.clear_pin) await this.setPin(null);
        return;
      case 'switch':
        await this.applySwitch(decision, now);
        return;
      case 'suppress': {
        const key = `${decision.from}->${decision.wanted_to}`;
        if (this.suppressed === key) return;
        this.suppressed = key;
        this.deps.metrics.suppressedSwitches.inc();
        logger.warn({ from: decision.from, to: decision.wanted_to }, decision.reason);
        await store.recordEvent({
          kind: 'switch-suppressed',
          region: decision.from,
          reason: decision.reason,
          details: { wanted_to: decision.wanted_to },
          occurred_at: new Date(now),
        });
        events.emit({
          type: 'suppressed',
          from_region: decision.from,
          wanted_to: decision.wanted_to,
          reason: decision.reason,
          at: now,
        });
        return;
      }
      case 'all-down': {
        if (this.allDownEpisode) return;
        this.allDownEpisode = true;
        logger.error({ keep: decision.keep }, decision.reason);
        if (decision.keep && this.deps.live.getActive()?.name !== decision.keep) {
          await this.deps.live.setActive(decision.keep, { reason: decision.reason });
        }
        await store.recordEvent({
          kind: 'all-regions-down',
          region: decision.keep,
          reason: decision.reason,
          occurred_at: new Date(now),
        });
        events.emit({ type: 'all-down', keep: decision.keep, reason: decision.reason, at: now });
        return;
      }
      case 'await-approval': {
        const ask = decideApprovalRequest({
          from: decision.from,
          to: decision.to,
          activeSince: this.deps.live.getActive()?.activeSince ?? 0,
          approvals: this.approvals,
        });
        if (ask.decision === 'already-requested') {
          // Logged once per recovery, like a stay reason: the loop decides this on every tick.
          if (this.loggedApproval !== ask.reason) {
            this.loggedApproval = ask.reason;
            logger.info({ from: decision.from, to: decision.to, decision: ask.decision }, ask.reason);
          }
          return;
        }
        this.loggedApproval = null;
        const row = await store.createFailbackApproval({
          from_region: decision.from,
          to_region: decision.to,
          reason: decision.reason,
          requested_at: new Date(now),
        });
        this.approvals = [row, ...this.approvals];
        logger.info({ id: row.id, from: decision.from, to: decision.to, why: ask.reason }, decision.reason);
        events.emit({
          type: 'failback-pending',
          id: row.id,
          from_region: decision.from,
          to_region: decision.to,
          reason: decision.reason,
          at: now,
        });
        return;
      }
    }
  }

  /** Applies a switch (automatic, scheduled, approved or manual) and records it; returns the history row. */
  async applySwitch(decision: SwitchDecision, now: number): Promise<FailoverRow | null> {
    const { live, store, logger, metrics, events } = this.deps;
    const current = live.getActive();
    let since = now;
    try {
      const set = await live.setActive(decision.to, {
        reason: decision.reason,
        expectedVersion: current?.version ?? 0,
      });
      since = set.activeSince;
    } catch (err) {
      // Another instance switched first; its decision stands and the next tick sees it.
      if (err instanceof GeoredError && err.code === 'LIVE_VERSION_CONFLICT') {
        logger.info(
          { to: decision.to },
          `switch to ${decision.to} not applied: another instance switched first`,
        );
        return null;
      }
      throw err;
    }
    await store.kvSet(ACTIVE_KEY, { name: decision.to, since });
    await this.setPin(decision.pin);
    const initial = decision.from === null;
    if (decision.automatic && !initial) this.recentSwitches = [...this.recentSwitches, now].slice(-100);
    let row: FailoverRow | null = null;
    if (!initial) {
      row = await store.recordFailover({
        from_region: decision.from,
        to_region: decision.to,
        reason: decision.reason,
        automatic: decision.automatic,
        initiated_by: decision.initiated_by,
        duration_ms: decision.duration_ms === undefined ? null : Math.round(decision.duration_ms),
        occurred_at: new Date(now),
      });
      metrics.failovers.inc({
        from: decision.from ?? '',
        to: decision.to,
        automatic: String(decision.automatic),
      });
    }
    await this.noteScheduleStart(decision, current?.name ?? null);
    logger.info(
      {
        from: decision.from,
        to: decision.to,
        automatic: decision.automatic,
        initiated_by: decision.initiated_by,
        duration_ms: decision.duration_ms,
      },
      decision.reason,
    );
    // The first choice at start-up is not a failover: nothing to alert on.
    if (initial) return row;
    events.emit({
      type: 'failover',
      from_region: decision.from,
      to_region: decision.to,
      reason: decision.reason,
      automatic: decision.automatic,
      at: now,
      record: row ? failoverRecord(row) : null,
    });
    return row;
  }

  private async setPin(pin: Pin | null): Promise<void> {
    if (JSON.stringify(pin) === JSON.stringify(this.pin)) return;
    this.pin = pin;
    await this.deps.store.kvSet(PIN_KEY, pin);
  }

  private async noteScheduleStart(decision: SwitchDecision, previous: string | null): Promise<void> {
    const pin = decision.pin;
    if (!pin || pin.kind !== 'scheduled') return;
    const id = Number(pin.id);
    const row = this.schedules.find((s) => s.id === id);
    if (!row || row.status !== 'pending') return;
    const updated = await this.deps.store.updateScheduledFailover(id, {
      status: 'active',
      previous_region: previous,
    });
    this.schedules = this.schedules.map((s) => (s.id === id ? updated : s));
    this.deps.events.emit({
      type: 'scheduled',
      action: 'started',
      schedule: scheduledInfo(updated),
      at: this.deps.now(),
    });
  }

  private async completeEndedSchedules(now: number): Promise<void> {
    for (const row of this.schedules) {
      if (Date.parse(row.start_time) + row.duration * 1000 > now) continue;
      const done = await this.deps.store.updateScheduledFailover(row.id, { status: 'completed' });
      this.deps.events.emit({
        type: 'scheduled',
        action: 'completed',
        schedule: scheduledInfo(done),
        at: now,
      });
      this.deps.logger.info(
        { id: row.id, target: row.target_region },
        `scheduled failover ${row.id} to ${row.target_region} is over`,
      );
      this.schedules = this.schedules.filter((s) => s.id !== row.id);
    }
  }

  /** After an operator changed schedules or approvals here: decide on the new inputs at once. */
  async reloadAndEvaluate(): Promise<void> {
    await this.serial(() => this.refresh());
    await this.evaluate();
  }
}

function toScheduled(row: ScheduledFailoverRow): ScheduledFailover {
  const start = Date.parse(row.start_time);
  return {
    id: String(row.id),
    target: row.target_region,
    start,
    end: start + row.duration * 1000,
    ...(row.reason !== null ? { reason: row.reason } : {}),
  };
}

/** An automatic switch away from a region names the quorum of instances that saw it fail. */
function withQuorumNote(decision: FailoverDecision, deps: EngineDeps): FailoverDecision {
  if (decision.kind !== 'switch' || !decision.automatic || decision.from === null) return decision;
  const note = deps.quorumNote?.(decision.from);
  return note ? { ...decision, reason: `${decision.reason}; ${note}` } : decision;
}

/** The flap guard counts geored's own switches away from a region, not operators' nor the first choice. */
function countsForFlapGuard(row: FailoverRow): boolean {
  return row.automatic && row.from_region !== null;
}

/** A sentence with its numbers blanked: what stays the same while a countdown in it runs. */
function sentenceShape(reason: string): string {
  return reason.replace(/\d+(\.\d+)?/g, '#');
}
