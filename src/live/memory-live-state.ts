import type { Logger } from 'pino';
import { errorFactory } from '../errors/catalogue';
import { LIVE_ERRORS } from '../errors/live';
import { LiveCache } from './cache';
import { CachedLiveReads } from './cached-reads';
import { activeWrite, regionHealthWrite, regionRemoval, simulationWrite } from './local-writes';
import { makeView, OwnViews } from './health-views';
import { SoleLeader } from './memory-leader';
import { checkCount, checkName } from './names';
import type {
  ActiveRegion,
  HealthView,
  HealthViewInput,
  LeaderHandle,
  LiveSignalListener,
  LiveState,
  LiveStatus,
  RegionHealthPatch,
  RegionLive,
  SetActiveOptions,
  Simulation,
} from './types';

const err = errorFactory(LIVE_ERRORS);

/** Live state of a single geored instance: everything in this process, nothing shared. */
export class MemoryLiveState extends CachedLiveReads implements LiveState {
  private readonly leaders = new Set<SoleLeader>();
  private readonly openedAt = Date.now();
  private readonly views = new OwnViews();
  private closed = false;

  constructor(
    readonly instanceId: string,
    logger: Logger,
  ) {
    super(new LiveCache(logger));
  }

  async setActive(name: string, options: SetActiveOptions): Promise<ActiveRegion> {
    this.assertOpen('setActive');
    checkName('region', name);
    const record = activeWrite(this.cache, name, options, this.instanceId, Date.now());
    this.cache.apply(record, 'local');
    return record.data;
  }

  async setRegionHealth(name: string, patch: RegionHealthPatch): Promise<RegionLive> {
    this.assertOpen('setRegionHealth');
    checkName('region', name);
    const record = regionHealthWrite(this.cache, name, patch, this.instanceId, Date.now());
    this.cache.apply(record, 'local');
    return record.data;
  }

  async removeRegion(name: string): Promise<boolean> {
    this.assertOpen('removeRegion');
    if (!this.cache.getRegion(name)) return false;
    this.cache.apply(regionRemoval(this.cache, name, this.instanceId, Date.now()), 'local');
    return true;
  }

  async setSimulation(region: string, untilMs: number | null): Promise<Simulation> {
    this.assertOpen('setSimulation');
    checkName('region', region);
    const record = simulationWrite(this.cache, region, untilMs, this.instanceId, Date.now());
    this.cache.apply(record, 'local');
    return record.data;
  }

  async incr(counter: string, by = 1): Promise<number> {
    this.assertOpen('incr');
    checkName('counter', counter);
    checkCount(counter, by);
    return this.cache.addToCounter(counter, by);
  }

  async publishHealthView(view: HealthViewInput, ttlMs: number): Promise<void> {
    this.assertOpen('publishHealthView');
    checkName('region', view.region);
    this.views.put(makeView(view, this.instanceId, Date.now()), ttlMs);
  }

  async listHealthViews(): Promise<HealthView[]> {
    return this.views.list(Date.now());
  }

  async removeHealthViews(region: string): Promise<void> {
    this.views.remove(region);
  }

  /** A single instance has nobody to tell: the caller acts on the signal itself. */
  publishSignal(kind: string): boolean {
    this.assertOpen('publishSignal');
    checkName('signal', kind);
    return false;
  }

  onSignal(_listener: LiveSignalListener): () => void {
    // No other instance, so no signal will ever arrive.
    return () => undefined;
  }

  runForLeader(name: string): LeaderHandle {
    this.assertOpen('runForLeader');
    const handle = new SoleLeader(name, (h) => this.leaders.delete(h));
    this.leaders.add(handle);
    return handle;
  }

  status(): LiveStatus {
    return {
      backend: 'memory',
      connected: true,
      since: this.openedAt,
      leader: this.leaders.size > 0,
      signalsDropped: 0,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const leader of [...this.leaders]) await leader.release();
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw err('LIVE_CLOSED', { operation });
  }
}
