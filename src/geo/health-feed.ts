/**
 * From the monitor to everyone: the leader's probe results become geo_health_checks rows (batched) and
 * its health decisions become live state, which every instance sharing Redis reads — so followers route
 * and show health exactly as the leader sees it. With Redis (QuorumFeed.enabled) every instance probes and
 * publishes its own view instead, and the leader writes the state a quorum of views agrees on.
 */
import type { Logger } from 'pino';
import type { HealthMonitor, ResultEvent, StateEvent } from '../health/monitor';
import type { LiveState } from '../live/types';
import type { Metrics } from '../metrics/registry';
import type { CheckRecorder } from './check-recorder';
import type { QuorumFeed } from './quorum-feed';

export class HealthFeed {
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly monitor: HealthMonitor,
    private readonly live: LiveState,
    private readonly recorder: CheckRecorder,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    /** Called once the new state is in live state, so the engine decides on it at once. */
    private readonly onStateWritten: (event: StateEvent) => void,
    /** A follower's monitor does not probe; its view must not overwrite the leader's. */
    private readonly isLeader: () => boolean,
    /** Where each instance's own view goes; when enabled, the only thing a monitor's decision feeds. */
    private readonly quorum?: QuorumFeed,
  ) {
    monitor.on('result', (e) => this.onResult(e));
    monitor.on('state', (e) => this.onState(e));
  }

  private onResult(e: ResultEvent): void {
    const o = e.outcome;
    // Every instance probes with a quorum; the shared table keeps the leader's results, as before.
    if (this.isLeader()) this.recordCheck(e);
    this.metrics.probes.inc({
      region: e.region,
      method: e.method,
      outcome: o.success ? 'success' : 'failure',
    });
    if (o.success && o.latency_ms !== null) {
      this.metrics.probeLatency.observe({ region: e.region, method: e.method }, o.latency_ms / 1000);
    }
    this.markDirty(e.region);
  }

  private recordCheck(e: ResultEvent): void {
    const o = e.outcome;
    this.recorder.add({
      region_name: e.region,
      check_method: e.method,
      success: o.success,
      latency_ms: o.latency_ms === null ? null : Math.round(o.latency_ms),
      error_message: o.success ? null : (o.error ?? null),
      checked_at: new Date(e.at),
    });
  }

  /** Whether this instance's monitor decisions go anywhere: the leader's always, everyone's with a quorum. */
  private get publishing(): boolean {
    return this.isLeader() || this.quorum?.enabled === true;
  }

  private onState(e: StateEvent): void {
    if (!this.publishing) return;
    this.writes = this.writes
      .then(() => this.write(e.region))
      .then(
        () => this.onStateWritten(e),
        (err: unknown) =>
          this.logger.error({ err, region: e.region }, 'could not write region health to live state'),
      );
  }

  /** Results of one round arrive together: write the region's live record once after them. */
  private markDirty(region: string): void {
    if (!this.publishing) return;
    this.dirty.add(region);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const regions = [...this.dirty];
      this.dirty.clear();
      for (const r of regions) {
        this.writes = this.writes
          .then(() => this.write(r))
          .catch((err: unknown) =>
            this.logger.warn({ err, region: r }, 'could not write region health to live state'),
          );
      }
    });
  }

  private async write(region: string): Promise<void> {
    if (!this.monitor.regions().includes(region)) return;
    const snap = this.monitor.snapshot(region);
    await this.quorum?.publish(snap);
    // With a quorum the leader writes what the views agree on (QuorumFeed), never its own view alone.
    if (this.quorum?.enabled) return;
    const d = snap.decision;
    await this.live.setRegionHealth(region, {
      state: d.state,
      reason: d.reason,
      // Live records carry a number; "no result in the window" is written as 0, which no threshold accepts.
      score: d.score ?? 0,
      lastCheck: snap.lastProbeAt,
      firstFailureAt: d.firstFailureAt,
      healthySince: d.healthySince,
    });
  }

  /** Writes every region now (a new leader publishing what it knows). */
  async writeAll(): Promise<void> {
    for (const r of this.monitor.regions()) await this.write(r);
  }

  async drain(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await this.writes.catch(() => undefined);
  }
}
