/**
 * Settings changed at run time (configure_health_check, configure_failover, configure_failback, routing):
 * checked here, kept in the store's kv table so a restart keeps them, and laid over the file's
 * configuration. What the API set last wins over the file, because the operator set it later.
 */
import { isTimeZone } from '../config/time-ranges';
import type { GeoConfig, RoutingStrategy, TimeRangeRule } from '../config/types';
import { errorFactory } from '../errors/catalogue';
import { GEO_ERRORS } from '../errors/geo';
import { parseTimeRules } from '../routing/time-of-day';
import type { FailbackSettings, FailoverSettings, HealthCheckSettings } from './types';

const geoError = errorFactory(GEO_ERRORS);

export const SETTINGS_KEY = 'geo.settings';

export interface RoutingSettings {
  readonly strategy?: RoutingStrategy;
  readonly weights?: Readonly<Record<string, number>>;
  /** The guide's `{'00:00-08:00': 'eu-west-1'}`. */
  readonly time_based?: Readonly<Record<string, string>>;
  readonly timezone?: string;
}

export interface RuntimeSettings {
  readonly health_check?: HealthCheckSettings;
  readonly failover?: FailoverSettings;
  readonly failback?: FailbackSettings;
  readonly routing?: RoutingSettings;
}

function bad(setting: string, found: unknown, expected: string): Error {
  return geoError('GEO_BAD_SETTING', { setting, found: JSON.stringify(found) ?? String(found), expected });
}

function only(section: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw bad(`${section}.${key}`, key, `one of ${known.join(', ')}`);
  }
}

function seconds(setting: string, v: unknown, min: number, positive: boolean): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (positive && v <= 0)) {
    throw bad(setting, v, positive ? 'a number of seconds above 0' : `a number of seconds, ${min} or more`);
  }
}

function integer(setting: string, v: unknown, min: number): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw bad(setting, v, `an integer, ${min} or more`);
}

function bool(setting: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean') throw bad(setting, v, 'true or false');
}

/** Unknown check method names are the monitor's to refuse (it knows the custom ones). */
export function checkHealthCheckSettings(s: HealthCheckSettings): void {
  only('health_check', s, [
    'interval',
    'timeout',
    'retry_count',
    'check_methods',
    'success_threshold',
    'latency_warning_ms',
  ]);
  seconds('health_check.interval', s.interval, 0, true);
  seconds('health_check.timeout', s.timeout, 0, true);
  integer('health_check.retry_count', s.retry_count, 1);
  integer('health_check.success_threshold', s.success_threshold, 1);
  seconds('health_check.latency_warning_ms', s.latency_warning_ms, 0, false);
  if (
    s.check_methods !== undefined &&
    (!Array.isArray(s.check_methods) ||
      s.check_methods.length === 0 ||
      !s.check_methods.every((m) => typeof m === 'string' && m.length > 0))
  ) {
    throw bad('health_check.check_methods', s.check_methods, 'a non-empty list of check method names');
  }
}

export function checkFailoverSettings(s: FailoverSettings): void {
  only('failover', s, ['automatic', 'min_failure_duration', 'failover_delay']);
  bool('failover.automatic', s.automatic);
  seconds('failover.min_failure_duration', s.min_failure_duration, 0, false);
  seconds('failover.failover_delay', s.failover_delay, 0, false);
}

export function checkFailbackSettings(s: FailbackSettings): void {
  only('failback', s, ['enabled', 'delay', 'health_threshold', 'automatic']);
  bool('failback.enabled', s.enabled);
  bool('failback.automatic', s.automatic);
  seconds('failback.delay', s.delay, 0, false);
  const t = s.health_threshold;
  if (t !== undefined && (typeof t !== 'number' || !(t >= 0 && t <= 1))) {
    throw bad('failback.health_threshold', t, 'a number from 0 to 1');
  }
}

const STRATEGIES: readonly RoutingStrategy[] = ['priority', 'proximity', 'time_of_day'];

/** `regions`: the names known now, since a weight or rule for no region is a typo. */
export function checkRoutingSettings(s: RoutingSettings, regions: ReadonlySet<string>): void {
  if (s.strategy !== undefined && !STRATEGIES.includes(s.strategy)) {
    throw bad('routing.strategy', s.strategy, STRATEGIES.join(', '));
  }
  if (s.weights !== undefined) {
    if (typeof s.weights !== 'object' || s.weights === null || Array.isArray(s.weights)) {
      throw bad('routing.weights', s.weights, 'an object of region name to weight');
    }
    for (const [name, w] of Object.entries(s.weights)) {
      if (!regions.has(name))
        throw bad(`routing.weights.${name}`, name, `a region (${[...regions].join(', ')})`);
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
        throw bad(`routing.weights.${name}`, w, 'a number, 0 or more');
      }
    }
  }
  if (s.time_based !== undefined) {
    if (typeof s.time_based !== 'object' || s.time_based === null || Array.isArray(s.time_based)) {
      throw bad('routing.time_based', s.time_based, "an object such as {'00:00-08:00': 'eu-west-1'}");
    }
    parseTimeRules(s.time_based); // throws ROUTING_BAD_TIME_RANGE naming the range
    for (const [label, region] of Object.entries(s.time_based)) {
      if (!regions.has(region))
        throw bad(`routing.time_based.${label}`, region, `a region (${[...regions].join(', ')})`);
    }
  }
  if (s.timezone !== undefined && (typeof s.timezone !== 'string' || !isTimeZone(s.timezone))) {
    throw bad('routing.timezone', s.timezone, 'an IANA time zone such as America/New_York');
  }
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The file's configuration with the run-time settings laid over it. */
export function effectiveGeoConfig(file: GeoConfig, s: RuntimeSettings): GeoConfig {
  const routing = s.routing ?? {};
  const timeBased: readonly TimeRangeRule[] =
    routing.time_based !== undefined ? parseTimeRules(routing.time_based) : file.routing.time_based;
  return {
    ...file,
    health_check: {
      ...file.health_check,
      ...defined(s.health_check),
      check_methods: s.health_check?.check_methods ?? file.health_check.check_methods,
    },
    failover: { ...file.failover, ...defined(s.failover) },
    failback: { ...file.failback, ...defined(s.failback) },
    routing: {
      ...file.routing,
      ...(routing.strategy !== undefined ? { strategy: routing.strategy } : {}),
      ...(routing.weights !== undefined ? { weights: routing.weights } : {}),
      ...(routing.timezone !== undefined ? { timezone: routing.timezone } : {}),
      time_based: timeBased,
    },
  };
}

/** Merges a new partial section into the saved settings (a later call changes only what it names). */
export function mergeSettings(saved: RuntimeSettings, patch: RuntimeSettings): RuntimeSettings {
  return {
    ...saved,
    ...(patch.health_check
      ? { health_check: { ...saved.health_check, ...defined(patch.health_check) } }
      : {}),
    ...(patch.failover ? { failover: { ...saved.failover, ...defined(patch.failover) } } : {}),
    ...(patch.failback ? { failback: { ...saved.failback, ...defined(patch.failback) } } : {}),
    ...(patch.routing ? { routing: { ...saved.routing, ...defined(patch.routing) } } : {}),
  };
}
