/** `routing` under features.geographic_redundancy: strategy, weights, time-of-day ranges, caller location. */
import { isMap, type Node } from 'yaml';
import { isCidr } from './addresses';
import { DEFAULT_ROUTING } from './defaults';
import { NO_OVERLAP_EXPECTED, ROUTING_RULES as RULES, TIME_OF_DAY_NEEDS_RANGES } from '../model/field-rules';
import { overlapWith, parseTimeRange } from '../model/time-range';
import type { GeoPoint, LocationRule, RoutingConfig, RoutingStrategy, TimeRangeRule } from './types';
import type { Cursor, Reader } from './yaml-reader';

const PREFIX = /^\+?[0-9]{1,15}$/;

function isEmptyMap(node: Node | undefined): boolean {
  return isMap(node) && node.items.length === 0;
}

function knownRegion(r: Reader, c: Cursor, region: string, regions: readonly string[]): boolean {
  if (regions.includes(region)) return true;
  r.reportAt('CONFIG_UNKNOWN_REGION', c, {
    region,
    known: regions.length ? regions.join(', ') : 'none configured',
  });
  return false;
}

function readWeights(r: Reader, c: Cursor, regions: readonly string[]): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const { key, keyNode, value } of r.entries(c, 'a mapping of region name to weight') ?? []) {
    const w = r.field<number>(value, RULES.weight);
    if (!knownRegion(r, { ...value, node: keyNode }, key, regions)) continue;
    if (w !== undefined) weights[key] = w;
  }
  return weights;
}

function readTimeBased(r: Reader, c: Cursor, regions: readonly string[]): TimeRangeRule[] {
  const rules: TimeRangeRule[] = [];
  for (const { key, keyNode, value } of r.entries(c, 'a mapping of "HH:MM-HH:MM" to region name') ?? []) {
    const region = r.requiredField<string>(value, RULES.time_region);
    const keyAt = { ...value, node: keyNode };
    const rule = r.field<string>(keyAt, RULES.time_range) === undefined ? null : parseTimeRange(key, '');
    if (region === undefined || !knownRegion(r, value, region, regions) || !rule) continue;
    const clash = overlapWith(rules, rule);
    if (clash) {
      r.reportAt('CONFIG_WRONG_VALUE', keyAt, { found: clash.found, expected: NO_OVERLAP_EXPECTED });
      continue;
    }
    rules.push({ ...rule, region });
  }
  return rules;
}

function readPoint(r: Reader, c: Cursor): GeoPoint | undefined {
  const f = r.map(c, ['latitude', 'longitude']);
  if (!f || !r.require(c, '{latitude, longitude}')) return undefined;
  const latOk = r.require(f.get('latitude'), 'a latitude from -90 to 90');
  const lonOk = r.require(f.get('longitude'), 'a longitude from -180 to 180');
  const latitude = r.number(f.get('latitude'), { expected: 'a latitude from -90 to 90', min: -90, max: 90 });
  const longitude = r.number(f.get('longitude'), {
    expected: 'a longitude from -180 to 180',
    min: -180,
    max: 180,
  });
  return latOk && lonOk && latitude !== undefined && longitude !== undefined
    ? { latitude, longitude }
    : undefined;
}

function readLocationRules(r: Reader, c: Cursor): LocationRule[] {
  const out: LocationRule[] = [];
  const expected = '{prefix: "+1", location: {latitude, longitude}} or {source: CIDR, location: {...}}';
  for (const item of r.list(c, `a list of ${expected}`) ?? []) {
    if (item.node === undefined) {
      r.wrong(item, expected);
      continue;
    }
    const f = r.map(item, ['prefix', 'source', 'location']);
    if (!f) continue;
    if (f.has('prefix') === f.has('source')) {
      r.wrong(item, `exactly one of prefix and source (${expected})`);
      readPoint(r, f.get('location'));
      continue;
    }
    const prefix = r.string(f.get('prefix'), 'a number prefix such as "+1" or "44" (quote it)');
    if (prefix !== undefined && !PREFIX.test(prefix))
      r.wrong(f.get('prefix'), 'a number prefix of up to 15 digits, e.g. "+1"');
    const source = r.string(f.get('source'), 'an IP address or CIDR block');
    if (source !== undefined && !isCidr(source))
      r.wrong(f.get('source'), 'an IP address or CIDR block such as 198.51.100.0/24');
    const location = readPoint(r, f.get('location'));
    if (location === undefined) continue;
    if (prefix !== undefined && PREFIX.test(prefix)) out.push({ prefix, location });
    else if (source !== undefined && isCidr(source)) out.push({ source, location });
  }
  return out;
}

export function readRouting(r: Reader, c: Cursor, regions: readonly string[]): RoutingConfig {
  const d = DEFAULT_ROUTING;
  const f = r.map(c, ['strategy', 'weights', 'time_based', 'timezone', 'location_rules']);
  if (!f) return d;
  const strategy = r.field<RoutingStrategy>(f.get('strategy'), RULES.strategy) ?? d.strategy;
  const weights = readWeights(r, f.get('weights'), regions);
  const time_based = readTimeBased(r, f.get('time_based'), regions);
  if (strategy === 'time_of_day' && !f.has('time_based')) {
    r.reportAt('CONFIG_MISSING', f.get('time_based'), { expected: TIME_OF_DAY_NEEDS_RANGES });
  } else if (strategy === 'time_of_day' && isEmptyMap(f.get('time_based').node)) {
    r.wrong(f.get('time_based'), TIME_OF_DAY_NEEDS_RANGES);
  }
  const timezone = r.field<string>(f.get('timezone'), RULES.timezone);
  return {
    strategy,
    weights,
    time_based,
    timezone: timezone ?? d.timezone,
    location_rules: readLocationRules(r, f.get('location_rules')),
  };
}
