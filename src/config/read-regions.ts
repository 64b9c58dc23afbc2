/** `regions[]` under features.geographic_redundancy. */
import { DEFAULT_REGION } from './defaults';
import { REGION_RULES as RULES, coordinatePairExpected } from '../model/field-rules';
import { parseHost } from './addresses';
import { readSecret, readUrlSetting } from './read-secret';
import { defaultTransport, parseSipServer } from './sip-target';
import type { HeaderRewrite, RegionConfig, RegionCredentials } from './types';
import type { Cursor, Fields, Reader } from './yaml-reader';

const REGION_KEYS = [
  'name',
  'priority',
  'trunk_id',
  'sip_server',
  'location',
  'capabilities',
  'weight',
  'latitude',
  'longitude',
  'timezone',
  'http_check_url',
  'credentials',
  'request_uri_host',
  'source_addresses',
  'rewrite_headers',
  'database',
  'jurisdiction',
] as const;

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// Rewriting these would break the transaction or dialog the proxy keeps (RFC 3261 §16.6).
const PROTECTED_HEADERS = [
  'via',
  'v',
  'call-id',
  'i',
  'cseq',
  'content-length',
  'l',
  'max-forwards',
  'route',
  'record-route',
];
// These identify the dialog's parties: their host may be hidden, but they must stay.
const HOST_ONLY_HEADERS = ['from', 'f', 'to', 't', 'contact', 'm'];

function readCredentials(r: Reader, c: Cursor, env: NodeJS.ProcessEnv): RegionCredentials | undefined {
  const f = r.map(c, ['username', 'password', 'realm', 'expires', 'aor_user']);
  if (!f || c.node === undefined) return undefined;
  const username = r.require(f.get('username'), 'a user name')
    ? r.string(f.get('username'), 'a user name')
    : undefined;
  const password = r.require(f.get('password'), 'env:VAR or file:PATH naming the password')
    ? readSecret(r, f.get('password'), env)
    : undefined;
  const realm = r.string(f.get('realm'), 'a realm');
  const expires =
    r.number(f.get('expires'), { expected: 'seconds, an integer >= 1', integer: true, min: 1 }) ??
    DEFAULT_REGION.expires;
  const aor_user = r.string(f.get('aor_user'), 'a user part');
  if (username === undefined || password === undefined) return undefined;
  return {
    username,
    password,
    expires,
    ...(realm !== undefined ? { realm } : {}),
    ...(aor_user !== undefined ? { aor_user } : {}),
  };
}

function readRewrites(r: Reader, c: Cursor): HeaderRewrite[] {
  const out: HeaderRewrite[] = [];
  const expected = '{header, remove: true} or {header, set: VALUE} or {header, replace_host: HOST}';
  for (const item of r.list(c, `a list of ${expected}`) ?? []) {
    if (item.node === undefined) {
      r.wrong(item, expected);
      continue;
    }
    const f = r.map(item, ['header', 'remove', 'set', 'replace_host']);
    if (!f) continue;
    const header = r.require(f.get('header'), 'a header name')
      ? r.string(f.get('header'), 'a header name')
      : undefined;
    if (header === undefined) continue;
    const lower = header.toLowerCase();
    if (!HEADER_NAME.test(header)) {
      r.wrong(f.get('header'), 'a header name (RFC 3261 token characters)');
      continue;
    }
    if (PROTECTED_HEADERS.includes(lower)) {
      r.wrong(
        f.get('header'),
        `a header the proxy does not own (not ${header}: rewriting it breaks the call)`,
      );
      continue;
    }
    const actions = (['remove', 'set', 'replace_host'] as const).filter((k) => f.has(k));
    if (actions.length !== 1) {
      r.wrong(
        item,
        `exactly one of remove, set, replace_host (found ${actions.length === 0 ? 'none' : actions.join(' and ')})`,
      );
      continue;
    }
    const action = actions[0]!;
    if (action !== 'replace_host' && HOST_ONLY_HEADERS.includes(lower)) {
      r.wrong(
        f.get(action),
        `replace_host for ${header} (it identifies a party of the dialog and must stay)`,
      );
      continue;
    }
    if (action === 'remove') {
      if (r.boolean(f.get('remove')) === false)
        r.wrong(f.get('remove'), 'remove: true (omit the entry to keep the header)');
      else out.push({ header, action });
    } else if (action === 'set') {
      const value = r.string(f.get('set'), 'a header value');
      if (value !== undefined) out.push({ header, action, value });
    } else {
      const host = r.string(f.get('replace_host'), 'a host name or IP address');
      if (host !== undefined && parseHost(host) === null)
        r.wrong(f.get('replace_host'), 'a host name or IP address');
      else if (host !== undefined) out.push({ header, action, host });
    }
  }
  return out;
}

function readCoordinates(r: Reader, f: Fields): { latitude?: number; longitude?: number } {
  const latitude = r.field<number>(f.get('latitude'), RULES.latitude);
  const longitude = r.field<number>(f.get('longitude'), RULES.longitude);
  if (f.has('latitude') !== f.has('longitude')) {
    const missing = f.has('latitude') ? 'longitude' : 'latitude';
    r.reportAt('CONFIG_MISSING', f.get(missing), { expected: coordinatePairExpected(missing) });
    return {};
  }
  return latitude !== undefined && longitude !== undefined ? { latitude, longitude } : {};
}

