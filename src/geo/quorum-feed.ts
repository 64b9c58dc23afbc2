/**
 * Health seen from more than one place. With Redis live state every instance probes and publishes its own
 * view of each region (HealthFeed calls publish()); every instance reads all views each cycle, asks the pure
 * decideQuorum what they agree on (shown by the API and the metrics), and the probe leader writes that agreed
 * state into the region's live record, which routing and the failover engine read as before. So one
 * instance whose own path to a region breaks never moves everyone's traffic.
 *
 * With memory live state (a single instance) nothing changes: the monitor's decision is written as it always
 * was, and the one view published here is only shown.
 */
import type { Logger } from 'pino';
import type { GeoConfig } from '../config/types';
import { decideQuorum, type QuorumDecision } from '../health/decide-quorum';
import type { RegionSnapshot } from '../health/monitor';
import type { HealthView, LiveSignal, LiveState } from '../live/types';
import type { Metrics } from '../metrics/registry';
import { HealthState } from '../model/health-state';
import type { HealthViewInfo, QuorumInfo } from './types';

/** A follower's view changed state: the leader counts again at once rather than at its next cycle. */
export const SIGNAL_VIEW = 'geo.health-view';

export interface QuorumFeedDeps {
  readonly live: LiveState;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly geo: () => GeoConfig;
  readonly regions: () => readonly string[];
  readonly isLeader: () => boolean;
  /** Called after the leader wrote a new agreed state, so the failover engine decides on it at once. */
  readonly onAgreed?: (region: string) => void;
}

export interface RegionQuorum {
  readonly views: readonly HealthView[];
  readonly decision: QuorumDecision;
  readonly at: number;
}

