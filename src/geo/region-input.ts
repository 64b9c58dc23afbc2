/**
 * Regions added through the API: the guide's RegionInput checked field by field (a 400 names the field),
 * turned into the same RegionConfig the config file produces, and into the store row that brings it back
 * after a restart. Config-file regions keep their RegionConfig from the file (credentials included).
 */
import { checkField } from '../config/check-field';
import { defaultTransport, parseSipServer } from '../config/sip-target';
import { REGION_REQUIRED, REGION_RULES as RULES, coordinatePairExpected } from '../model/field-rules';
import type { RegionConfig } from '../config/types';
import { errorFactory } from '../errors/catalogue';
import { GEO_ERRORS } from '../errors/geo';
import type { RegionInput as StoreRegionInput, RegionRow } from '../store/types';
import type { RegionInput } from './types';
import { guideColumns } from './views';

const geoError = errorFactory(GEO_ERRORS);

function bad(field: string, found: unknown, expected: string): Error {
  const shown = found === undefined ? 'nothing' : (JSON.stringify(found) ?? String(found));
  return geoError('GEO_BAD_REGION', { field, found: shown, expected });
}

const FIELDS = Object.keys(RULES) as Array<keyof typeof RULES>;

/**
 * Throws GEO_BAD_REGION (400) naming the first field that is wrong, with the expected sentence of the one
 * field table (src/model/field-rules.ts) that config.yml and REST use too.
 */
export function checkRegionInput(input: RegionInput): void {
  if (typeof input !== 'object' || input === null) throw bad('body', input, 'an object');
  const fields = input as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!(FIELDS as string[]).includes(key)) throw bad(key, key, `one of ${FIELDS.join(', ')}`);
  }
  for (const field of FIELDS) {
    const v = fields[field];
    if (v === undefined) {
      if ((REGION_REQUIRED as readonly string[]).includes(field)) throw bad(field, v, RULES[field].expected);
      continue;
    }
    const problem = checkField(RULES[field], v);
    if (problem) {
      throw bad(`${field}${problem.at}`, problem.value, problem.expected);
    }
  }
  if ((input.latitude === undefined) !== (input.longitude === undefined)) {
    const missing = input.latitude === undefined ? 'latitude' : 'longitude';
    throw bad(missing, undefined, coordinatePairExpected(missing));
  }
}

/** The RegionConfig an API region runs on; call checkRegionInput first. */
export function regionConfigOf(input: RegionInput): RegionConfig {
  const parsed = parseSipServer(input.sip_server);
  if (!parsed.ok) throw bad('sip_server', input.sip_server, parsed.expected);
  return {
    name: input.name,
    priority: input.priority,
    trunk_id: input.trunk_id,
    sip_server: input.sip_server,
    target: parsed.target,
    transport: defaultTransport(parsed.target),
    capabilities: input.capabilities ?? [],
    weight: input.weight ?? 1,
    source_addresses: input.source_addresses ?? [],
    rewrite_headers: [],
    ...(input.location !== undefined ? { location: input.location } : {}),
    ...(input.latitude !== undefined ? { latitude: input.latitude } : {}),
    ...(input.longitude !== undefined ? { longitude: input.longitude } : {}),
    ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
    ...(input.http_check_url !== undefined ? { http_check_url: input.http_check_url } : {}),
    ...(input.request_uri_host !== undefined ? { request_uri_host: input.request_uri_host } : {}),
  };
}

/** What geo_regions keeps of a region: the guide's columns, the rest in `settings`. Never credentials. */
export function storeRowOf(region: RegionConfig, origin: 'config' | 'api'): StoreRegionInput {
  const settings: Record<string, unknown> = { weight: region.weight };
  if (region.latitude !== undefined) settings['latitude'] = region.latitude;
  if (region.longitude !== undefined) settings['longitude'] = region.longitude;
  if (region.timezone !== undefined) settings['timezone'] = region.timezone;
  if (region.http_check_url !== undefined) settings['http_check_url'] = region.http_check_url;
  if (region.request_uri_host !== undefined) settings['request_uri_host'] = region.request_uri_host;
  if (region.source_addresses.length > 0) settings['source_addresses'] = [...region.source_addresses];
  return { ...guideColumns(region), settings, origin };
}

/** The RegionInput a stored API region was made from (to rebuild its RegionConfig after a restart). */
export function inputOfRow(
  row: Pick<RegionRow, 'name' | 'trunk_id' | 'sip_server' | 'priority' | 'location' | 'settings'> & {
    readonly capabilities: readonly string[];
  },
): RegionInput {
  const s = row.settings;
  const pick = <T>(key: string): T | undefined =>
    s[key] === undefined || s[key] === null ? undefined : (s[key] as T);
  const input: RegionInput = {
    name: row.name,
    trunk_id: row.trunk_id,
    sip_server: row.sip_server,
    priority: row.priority,
    capabilities: [...row.capabilities],
  };
  const extras: Partial<RegionInput> = {
    location: row.location ?? undefined,
    weight: pick<number>('weight'),
    latitude: pick<number>('latitude'),
    longitude: pick<number>('longitude'),
    timezone: pick<string>('timezone'),
    http_check_url: pick<string>('http_check_url'),
    request_uri_host: pick<string>('request_uri_host'),
    source_addresses: pick<string[]>('source_addresses'),
  };
  for (const [k, v] of Object.entries(extras))
    if (v !== undefined) (input as unknown as Record<string, unknown>)[k] = v;
  return input;
}

/** The RegionInput of a region as it runs (the base an update patches). */
export function inputOfConfig(region: RegionConfig): RegionInput {
  const row = storeRowOf(region, 'api');
  return inputOfRow({
    ...row,
    location: row.location ?? null,
    capabilities: row.capabilities ?? [],
    settings: row.settings ?? {},
  });
}
