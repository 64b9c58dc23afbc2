import type { HealthState } from '../model/health-state';

/**
 * Every shared record carries its version. Versions are hybrid clocks: a write gets
 * `max(previous + 1, now in ms)`, so they only grow for one record, and two writes made apart (for example
 * by two instances while Redis was away) compare roughly by wall-clock time. Ties are broken by
 * `updatedBy`, so every instance orders any two versions of a record the same way.
 */
export interface Versioned {
  readonly version: number;
  /** Epoch ms of the write, from the writer's clock. */
  readonly updatedAt: number;
  /** Instance id of the writer. */
  readonly updatedBy: string;
}

export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'failed';

export interface RegionLive extends Versioned {
  readonly name: string;
  readonly state: HealthState;
  readonly reason: string;
  /** Health score over the sliding window, 0..1. */
  readonly score: number;
  /** Epoch ms of the last probe, null before the first. */
  readonly lastCheck: number | null;
  /** Epoch ms of the first failure of the current failure run; null while healthy. */
  readonly firstFailureAt: number | null;
  /** Epoch ms since which the region has been continuously healthy; null while it is not. */
  readonly healthySince: number | null;
  readonly registration: RegistrationState;
}

/**
 * One instance's own view of one region (its probes and its own calls), published so the probe leader can
 * count how many instances agree (src/health/decide-quorum.ts). A view expires unless republished.
 */
export interface HealthView {
  readonly region: string;
  readonly instance: string;
  readonly state: HealthState;
  readonly reason: string;
  /** Epoch ms of this instance's last probe of the region; null before its first. */
  readonly checkedAt: number | null;
  /** Epoch ms of the publication, from the publisher's clock. */
  readonly publishedAt: number;
  readonly score: number | null;
  readonly firstFailureAt: number | null;
  readonly healthySince: number | null;
}

export type HealthViewInput = Omit<HealthView, 'instance' | 'publishedAt'>;

export type RegionHealthPatch = Partial<
  Pick<
    RegionLive,
    'state' | 'reason' | 'score' | 'lastCheck' | 'firstFailureAt' | 'healthySince' | 'registration'
  >
>;

export interface ActiveRegion extends Versioned {
  readonly name: string;
  /** Epoch ms when this region became active. */
  readonly activeSince: number;
  readonly reason: string;
}

export interface Simulation extends Versioned {
  readonly region: string;
  /** Epoch ms when the simulated failure ends; null when none is running. */
  readonly until: number | null;
}

/** Where a change came from: this instance, or another one sharing the same Redis. */
export type ChangeOrigin = 'local' | 'remote';

export type LiveChange =
  | {
      readonly kind: 'active-region';
      readonly active: ActiveRegion;
      readonly previous: ActiveRegion | null;
      readonly origin: ChangeOrigin;
    }
  | {
      readonly kind: 'region-health';
      readonly region: RegionLive;
      readonly previous: RegionLive | null;
      readonly origin: ChangeOrigin;
    }
  | { readonly kind: 'region-removed'; readonly name: string; readonly origin: ChangeOrigin }
  | { readonly kind: 'simulation'; readonly simulation: Simulation; readonly origin: ChangeOrigin }
  | { readonly kind: 'counter'; readonly name: string; readonly value: number; readonly origin: ChangeOrigin }
  | { readonly kind: 'connection'; readonly connected: boolean }
  /** Redis came back: local changes made meanwhile were pushed, the rest pulled. */
  | { readonly kind: 'resync'; readonly pushed: number; readonly pulled: number };

export type LiveChangeListener = (change: LiveChange) => void;

/**
 * A fire-and-forget message from another instance sharing the same Redis (for example a passive health
 * signal a follower forwards to the probe leader). Not stored: an instance that is not listening misses it.
 */
