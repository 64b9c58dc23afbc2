/**
 * What the API shows of health: a region's health with its latest checks, its latency series, events and
 * metrics, the active region and the failover loop's last decision. Reads only.
 */
import { HealthState } from '../model/health-state';
import type { GeoContext } from './context';
import type { RegionRegistry } from './region-registry';
import type {
  ActiveRegion,
  CheckStatus,
  LatencySeries,
  LoopDecision,
  RegionEvent,
  RegionHealth,
  RegionMetrics,
} from './types';
import { iso, latencyPoints } from './views';

export class HealthViews {
  constructor(
    private readonly ctx: GeoContext,
    private readonly regions: RegionRegistry,
  ) {}

  getRegionHealth(name: string): RegionHealth {
    this.regions.require(name);
    const { live, clock, monitor, engine } = this.ctx;
    const rec = live.getRegion(name);
    const now = clock.now();
    const sim = live.getSimulation(name);
    const snap = this.ctx.isLeader() && monitor.regions().includes(name) ? monitor.snapshot(name) : null;
    const checks: CheckStatus[] = snap
      ? Object.values(snap.record.latest).map((r) => ({
          method: r.method,
          success: r.success,
          latency_ms: r.latency_ms,
          error: r.error ?? null,
          checked_at: new Date(r.at).toISOString(),
        }))
      : [];
    const reg = rec?.registration;
    const view = engine.input().regions.find((r) => r.name === name);
    return {
      region: name,
      state: rec?.state ?? HealthState.HEALTHY,
      reason:
        rec?.reason ??
        `${name} is HEALTHY: no check result yet, assumed healthy until the first probe answers`,
      // The score and state_since the failover engine decides on (test_failover, failback): one source, so
      // a score shown here is never "no health score yet" to a plan asked for a moment later.
      score: view?.score ?? null,
      last_check: iso(rec?.lastCheck),
      state_since: iso(view?.stateSince),
      first_failure_at: iso(rec?.firstFailureAt),
      healthy_since: iso(rec?.healthySince),
      registration:
        reg === 'registered' || reg === 'failed' ? reg : reg === 'registering' ? 'pending' : 'none',
      simulated_until: sim && sim.until !== null && sim.until > now ? iso(sim.until) : null,
      checks,
      ...this.ctx.quorum.info(name),
    };
  }

  getActiveRegion(): ActiveRegion | null {
    const { live, engine } = this.ctx;
    const active = live.getActive();
    const k = active ? this.regions.find(active.name) : undefined;
    if (!active || !k) return null;
    return {
      name: k.config.name,
      trunk_id: k.config.trunk_id,
      priority: k.config.priority,
      health_state: live.getRegion(k.config.name)?.state ?? HealthState.HEALTHY,
      active_since: new Date(active.activeSince).toISOString(),
      last_decision: this.ctx.isLeader() ? engine.lastDecision : null,
    };
  }

  /** The failover loop's last decision and why (it runs on the probe leader; null elsewhere or before). */
  getFailoverDecision(): { decision: LoopDecision | null; leader: boolean } {
    const leader = this.ctx.isLeader();
    return { decision: leader ? this.ctx.engine.lastDecision : null, leader };
  }

  /** Probe latency of the last `minutes`, averaged per minute over successful checks. */
  async getRegionLatency(name: string, minutes = 60): Promise<LatencySeries> {
    this.regions.require(name);
    const now = this.ctx.clock.now();
    await this.ctx.recorder.flush();
    const rows = await this.ctx.store.listHealthChecks({
      region: name,
      since: new Date(now - minutes * 60_000),
      limit: 20_000,
    });
    return { region: name, minutes, points: latencyPoints(rows, now, minutes) };
  }

  /** A region's recorded events (health-state changes among them), newest first. */
  async getRegionEvents(name: string, limit = 50): Promise<RegionEvent[]> {
    this.regions.require(name);
    const rows = await this.ctx.store.listEvents({ region: name, limit });
    return rows.map((r) => ({
      kind: r.kind,
      region: r.region,
      reason: r.reason,
      details: r.details,
      occurred_at: r.occurred_at,
    }));
  }

  async getRegionMetrics(name: string): Promise<RegionMetrics> {
    this.regions.require(name);
    const { store, clock, recorder } = this.ctx;
    const windowDays = this.ctx.geo().health_check.retention.max_age_days;
    const since = new Date(clock.now() - windowDays * 86_400_000);
    await recorder.flush();
    const [stats, calls, failovers, last] = await Promise.all([
      store.healthStats(name, since),
      store.countCalls(name),
      store.countFailovers(name),
      store.lastFailover(name),
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
}
