/**
 * Regions added through the API: the guide's RegionInput checked field by field (a 400 names the field),
 * turned into the same RegionConfig the config file produces, and into the store row that brings it back
 * after a restart. Config-file regions keep their RegionConfig from the file (credentials included).
 */
import { isCidr } from '../model/cidr';
import { defaultTransport, parseSipServer } from '../config/sip-target';
import { isTimeZone } from '../config/time-ranges';
import type { RegionConfig } from '../config/types';
import { errorFactory } from '../errors/catalogue';
import { GEO_ERRORS } from '../errors/geo';
import type { RegionInput as StoreRegionInput, RegionRow } from '../store/types';
import type { RegionInput } from './types';
import { guideColumns } from './views';

const geoError = errorFactory(GEO_ERRORS);

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

function bad(field: string, found: unknown, expected: string): Error {
  return geoError('GEO_BAD_REGION', { field, found: JSON.stringify(found) ?? String(found), expected });
}

function optionalNumber(input: RegionInput, field: keyof RegionInput, min: number, max: number): void {
  const v = input[field];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw bad(field, v, `a number from ${min} to ${max}`);
  }
}

/** Throws GEO_BAD_REGION (400) naming the first field that is wrong. */
export function checkRegionInput(input: RegionInput): void {
  if (typeof input !== 'object' || input === null) throw bad('body', input, 'an object');
  if (typeof input.name !== 'string' || !NAME.test(input.name)) {
    throw bad('name', input.name, '1-50 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  if (typeof input.trunk_id !== 'string' || input.trunk_id.length === 0 || input.trunk_id.length > 100) {
    throw bad('trunk_id', input.trunk_id, 'a non-empty string of at most 100 characters');
  }
  if (typeof input.sip_server !== 'string' || input.sip_server.length > 255) {
    throw bad('sip_server', input.sip_server, 'a string of at most 255 characters');
  }
  const target = parseSipServer(input.sip_server);
  if (!target.ok) throw bad('sip_server', input.sip_server, target.expected);
  if (!Number.isInteger(input.priority) || input.priority < 0 || input.priority > 1_000_000) {
    throw bad('priority', input.priority, 'an integer from 0 to 1000000 (lower is preferred)');
  }
  if (input.location !== undefined && (typeof input.location !== 'string' || input.location.length > 100)) {
    throw bad('location', input.location, 'a string of at most 100 characters');
  }
  if (
    input.capabilities !== undefined &&
    (!Array.isArray(input.capabilities) || !input.capabilities.every((c) => typeof c === 'string' && c))
  ) {
    throw bad('capabilities', input.capabilities, 'a list of non-empty strings');
  }
  optionalNumber(input, 'weight', 0, 1_000_000);
  optionalNumber(input, 'latitude', -90, 90);
  optionalNumber(input, 'longitude', -180, 180);
  if ((input.latitude === undefined) !== (input.longitude === undefined)) {
    throw bad(
      input.latitude === undefined ? 'latitude' : 'longitude',
      undefined,
      'latitude and longitude together',
    );
  }
  if (input.timezone !== undefined && (typeof input.timezone !== 'string' || !isTimeZone(input.timezone))) {
    throw bad('timezone', input.timezone, 'an IANA time zone such as Europe/Dublin');
  }
  if (input.http_check_url !== undefined && !isHttpUrl(input.http_check_url)) {
    throw bad('http_check_url', input.http_check_url, 'an http:// or https:// URL');
  }
  if (input.request_uri_host !== undefined && typeof input.request_uri_host !== 'string') {
    throw bad('request_uri_host', input.request_uri_host, 'a host name');
  }
  if (
    input.source_addresses !== undefined &&
    (!Array.isArray(input.source_addresses) || !input.source_addresses.every(isAddressOrCidr))
  ) {
    throw bad('source_addresses', input.source_addresses, 'a list of IP addresses or CIDRs');
  }
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function isAddressOrCidr(v: unknown): boolean {
  return typeof v === 'string' && isCidr(v);
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