export interface LiveSignal {
  readonly kind: string;
  /** Whatever the sender passed, after a JSON round trip: check its shape before use. */
  readonly payload: unknown;
  /** Instance id of the sender. */
  readonly from: string;
}

export type LiveSignalListener = (signal: LiveSignal) => void;

export interface LiveStatus {
  readonly backend: 'memory' | 'redis';
  /** Memory: always true. Redis: both connections up and the cache resynchronised. */
  readonly connected: boolean;
  /** Epoch ms of the last change of `connected`. */
  readonly since: number;
  /** True while any leadership handle of this instance holds (or, disconnected, assumes) leadership. */
  readonly leader: boolean;
  /** Signals publishSignal could not hand to other instances (Redis away, or the publish failed). */
  readonly signalsDropped: number;
}

export type LeaderEvent = 'elected' | 'lost';

export interface LeaderHandle {
  readonly name: string;
  readonly isLeader: boolean;
  on(event: LeaderEvent, listener: () => void): this;
  off(event: LeaderEvent, listener: () => void): this;
  /** Stops running and gives the lock up at once, so another instance can take it without waiting. */
  release(): Promise<void>;
}

export interface SetActiveOptions {
  readonly reason: string;
  /**
   * Compare-and-set: the write only happens if the active region's version is still this one (0 when no
   * region has been active yet); otherwise it fails with LIVE_VERSION_CONFLICT.
   */
  readonly expectedVersion?: number;
  /**
   * When the region became active (ms), for a restore after a restart: the region's time as the active
   * region goes on from then. Default: now, or unchanged when the region is already the active one.
   */
  readonly since?: number;
}

/**
 * What geored instances share at run time. Reads are synchronous and come from a local cache (the call
 * path asks on every INVITE); writes are async. Listeners hear local and remote changes alike.
 */
export interface LiveState {
  readonly instanceId: string;

  getActive(): ActiveRegion | null;
  getRegion(name: string): RegionLive | null;
  listRegions(): RegionLive[];
  getSimulation(region: string): Simulation | null;
  /** Regions whose simulated failure is running at `now`. */
  listSimulations(now?: number): Simulation[];
  getCounter(name: string): number;
  listCounters(): Record<string, number>;

  setActive(name: string, options: SetActiveOptions): Promise<ActiveRegion>;
  /** Creates the region's live record on first use (HEALTHY, score 1) and applies the patch. */
  setRegionHealth(name: string, patch: RegionHealthPatch): Promise<RegionLive>;
  /** True if the region existed. */
  removeRegion(name: string): Promise<boolean>;
  setSimulation(region: string, untilMs: number | null): Promise<Simulation>;
  /** Returns the counter's new value. */
  incr(counter: string, by?: number): Promise<number>;

  /**
   * Publishes this instance's own view of a region; it expires `ttlMs` after publishing unless published
   * again. Never throws for Redis being away: the view is then kept here only.
   */
  publishHealthView(view: HealthViewInput, ttlMs: number): Promise<void>;
  /**
   * Every unexpired view of every instance, this one's included. Memory live state, or Redis away: this
   * instance's own views only (it then decides alone, as it routes alone).
   */
  listHealthViews(): Promise<HealthView[]>;
  /** Forgets every instance's view of a removed region. */
  removeHealthViews(region: string): Promise<void>;

  onChange(listener: LiveChangeListener): () => void;
  /**
   * Sends a signal to the other instances sharing this live state, without waiting. Returns false when it
   * could not even be sent (memory live state, which has no other instance; Redis away), so the caller can
   * act on it itself; a publish that fails later is only counted in `status().signalsDropped`.
   */
  publishSignal(kind: string, payload: unknown): boolean;
  /** Hears signals published by other instances, never this instance's own. */
  onSignal(listener: LiveSignalListener): () => void;
  runForLeader(name: string, ttlMs: number): LeaderHandle;
  status(): LiveStatus;
  /** Releases leadership and closes connections. */
  close(): Promise<void>;
}
