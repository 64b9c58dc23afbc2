/**
 * Settings changed at run time (configure_health_check, configure_failover, configure_failback, routing):
 * checked here, kept in the store's kv table so a restart keeps them, and laid over the file's
 * configuration. What the API set last wins over the file, because the operator set it later.
 */
import { checkField } from '../config/check-field';
import type { GeoConfig, RoutingStrategy, TimeRangeRule } from '../config/types';
import { errorFactory } from '../errors/catalogue';
import { GEO_ERRORS } from '../errors/geo';
import { ROUTING_ERRORS } from '../errors/routing';
import {
  FAILBACK_RULES,
  FAILOVER_RULES,
  HEALTH_CHECK_RULES,
  NO_OVERLAP_EXPECTED,
  ROUTING_RULES,
  TIME_OF_DAY_NEEDS_RANGES,
  knownRegionExpected,
  type FieldRule,
} from '../model/field-rules';
import { overlapWith, parseTimeRange, type TimeRule } from '../model/time-range';
import { parseTimeRules } from '../routing/time-of-day';
import type { FailbackSettings, FailoverSettings, HealthCheckSettings } from './types';

const geoError = errorFactory(GEO_ERRORS);
const routingError = errorFactory(ROUTING_ERRORS);

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
  const shown = found === undefined ? 'nothing' : (JSON.stringify(found) ?? String(found));
  return geoError('GEO_BAD_SETTING', { setting, found: shown, expected });
}

function only(section: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw bad(`${section}.${key}`, key, `one of ${known.join(', ')}`);
  }
}

/** Each field given checked by its rule in the one field table (src/model/field-rules.ts). */
function checkSection(section: string, given: object, rules: Readonly<Record<string, FieldRule>>): void {
  only(section, given, Object.keys(rules));
  for (const [key, v] of Object.entries(given)) {
    if (v === undefined) continue;
    const problem = checkField(rules[key]!, v);
    if (problem) {
      throw bad(`${section}.${key}${problem.at}`, problem.value, problem.expected);
    }
  }
}

/**
 * Unknown check method names are the monitor's to refuse (it knows the custom ones): CHECK_UNKNOWN_METHOD,
 * the one error whose words differ from config.yml's (the verdict is the same).
 */
export function checkHealthCheckSettings(s: HealthCheckSettings): void {
  checkSection('health_check', s, HEALTH_CHECK_RULES);
}

export function checkFailoverSettings(s: FailoverSettings): void {
  checkSection('failover', s, FAILOVER_RULES);
}

export function checkFailbackSettings(s: FailbackSettings): void {
  checkSection('failback', s, FAILBACK_RULES);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `regions`: the names known now, since a weight or rule for no region is a typo; `rangesInForce`: how many
 * time ranges are in force, since strategy time_of_day needs one (config.yml's rule too).
 */
export function checkRoutingSettings(
  s: RoutingSettings,
  regions: ReadonlySet<string>,
  rangesInForce: number,
): void {
  const field = (setting: string, rule: FieldRule, v: unknown) => {
    const problem = checkField(rule, v);
    if (problem) throw bad(setting, v, problem.expected);
  };
  if (s.strategy !== undefined) field('routing.strategy', ROUTING_RULES.strategy, s.strategy);
  if (s.weights !== undefined) {
    if (!isPlainObject(s.weights))
      throw bad('routing.weights', s.weights, 'a mapping of region name to weight');
    for (const [name, w] of Object.entries(s.weights)) {
      if (!regions.has(name)) throw bad(`routing.weights.${name}`, name, knownRegionExpected(regions));
      field(`routing.weights.${name}`, ROUTING_RULES.weight, w);
    }
  }
  if (s.time_based !== undefined) {
    if (!isPlainObject(s.time_based)) {
      throw bad('routing.time_based', s.time_based, 'a mapping of "HH:MM-HH:MM" to region name');
    }
    const rules: TimeRule[] = [];
    for (const [label, region] of Object.entries(s.time_based)) {
      const setting = `routing.time_based.${label}`;
      const rule = parseTimeRange(label, String(region));
      if (checkField(ROUTING_RULES.time_range, label) || rule === null) {
        throw routingError('ROUTING_BAD_TIME_RANGE', {
          setting,
          found: JSON.stringify(label),
          expected: ROUTING_RULES.time_range.expected,
        });
      }
      field(setting, ROUTING_RULES.time_region, region);
      if (!regions.has(region)) throw bad(setting, region, knownRegionExpected(regions));
      const clash = overlapWith(rules, rule);
      if (clash) {
        throw geoError('GEO_BAD_SETTING', { setting, found: clash.found, expected: NO_OVERLAP_EXPECTED });
      }
      rules.push(rule);
    }
  }
  if (s.timezone !== undefined) field('routing.timezone', ROUTING_RULES.timezone, s.timezone);
  const ranges = s.time_based !== undefined ? Object.keys(s.time_based).length : rangesInForce;
  if (s.strategy === 'time_of_day' && ranges === 0) {
    throw bad('routing.time_based', s.time_based, TIME_OF_DAY_NEEDS_RANGES);
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