interface ReadRegion {
  readonly f: Fields;
  /** The name as written, even when the region has other problems, so references to it still resolve. */
  readonly name: string | undefined;
  readonly region: RegionConfig | undefined;
}

function readRegion(r: Reader, item: Cursor, env: NodeJS.ProcessEnv): ReadRegion | undefined {
  if (item.node === undefined) return r.wrong(item, 'a region {name, priority, trunk_id, sip_server, ...}');
  const f = r.map(item, REGION_KEYS);
  if (!f) return undefined;
  // The rules every path shares (src/model/field-rules.ts); the rest are the file's alone.
  const name = r.requiredField<string>(f.get('name'), RULES.name);
  const priority = r.requiredField<number>(f.get('priority'), RULES.priority);
  const trunk_id = r.requiredField<string>(f.get('trunk_id'), RULES.trunk_id);
  const sip_server = r.requiredField<string>(f.get('sip_server'), RULES.sip_server);
  const parsed = sip_server === undefined ? undefined : parseSipServer(sip_server);
  const location = r.field<string>(f.get('location'), RULES.location);
  const capabilities =
    r.field<string[]>(f.get('capabilities'), RULES.capabilities) ?? DEFAULT_REGION.capabilities;
  const weight = r.field<number>(f.get('weight'), RULES.weight) ?? DEFAULT_REGION.weight;
  const coordinates = readCoordinates(r, f);
  const timezone = r.field<string>(f.get('timezone'), RULES.timezone);
  const http_check_url = r.field<string>(f.get('http_check_url'), RULES.http_check_url);
  const request_uri_host = r.field<string>(f.get('request_uri_host'), RULES.request_uri_host);
  const source_addresses = r.field<string[]>(f.get('source_addresses'), RULES.source_addresses) ?? [];
  const rewrite_headers = readRewrites(r, f.get('rewrite_headers'));
  const credentials = readCredentials(r, f.get('credentials'), env);
  const database = readUrlSetting(r, f.get('database'), env, DATABASE_EXPECTED, isPostgresUrl);
  const jurisdiction = r.string(f.get('jurisdiction'), JURISDICTION_EXPECTED);
  if (jurisdiction !== undefined && !JURISDICTION.test(jurisdiction))
    r.wrong(f.get('jurisdiction'), JURISDICTION_EXPECTED);

  if (
    name === undefined ||
    priority === undefined ||
    trunk_id === undefined ||
    sip_server === undefined ||
    !parsed?.ok
  ) {
    return { f, name, region: undefined };
  }
  const region: RegionConfig = {
    name,
    priority,
    trunk_id,
    sip_server,
    target: parsed.target,
    transport: defaultTransport(parsed.target),
    ...(location !== undefined ? { location } : {}),
    capabilities,
    weight,
    ...coordinates,
    ...(timezone !== undefined ? { timezone } : {}),
    ...(http_check_url !== undefined ? { http_check_url } : {}),
    ...(request_uri_host !== undefined ? { request_uri_host } : {}),
    source_addresses,
    rewrite_headers,
    ...(credentials !== undefined ? { credentials } : {}),
    ...(database !== undefined ? { database } : {}),
    ...(jurisdiction !== undefined && JURISDICTION.test(jurisdiction) ? { jurisdiction } : {}),
  };
  return { f, name, region };
}

const DATABASE_EXPECTED = 'a postgres://user@host:port/database URL (its password from env:VAR or file:PATH)';
const JURISDICTION = /^[a-z][a-z0-9_]{0,19}$/;
const JURISDICTION_EXPECTED = 'a jurisdiction in lower case such as eu or us';

function isPostgresUrl(s: string): boolean {
  if (!/^postgres(ql)?:\/\//.test(s)) return false;
  try {
    const url = new URL(s);
    return url.hostname !== '' && url.pathname.length > 1;
  } catch {
    return false;
  }
}

export interface ReadRegions {
  readonly regions: RegionConfig[];
  /** Every region name written, valid region or not: what routing rules may refer to. */
  readonly names: string[];
}

export function readRegions(r: Reader, c: Cursor, env: NodeJS.ProcessEnv): ReadRegions {
  const regions: RegionConfig[] = [];
  const names = new Map<string, string>();
  const targets = new Map<string, string>();
  for (const item of r.list(c, 'a list of regions') ?? []) {
    const read = readRegion(r, item, env);
    if (!read || read.name === undefined) continue;
    const { region, f, name } = read;
    const firstName = names.get(name);
    if (firstName !== undefined) {
      r.reportAt('CONFIG_DUPLICATE', f.get('name'), {
        what: 'region name',
        value: `'${name}'`,
        first: firstName,
      });
      continue;
    }
    names.set(name, f.get('name').path);
    if (!region) continue;
    // Calls are attributed to a region by where they come from, so two regions cannot share a target.
    const t = region.target;
    const targetKey = `${t.secure ? 'sips' : 'sip'}:${t.host.toLowerCase()}:${t.port ?? ''};${t.transport ?? ''}`;
    const firstTarget = targets.get(targetKey);
    if (firstTarget !== undefined) {
      r.reportAt('CONFIG_DUPLICATE', f.get('sip_server'), {
        what: 'sip_server',
        value: `'${region.sip_server}'`,
        first: firstTarget,
      });
      continue;
    }
    targets.set(targetKey, f.get('sip_server').path);
    regions.push(region);
  }
  return { regions, names: [...names.keys()] };
}