export class QuorumFeed {
  /** Whether views from several instances decide (Redis live state); fixed for the process's life. */
  readonly enabled: boolean;
  private readonly lastState = new Map<string, HealthState>();
  private readonly published = new Map<string, HealthState>();
  private readonly written = new Map<string, { shape: string; at: number }>();
  private readonly latest = new Map<string, RegionQuorum>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly deps: QuorumFeedDeps) {
    this.enabled = deps.live.status().backend === 'redis';
  }

  /** Views older than three probe rounds (interval + timeout each) are stale; they expire then too. */
  staleAfterMs(): number {
    const hc = this.deps.geo().health_check;
    return 3 * (hc.interval + hc.timeout) * 1000;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.unsubscribe = this.deps.live.onSignal((s) => this.onSignal(s));
    const everyMs = Math.min(1000, Math.max(100, this.deps.geo().health_check.interval * 1000));
    this.timer = setInterval(() => this.cycleSoon(), everyMs);
    this.timer.unref();
    this.cycleSoon();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    await this.running;
  }

  /** This instance's own view of a region, from its monitor. */
  async publish(snap: RegionSnapshot): Promise<void> {
    const d = snap.decision;
    await this.deps.live.publishHealthView(
      {
        region: snap.region,
        state: d.state,
        reason: d.reason,
        checkedAt: snap.lastProbeAt,
        score: d.score,
        firstFailureAt: d.firstFailureAt,
        healthySince: d.healthySince,
      },
      this.staleAfterMs(),
    );
    const changed = this.published.get(snap.region) !== d.state;
    this.published.set(snap.region, d.state);
    if (!this.enabled || !changed) return;
    if (this.deps.isLeader()) this.cycleSoon();
    else this.deps.live.publishSignal(SIGNAL_VIEW, { region: snap.region });
  }

  /** A removed region: its count and every instance's view of it go (each instance removes it alike). */
  forgetRegion(region: string): void {
    this.latest.delete(region);
    this.published.delete(region);
    this.written.delete(region);
    this.lastState.delete(region);
    this.deps.live
      .removeHealthViews(region)
      .catch((err: unknown) => this.deps.logger.debug({ err, region }, 'health views not removed'));
  }

  /** The last count for a region (null before the first cycle). */
  quorumOf(region: string): RegionQuorum | null {
    return this.latest.get(region) ?? null;
  }

  /** The views and what they agree on, as GET .../regions/{name}/health shows them. */
  info(region: string): { views: HealthViewInfo[]; quorum: QuorumInfo } {
    const q = this.latest.get(region);
    const setting = this.deps.geo().health_check.quorum ?? 'majority';
    if (!q) {
      return {
        views: [],
        quorum: {
          setting,
          required: null,
          fresh: 0,
          state: this.deps.live.getRegion(region)?.state ?? HealthState.HEALTHY,
          reason: `${region}: no instance's view counted yet`,
          shared: this.enabled,
        },
      };
    }
    const d = q.decision;
    return {
      views: [...q.views]
        .sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0))
        .map((v) => ({
          instance: v.instance,
          state: v.state,
          reason: v.reason,
          checked_at: v.checkedAt === null ? null : new Date(v.checkedAt).toISOString(),
          counted: d.counted.includes(v.instance),
        })),
      quorum: {
        setting,
        required: d.required,
        fresh: d.counted.length,
        state: d.state,
        reason: d.reason,
        shared: this.enabled,
      },
    };
  }

  /**
   * For the failover history: how many instances agreed on the region's state, when several did count;
   * null with one instance (nothing to add to the decision's reason).
   */
  note(region: string): string | null {
    const q = this.latest.get(region);
    if (!this.enabled || !q || q.decision.required === null) return null;
    const d = q.decision;
    const k = d.agreeing.length;
    return (
      `${k} of ${d.counted.length} instance${d.counted.length === 1 ? '' : 's'} ${k === 1 ? 'sees' : 'see'} ` +
      `${region} ${d.state.toUpperCase()} (quorum ${d.required})`
    );
  }

  /** Runs a cycle now, or right after the one in flight. */
  cycleSoon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.cycle()
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'could not count the health views'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.cycleSoon();
        }
      });
  }

  /** Awaits the cycle in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private onSignal(s: LiveSignal): void {
    if (s.kind === SIGNAL_VIEW && this.enabled && this.deps.isLeader()) this.cycleSoon();
  }

  private async cycle(): Promise<void> {
    const { live, metrics } = this.deps;
    const views = await live.listHealthViews();
    const now = Date.now();
    const cfg = {
      quorum: this.deps.geo().health_check.quorum ?? 'majority',
      staleAfterMs: this.staleAfterMs(),
    };
    for (const region of this.deps.regions()) {
      const mine = views.filter((v) => v.region === region);
      const previous = live.getRegion(region)?.state ?? null;
      const decision = decideQuorum(region, mine, cfg, now, previous);
      this.latest.set(region, { views: mine, decision, at: now });
      const counted = mine.filter((v) => decision.counted.includes(v.instance)).map((v) => v.state);
      metrics.setRegionHealthViews(region, counted, decision.required);
      if (this.enabled && this.deps.isLeader()) await this.write(region, decision, mine, now);
    }
  }

  /**
   * The leader writes the agreed state with the details of a view in that state (its score, failure and
   * healthy times), so the failover rules read the region as the agreeing instances see it. Written when
   * the state or the shape of the sentence changes, and at least once per interval (score, last check).
   */
  private async write(
    region: string,
    d: QuorumDecision,
    views: readonly HealthView[],
    now: number,
  ): Promise<void> {
    const source = views.find((v) => v.instance === d.source) ?? null;
    const shape = `${d.state}|${d.reason.replace(/\d+(\.\d+)?/g, '#')}`;
    const last = this.written.get(region);
    const intervalMs = this.deps.geo().health_check.interval * 1000;
    if (last && last.shape === shape && now - last.at < intervalMs) return;
    const counted = views.filter((v) => d.counted.includes(v.instance));
    const lastCheck = counted.reduce<number | null>(
      (m, v) => (v.checkedAt !== null && (m === null || v.checkedAt > m) ? v.checkedAt : m),
      null,
    );
    // Without a view in the agreed state (none fresh, or no quorum reached) the details stay as they were.
    const details = source
      ? {
          // Live records carry a number; "no result in the window" is written as 0, which no threshold accepts.
          score: source.score ?? 0,
          firstFailureAt: source.firstFailureAt,
          healthySince: source.healthySince,
        }
      : {};
    await this.deps.live.setRegionHealth(region, {
      state: d.state,
      reason: d.reason,
      ...(lastCheck !== null ? { lastCheck } : {}),
      ...details,
    });
    this.written.set(region, { shape, at: now });
    if (this.lastState.get(region) !== d.state) {
      this.lastState.set(region, d.state);
      this.deps.onAgreed?.(region);
    }
  }
}
