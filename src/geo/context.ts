/**
 * What the parts of the service share: the I/O it was given (store, live state, monitor, checks), its
 * clock, log, events, and a few questions only the facade can answer (the settings in force, whether this
 * instance leads, the life-cycle state). Each part (region registry, signals, simulations, operator
 * failover, settings…) takes this instead of a long list of constructor arguments.
 */
import type { Logger } from 'pino';
import type { Config, GeoConfig } from '../config/types';
import { errorFactory } from '../errors/catalogue';
import { GEO_ERRORS } from '../errors/geo';
import type { CheckRegistry } from '../health/checks/registry';
import type { HealthMonitor } from '../health/monitor';
import type { MonitorClock } from '../health/monitor-clock';
import type { LiveState } from '../live/types';
import type { Metrics } from '../metrics/registry';
import type { Store } from '../store/types';
import type { CheckRecorder } from './check-recorder';
import type { FailoverEngine } from './engine';
import type { GeoEvents } from './events';
import type { QuorumFeed } from './quorum-feed';

export const geoError = errorFactory(GEO_ERRORS);

export type ServiceState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface GeoContext {
  readonly store: Store;
  readonly live: LiveState;
  readonly metrics: Metrics;
  readonly monitor: HealthMonitor;
  readonly checks: CheckRegistry;
  readonly clock: MonitorClock;
  readonly log: Logger;
  readonly events: GeoEvents;
  readonly recorder: CheckRecorder;
  readonly engine: FailoverEngine;
  /** Health seen from several instances: each instance's view and the state a quorum agrees on. */
  readonly quorum: QuorumFeed;
  /** The configuration as the file (or the embedded defaults) gave it. */
  readonly fileConfig: Config;
  /** The configuration in force: the file's with the API's settings over it. */
  geo(): GeoConfig;
  /** True while this instance holds the probe lock and so runs the probes and automatic decisions. */
  isLeader(): boolean;
  state(): ServiceState;
}

/** Refuses an operator's action unless the service is running. */
export function requireRunning(ctx: Pick<GeoContext, 'state'>): void {
  const state = ctx.state();
  if (state !== 'running') throw geoError('GEO_NOT_RUNNING', { state });
}

/** Refuses what would fail over or fake a failure while geographic redundancy is disabled. */
export function requireFailoverEnabled(ctx: Pick<GeoContext, 'geo' | 'fileConfig'>, action: string): void {
  if (!ctx.geo().enabled) throw geoError('GEO_DISABLED', { source: ctx.fileConfig.source, action });
}

/** The API's `limit` of a list: an integer from 1 to 10000. */
export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw geoError('GEO_BAD_SETTING', {
      setting: 'limit',
      found: JSON.stringify(limit),
      expected: 'an integer from 1 to 10000',
    });
  }
}
