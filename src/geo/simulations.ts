/**
 * The guide's simulate_failure: a region answers as failed for a while, whatever its probes say. The
 * simulation lives in live state (so every instance sharing Redis sees it) and is applied to this
 * instance's monitor. It is also written to the store first (geo_simulations), so a restart of a geored
 * whose live state is in memory — even after kill -9 — restores it until its end time.
 */
import { geoError, requireFailoverEnabled, requireRunning, type GeoContext } from './context';
import type { RegionRegistry } from './region-registry';
import type { SimulationInfo } from './types';
import { iso } from './views';

export class Simulations {
  constructor(
    private readonly ctx: GeoContext,
    private readonly regions: RegionRegistry,
  ) {}

  async simulateFailure(region: string, durationSeconds: number): Promise<SimulationInfo> {
    requireRunning(this.ctx);
    requireFailoverEnabled(this.ctx, 'simulate_failure');
    this.regions.require(region);
    if (typeof durationSeconds !== 'number' || !Number.isFinite(durationSeconds) || durationSeconds <= 0) {
      throw geoError('GEO_BAD_SETTING', {
        setting: 'duration',
        found: JSON.stringify(durationSeconds),
        expected: 'a number of seconds above 0',
      });
    }
    const { live, clock, log, events } = this.ctx;
    const until = clock.now() + durationSeconds * 1000;
    await this.ctx.store.setSimulation(region, new Date(until));
    await live.setSimulation(region, until);
    const why = `simulated failure of ${region} until ${iso(until)}`;
    log.warn({ region, until: iso(until) }, why);
    events.emit({
      type: 'simulation',
      action: 'started',
      region,
      until: iso(until),
      reason: why,
      at: clock.now(),
    });
    return { region, until: new Date(until).toISOString() };
  }

  async endSimulation(region?: string): Promise<SimulationInfo[]> {
    requireRunning(this.ctx);
    if (region !== undefined) this.regions.require(region);
    const { live, clock, log, events } = this.ctx;
    const now = clock.now();
    const running = live.listSimulations(now).filter((s) => region === undefined || s.region === region);
    const ended: SimulationInfo[] = [];
    for (const sim of running) {
      await this.ctx.store.setSimulation(sim.region, null);
      await live.setSimulation(sim.region, null);
      ended.push({ region: sim.region, until: new Date(now).toISOString() });
      const why = `simulated failure of ${sim.region} ended`;
      log.info({ region: sim.region }, why);
      events.emit({
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

  /**
   * At start: the simulations the store remembers and live state lacks (live state in memory starts empty)
   * are put back in live state until their end time; those that ended while geored was down, or whose
   * region is gone, are dropped, each with a log line. Then every simulation in force is applied here.
   */
  async restore(): Promise<void> {
    const { live, store, clock, log } = this.ctx;
    const now = clock.now();
    const inLive = new Set(live.listSimulations(now).map((s) => s.region));
    let rows: Awaited<ReturnType<typeof store.listSimulations>> = [];
    try {
      rows = await store.listSimulations();
    } catch (err) {
      log.warn({ err }, 'could not read the simulated failures from the store; none restored');
    }
    for (const row of rows) {
      const until = Date.parse(row.until);
      const gone = !this.regions.has(row.region);
      if (until <= now || gone) {
        await store.setSimulation(row.region, null);
        log.info(
          { region: row.region, until: row.until },
          gone
            ? `simulated failure of ${row.region} dropped: the region is no longer known`
            : `simulated failure of ${row.region} ended at ${row.until}, while geored was down: dropped`,
        );
        continue;
      }
      if (inLive.has(row.region)) continue;
      await live.setSimulation(row.region, until);
      log.warn(
        { region: row.region, until: row.until },
        `simulated failure of ${row.region} restored after a restart: in force until ${row.until}`,
      );
    }
    for (const sim of live.listSimulations(now)) this.apply(sim.region, sim.until);
  }

  /** A simulation started or ended (here or on another instance): this instance's monitor follows. */
  apply(region: string, until: number | null): void {
    const { monitor, clock, log } = this.ctx;
    if (!monitor.regions().includes(region)) return;
    const now = clock.now();
    try {
      monitor.setSimulation(region, until !== null && until > now ? until : null);
    } catch (err) {
      log.warn({ err, region }, 'could not apply a simulated failure');
    }
  }
}
