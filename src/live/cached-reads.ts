import type { LiveCache } from './cache';
import type { ActiveRegion, LiveChangeListener, LiveState, RegionLive, Simulation } from './types';

type CachedReads =
  | 'getActive'
  | 'getRegion'
  | 'listRegions'
  | 'getSimulation'
  | 'listSimulations'
  | 'getCounter'
  | 'listCounters'
  | 'onChange';

/**
 * What every live state serves from its local cache and never from a backend: reads and change
 * subscriptions. One implementation for the in-memory and the Redis state, so the two cannot drift apart.
 */
export abstract class CachedLiveReads implements Pick<LiveState, CachedReads> {
  constructor(protected readonly cache: LiveCache) {}

  getActive(): ActiveRegion | null {
    return this.cache.getActive();
  }
  getRegion(name: string): RegionLive | null {
    return this.cache.getRegion(name);
  }
  listRegions(): RegionLive[] {
    return this.cache.listRegions();
  }
  getSimulation(region: string): Simulation | null {
    return this.cache.getSimulation(region);
  }
  listSimulations(now = Date.now()): Simulation[] {
    return this.cache.listSimulations(now);
  }
  getCounter(name: string): number {
    return this.cache.getCounter(name);
  }
  listCounters(): Record<string, number> {
    return this.cache.listCounters();
  }

  onChange(listener: LiveChangeListener): () => void {
    return this.cache.onChange(listener);
  }
}
