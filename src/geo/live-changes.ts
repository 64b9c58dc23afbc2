/**
 * What this instance does when live state changes (here, or on another instance sharing Redis): a region's
 * health (metrics, geo_regions, a recorded event and a log line for local changes, the engine decides at
 * once), the active region, a simulated failure (applied to this monitor), the connection to Redis.
 */
import type { LiveChange } from '../live/types';
import { HealthState } from '../model/health-state';
import type { Replicator } from '../replication/replicator';
import type { GeoContext } from './context';
import type { RegionRegistry } from './region-registry';
import type { Simulations } from './simulations';

export interface LiveChangeParts {
  readonly ctx: GeoContext;
  readonly regions: RegionRegistry;
  readonly simulations: Simulations;
  readonly replication: Pick<Replicator, 'kick'>;
}

export function followLiveChange(c: LiveChange, p: LiveChangeParts): void {
  const { ctx, regions, simulations, replication } = p;
  const { metrics, clock, engine, log, store, events } = ctx;
  switch (c.kind) {
    case 'region-health': {
      const r = c.region;
      if (!regions.has(r.name)) return;
      metrics.regionScore.set({ region: r.name }, r.score);
      const from = c.previous?.state ?? HealthState.HEALTHY;
      if (c.previous && from === r.state) return;
      const at = clock.now();
      engine.noteState(r.name, at, r.state);
      metrics.setRegionHealth(r.name, r.state);
      if (from !== r.state) {
        if (c.origin === 'local') {
          const level = r.state === HealthState.HEALTHY ? 'info' : 'warn';
          log[level]({ region: r.name, from, to: r.state }, r.reason);
          regions.recordRows();
          void store
            .recordEvent({
              kind: 'health-change',
              region: r.name,
              reason: r.reason,
              details: { from, to: r.state },
              occurred_at: new Date(at),
            })
            .catch((err: unknown) => log.warn({ err }, 'could not record a health change'));
        }
        events.emit({ type: 'state', region: r.name, from, to: r.state, reason: r.reason, at });
      }
      engine.kick();
      return;
    }
    case 'active-region': {
      metrics.setActiveRegion(c.active.name, regions.names());
      if (c.origin === 'local') regions.recordRows();
      if (c.origin === 'remote') {
        log.info(
          { to: c.active.name },
          `active region is now ${c.active.name} (switched by another instance): ${c.active.reason}`,
        );
        engine.markStale();
      }
      replication.kick();
      return;
    }
    case 'simulation':
      simulations.apply(c.simulation.region, c.simulation.until);
      return;
    case 'connection':
      metrics.liveBackend.set(c.connected ? 1 : 0);
      return;
    default:
      return;
  }
}
