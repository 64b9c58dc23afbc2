/**
 * The drift test: every rule of the one field table (src/model/field-rules.ts) gives the same verdict and the
 * same expected sentence through config.yml (the real loader on a temp file), the TypeScript API (a real
 * GeographicRedundancy on the memory store) and REST (the real fastify server, through inject). Good and bad
 * values are generated from each rule, so a field added to the table is covered without a new line here;
 * hand-written cases add what a rule cannot say alone (formats, pairs, known regions, overlaps).
 * A refused value changes nothing: the setting in force (and the region list) is as it was.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, parseConfig } from '../../src/config';
import { GeoredError } from '../../src/errors';
import type { GeographicRedundancy } from '../../src/geo/service';
import { SETTINGS_KEY, checkRoutingSettings } from '../../src/geo/settings';
import { getGeographicRedundancy, resetGeographicRedundancy } from '../../src/index';
import { ALERTS_KEY } from '../../src/alerts/alerter';
import {
  ALERT_RULES,
  FAILBACK_RULES,
  FAILOVER_RULES,
  FLAP_GUARD_RULES,
  HEALTH_CHECK_RULES,
  NO_OVERLAP_EXPECTED,
  PAGERDUTY_RULES,
  REGION_REQUIRED,
  REGION_RULES,
  REPLICATION_RULES,
  ROUTING_RULES,
  SMS_GATEWAY_RULES,
  SMTP_RULES,
  TIME_OF_DAY_NEEDS_RANGES,
  coordinatePairExpected,
  knownRegionExpected,
  type FieldRule,
} from '../../src/model/field-rules';
import { P, call, startApi, type TestApi } from '../api/harness';

const G = 'features.geographic_redundancy';
const REGIONS = [
  {
    name: 'us-east-1',
    priority: 1,
    trunk_id: 'trunk-us-east',
    sip_server: '127.0.0.1:15061',
    location: 'Virginia, USA',
  },
  {
    name: 'us-west-1',
    priority: 2,
    trunk_id: 'trunk-us-west',
    sip_server: '127.0.0.1:15062',
    location: 'California, USA',
  },
];
const KNOWN = REGIONS.map((r) => r.name);
/** The geo section the file path and the TypeScript API's service start from (REST's harness has the same). */
const GEO = {
  enabled: true,
  health_check: {
    interval: 3600,
    timeout: 5,
    retry_count: 2,
    check_methods: ['pushed'],
    custom_checks: [{ name: 'pushed', type: 'ttl', ttl: 3600 }],
  },
  failover: { automatic: true },
  regions: REGIONS,
};
/** The region every region case registers (its sip_server is its own, so no duplicate). */
const NEW_REGION = { name: 'eu-central-1', trunk_id: 'trunk-eu', sip_server: '127.0.0.1:15099', priority: 3 };

type Section =
  | 'region'
  | 'health_check'
  | 'failover'
  | 'flap_guard'
  | 'failback'
  | 'routing'
  | 'replication'
  | AlertSection;
/** The alert settings: `alerts` itself and its channels' mappings (config alerts, configureAlerts, PUT .../alerts). */
type AlertSection = 'alerts' | 'smtp' | 'sms_gateway' | 'pagerduty';
const ALERT_SECTIONS: readonly Section[] = ['alerts', 'smtp', 'sms_gateway', 'pagerduty'];

/**
 * The secret every alert secret case refers to (env:GEORED_DRIFT_SECRET): a Standard Webhooks key, so it is
 * good for webhook_secret too. The alert service of the TypeScript API and of REST reads process.env.
 */
const SECRET_VAR = 'GEORED_DRIFT_SECRET';
const SECRET_REF = `env:${SECRET_VAR}`;
process.env[SECRET_VAR] = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const FILE_ENV = { [SECRET_VAR]: process.env[SECRET_VAR] };
/** A literal secret: refused on every path, and never in an error. */
const LITERAL_SECRET = 'hunter2-literal-secret';

/** What each channel's case starts from: its required fields (smtp: username, so a password is good alone). */
const CHANNEL_BASE: Record<Exclude<AlertSection, 'alerts'>, Record<string, unknown>> = {
  smtp: { host: '127.0.0.1', from: 'geored@example.com', username: 'geored' },
  sms_gateway: { account_sid: 'AC1', auth_token: SECRET_REF, from: '+15551234567' },
  pagerduty: { routing_key: SECRET_REF },
};

/**
 * Sections the TypeScript API is not compared for here: flap_guard has no API; enable_data_replication
 * checks its settings against every region's database before it answers (test/replication covers it on
 * real PostgreSQL) with the same checkField, so REST is compared on the values its schema refuses.
 */
const FILE_ONLY: readonly Section[] = ['flap_guard', 'replication'];

interface Case {
  readonly section: Section;
  /** The rule's key in its table (routing: weight, time_range, time_region, strategy, timezone). */
  readonly field: string;
  /** undefined: the field is left out. */
  readonly value: unknown;
  /** null: accepted; else the expected sentence every path must give. */
  readonly expected: string | null;
  /** What the error must name (the field, or the key of a keyed setting). */
  readonly names?: string;
  /** The found text, where all three paths must agree on it too. */
  readonly found?: string;
  /** Text no path's error may contain (a secret's value). */
  readonly hidden?: string;
  readonly label?: string;
}

type Verdict =
  { ok: true } | { ok: false; expected: string; field: string; message: string; problems?: number };

/** The expected sentence of a message `... found X, expected Y`. */
function expectedIn(message: string): string {
  const i = message.indexOf('expected ');
  return i < 0 ? `(no expected sentence in: ${message})` : message.slice(i + 'expected '.length);
}

// ---- cases generated from the rules ----

const STRING_SAMPLES: Record<string, { good: string[]; bad: Array<[string, string | null]> }> = {
  // [value, expected or null for the rule's own sentence]
  'sip-server': {
    good: ['127.0.0.1:15098', 'sips:sip.example.com;transport=tcp', '[::1]:15097'],
    bad: [
      [
        'sip:user@sip.example.com',
        'a server URI without a user part (sip:host[:port]), since it names a server',
      ],
      [
        'host.example.com:70000',
        'a host, host:port, [IPv6]:port, or a sip:/sips: URI such as sip:host:5060;transport=tcp',
      ],
      ['sip:h.example.com;transport=sctp', ';transport=udp, tcp or tls'],
    ],
  },
  host: { good: ['sip.example.com', '198.51.100.7'], bad: [['bad host!', null]] },
  'time-zone': { good: ['Europe/Dublin', 'UTC'], bad: [['Mars/Olympus', null]] },
  'http-url': {
    good: ['https://health.example.com/ok'],
    bad: [
      ['ftp://x.example.com/health', null],
      ['not a url', null],
    ],
  },
  cidr: {
    good: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'],
    bad: [
      ['10.0.0.0/33', null],
      ['here', null],
    ],
  },
  'time-range': {
    good: ['08:00-17:00', '22:00-06:00', '18:00-24:00'],
    bad: [
      ['8-17', null],
      ['25:00-26:00', null],
      ['08:00-08:00', null],
      ['24:00-08:00', null],
    ],
  },
};

const PLAIN_GOOD: Record<string, string[]> = {
  'region.name': ['eu-central-1', 'a', 'A.b_c-9'],
  'region.capabilities': ['voice'],
  'health_check.check_methods': ['pushed'],
  'routing.time_region': ['us-west-1'],
  'alerts.email': ['ops@example.com'],
  'alerts.sms': ['+15551234567'],
  'smtp.from': ['geored@example.com', 'Geored <geored@example.com>'],
  'sms_gateway.from': ['+15551234567'],
};

/** The i-th of many different good items of a list with no repeats (its longest good list). */
const DISTINCT_GOOD: Record<string, (i: number) => string> = {
  'alerts.email': (i) => `ops${i}@example.com`,
  'alerts.sms': (i) => `+1555${String(i).padStart(7, '0')}`,
};

function goodStrings(key: string, rule: Extract<FieldRule, { kind: 'string' }>): string[] {
  if (rule.secret) return [SECRET_REF];
  if (rule.format) return STRING_SAMPLES[rule.format]!.good;
  return PLAIN_GOOD[key] ?? ['Frankfurt, Germany'];
}

interface Sample {
  readonly value: unknown;
  readonly expected: string | null;
  readonly hidden?: string;
}

function samples(key: string, rule: FieldRule): Sample[] {
  const good = (value: unknown): Sample => ({ value, expected: null });
  const bad = (value: unknown, expected = rule.expected): Sample => ({ value, expected });
  switch (rule.kind) {
    case 'number': {
      const lo = rule.min ?? (rule.above !== undefined ? rule.above + 0.5 : 0);
      const hi = rule.max ?? lo + 1000;
      const out = [good(lo), good(hi), bad(String(lo)), bad(true)];
      if (rule.min !== undefined) out.push(bad(rule.min - 1));
      if (rule.above !== undefined) out.push(bad(rule.above));
      if (rule.max !== undefined) out.push(bad(rule.max + 1));
      if (rule.integer) out.push(bad(lo + 0.5));
      return out;
    }
    case 'boolean':
      return [good(true), good(false), bad('yes'), bad(1)];
    case 'enum':
      return [...rule.values.map(good), bad('random'), bad(5)];
    case 'string': {
      const out = [...goodStrings(key, rule).map(good), bad(5), bad(''), bad('   '), bad(['x'])];
      if (rule.maxLength !== undefined) out.push(bad('a'.repeat(rule.maxLength + 1)));
      if (rule.pattern) out.push(bad('bad name!'), bad('-leading-dash'), bad('a'.repeat(51)));
      if (rule.format) {
        for (const [v, e] of STRING_SAMPLES[rule.format]!.bad) out.push(bad(v, e ?? rule.expected));
      }
      if (rule.secret) {
        // A value in place of a reference, and a reference to a variable not set.
        out.push(bad(LITERAL_SECRET), bad('env:GEORED_DRIFT_UNSET_VAR'));
        // No path shows a secret's value: a refused value that is not a reference is absent from every error.
        const shownNever = (x: unknown) =>
          typeof x === 'string' && x.trim().length >= 3 && !/^(env|file):/.test(x);
        return out.map((x) =>
          x.expected !== null && shownNever(x.value) ? { ...x, hidden: x.value as string } : x,
        );
      }
      return out;
    }
    case 'list': {
      const items = samples(key, rule.items);
      const goodItem = items.find((s) => s.expected === null)!.value;
      const out = [good([goodItem]), bad('x'), bad({ a: 1 })];
      if (rule.minItems === undefined) out.push(good([]));
      else out.push(bad([]));
      if (rule.maxItems !== undefined) {
        // A list with no repeats is longest with different items: the enum's values, or made for the key.
        const nth = (i: number): unknown =>
          !rule.unique
            ? goodItem
            : rule.items.kind === 'enum'
              ? rule.items.values[i]
              : DISTINCT_GOOD[key]!(i);
        out.push(good(Array.from({ length: rule.maxItems }, (_, i) => nth(i))));
        out.push(bad(Array.from({ length: rule.maxItems + 1 }, () => goodItem)));
      }
      if (rule.unique) out.push(bad([goodItem, goodItem]));
      // A bad item is refused with the item's sentence, at the item.
      for (const item of items.filter((s) => s.expected !== null && !Array.isArray(s.value)).slice(0, 3)) {
        out.push(bad([goodItem, item.value], item.expected!));
      }
      return out;
    }
  }
}

const TABLES: ReadonlyArray<[Section, Readonly<Record<string, FieldRule>>]> = [
  ['region', REGION_RULES],
  ['health_check', HEALTH_CHECK_RULES],
  ['failover', FAILOVER_RULES],
  ['flap_guard', FLAP_GUARD_RULES],
  ['failback', FAILBACK_RULES],
  ['routing', ROUTING_RULES],
  ['replication', REPLICATION_RULES],
  ['alerts', ALERT_RULES],
  ['smtp', SMTP_RULES],
  ['sms_gateway', SMS_GATEWAY_RULES],
  ['pagerduty', PAGERDUTY_RULES],
];

/** A channel's field is named with its mapping (smtp.port) on every path. */
const namesOf = (section: Section, field: string): string | undefined =>
  ALERT_SECTIONS.includes(section) && section !== 'alerts' ? `${section}.${field}` : undefined;

const GENERATED: Case[] = TABLES.flatMap(([section, rules]) =>
  Object.entries(rules).flatMap(([field, rule]) =>
    samples(`${section}.${field}`, rule).map((s) => {
      const names = namesOf(section, field);
      return { section, field, ...s, ...(names !== undefined ? { names } : {}) };
    }),
  ),
);

const HAND_WRITTEN: Case[] = [
  // Named in the issue: each was accepted by one path and refused by another.
  { section: 'region', field: 'priority', value: 0, expected: REGION_RULES.priority.expected },
  {
    section: 'health_check',
    field: 'latency_warning_ms',
    value: 0,
    expected: HEALTH_CHECK_RULES.latency_warning_ms.expected,
  },
  { section: 'flap_guard', field: 'max_switches', value: 0, expected: null, label: '0 disables the guard' },
  {
    section: 'routing',
    field: 'time_based',
    value: { '22:00-06:00': 'us-east-1', '05:00-09:00': 'us-west-1' },
    expected: NO_OVERLAP_EXPECTED,
    names: '05:00-09:00',
    found: '"05:00-09:00", which overlaps "22:00-06:00" at 05:00',
    label: 'overlapping time ranges',
  },
  {
    section: 'routing',
    field: 'time_based',
    value: { '00:00-08:00': 'us-west-1', '08:00-24:00': 'us-east-1' },
    expected: null,
    label: 'ranges that touch do not overlap',
  },
  {
    section: 'routing',
    field: 'time_based',
    value: {},
    expected: TIME_OF_DAY_NEEDS_RANGES,
    label: 'time_of_day with no range',
  },
  // Required region fields, and the coordinates' pair rule.
  ...REGION_REQUIRED.map((field): Case => ({
    section: 'region',
    field,
    value: undefined,
    expected: REGION_RULES[field].expected,
  })),
  {
    section: 'region',
    field: 'latitude',
    value: 53.3,
    expected: coordinatePairExpected('longitude'),
    names: 'longitude',
    label: 'latitude without longitude',
  },
  {
    section: 'region',
    field: 'longitude',
    value: -6.2,
    expected: coordinatePairExpected('latitude'),
    names: 'latitude',
    label: 'longitude without latitude',
  },
  // Keys and values naming regions: only the configured ones.
  {
    section: 'routing',
    field: 'weight_key',
    value: 'mars-1',
    expected: knownRegionExpected(KNOWN),
    names: 'mars-1',
  },
  {
    section: 'routing',
    field: 'time_region',
    value: 'mars-1',
    expected: knownRegionExpected(KNOWN),
    names: 'time_based',
  },
];

// ---- the three paths ----

/**
 * The alert settings of a case: dry_run (so no channel needs its gateway and nothing is sent) plus the
 * field, in its channel's mapping for a channel's field.
 */
function alertsBody(c: Case): Record<string, unknown> {
  const body: Record<string, unknown> =
    c.field === 'dry_run' && c.section === 'alerts' ? {} : { dry_run: true };
  if (c.section === 'alerts') {
    if (c.value !== undefined) body[c.field] = c.value;
    return body;
  }
  const channel: Record<string, unknown> = { ...CHANNEL_BASE[c.section as Exclude<AlertSection, 'alerts'>] };
  if (c.value === undefined) delete channel[c.field];
  else channel[c.field] = c.value;
  body[c.section] = channel;
  return body;
}

/** The in-force value of an alert case's field, from a configureAlerts / PUT answer. */
function alertsFieldOf(inForce: Record<string, unknown>, c: Case): unknown {
  if (c.section === 'alerts') return inForce[c.field];
  return (inForce[c.section] as Record<string, unknown> | null)?.[c.field];
}

/** Where each case's value goes, per path. */
function regionBody(c: Case): Record<string, unknown> {
  const body: Record<string, unknown> = { ...NEW_REGION };
  if (c.value === undefined) delete body[c.field];
  else body[c.field] = c.value;
  // Coordinates come in pairs: a case about one gives the other, unless it is the pair case itself.
  if (c.label === undefined && c.field === 'latitude') body['longitude'] = 0;
  if (c.label === undefined && c.field === 'longitude') body['latitude'] = 0;
  return body;
}

function routingShape(c: Case): {
  file: Record<string, unknown>;
  ts: (g: GeographicRedundancy) => Promise<unknown>;
  rest: { path: string; body: unknown; before?: { path: string; body: unknown } };
} {
  const v = c.value;
  switch (c.field) {
    case 'strategy': {
      // time_of_day needs a range in force on every path: the file gives one, the APIs set one first.
      const ranges = { '00:00-24:00': 'us-east-1' };
      const needsRanges = v === 'time_of_day';
      return {
        file: needsRanges ? { strategy: v, time_based: ranges } : { strategy: v },
        ts: async (g) => {
          if (needsRanges) await g.configureTimeBasedRouting(ranges);
          return g.enableGeoLoadBalancing({ strategy: v as 'priority' });
        },
        rest: {
          path: '/load-balancing',
          body: { strategy: v },
          ...(needsRanges ? { before: { path: '/time-based-routing', body: { rules: ranges } } } : {}),
        },
      };
    }
    case 'weight':
    case 'weight_key': {
      const weights = c.field === 'weight' ? { 'us-east-1': v } : { [v as string]: 10 };
      return {
        file: { weights },
        ts: (g) =>
          g.enableGeoLoadBalancing({ strategy: 'priority', weights: weights as Record<string, number> }),
        rest: { path: '/load-balancing', body: { strategy: 'priority', weights } },
      };
    }
    case 'time_range':
    case 'time_region':
    case 'time_based': {
      const rules =
        c.field === 'time_based'
          ? (v as Record<string, string>)
          : c.field === 'time_range'
            ? { [String(v)]: 'us-east-1' }
            : { '08:00-17:00': v };
      return {
        file: { strategy: 'time_of_day', time_based: rules },
        ts: (g) => g.configureTimeBasedRouting(rules as Record<string, string>),
        rest: { path: '/time-based-routing', body: { rules } },
      };
    }
    case 'timezone': {
      const rules = { '08:00-17:00': 'us-east-1' };
      return {
        file: { timezone: v },
        ts: (g) => g.configureTimeBasedRouting(rules, v as string),
        rest: { path: '/time-based-routing', body: { rules, timezone: v } },
      };
    }
  }
  throw new Error(`no routing shape for ${c.field}`);
}

/** The geo section of config.yml for a case; `where` is the path its problem must be at (a prefix). */
function fileOf(c: Case): { geo: Record<string, unknown>; where: string } {
  const geo: Record<string, unknown> = structuredClone(GEO);
  const put = (section: Record<string, unknown>) => {
    if (c.value !== undefined) section[c.field] = c.value;
  };
  switch (c.section) {
    case 'region':
      geo['regions'] = [...REGIONS, regionBody(c)];
      return { geo, where: `${G}.regions[2]` };
    case 'health_check':
      put(geo['health_check'] as Record<string, unknown>);
      return { geo, where: `${G}.health_check.${c.field}` };
    case 'failover':
      put(geo['failover'] as Record<string, unknown>);
      return { geo, where: `${G}.failover.${c.field}` };
    case 'flap_guard':
      (geo['failover'] as Record<string, unknown>)['flap_guard'] = { [c.field]: c.value };
      return { geo, where: `${G}.failover.flap_guard.${c.field}` };
    case 'failback':
      geo['failback'] = { [c.field]: c.value };
      return { geo, where: `${G}.failback.${c.field}` };
    case 'routing':
      geo['routing'] = routingShape(c).file;
      return { geo, where: `${G}.routing` };
    case 'replication':
      geo['data_replication'] = { [c.field]: c.value };
      return { geo, where: `${G}.data_replication.${c.field}` };
    case 'alerts':
    case 'smtp':
    case 'sms_gateway':
    case 'pagerduty':
      geo['alerts'] = alertsBody(c);
      return { geo, where: `${G}.alerts.${namesOf(c.section, c.field) ?? c.field}` };
  }
}

let dir: string;
let fileCount = 0;

function throughFile(c: Case): Verdict & { where: string } {
  const { geo, where } = fileOf(c);
  const path = join(dir, `config-${++fileCount}.yml`);
  writeFileSync(path, stringify({ features: { geographic_redundancy: geo } }));
  try {
    const config = loadConfig(path, FILE_ENV);
    if (c.section === 'flap_guard' && c.value !== undefined) {
      // Accepted means in force: the loaded configuration carries the value.
      expect((config.geo.failover.flap_guard as Record<string, unknown>)[c.field]).toEqual(c.value);
    }
    return { ok: true, where };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const p = e.problems[0]!;
    expect(e.source).toBe(path);
    return {
      ok: false,
      expected: expectedIn(p.message),
      field: p.path,
      message: p.message,
      problems: e.problems.length,
      where,
    };
  }
}

function refusal(e: unknown): Verdict {
  if (!(e instanceof GeoredError)) throw e;
  const field = (e.params['field'] ?? e.params['setting']) as string;
  return { ok: false, expected: expectedIn(e.message), field, message: e.message };
}

/** What a case may change on a service: its settings, in force and stored, and its regions. */
async function stateOf(g: GeographicRedundancy): Promise<unknown> {
  return {
    regions: g.listRegions().map((r) => r.name),
    stored: await g.store.kvGet(SETTINGS_KEY),
    health_check: g.healthCheckInForce(),
    failover: g.failoverInForce(),
    failback: g.failbackInForce(),
    alerts: { ...g.getAlerts(), recent_decisions: [] },
    alerts_stored: await g.store.kvGet(ALERTS_KEY),
  };
}

async function throughTypeScript(g: GeographicRedundancy, c: Case): Promise<Verdict> {
  const before = await stateOf(g);
  let verdict: Verdict;
  try {
    switch (c.section) {
      case 'region': {
        const body = regionBody(c);
        await g.registerRegion(body as never);
        await g.removeRegion(body['name'] as string);
        break;
      }
      case 'health_check': {
        const was = g.healthCheckInForce();
        const now = await g.configureHealthCheck({ [c.field]: c.value });
        expect((now as Record<string, unknown>)[c.field]).toEqual(c.value);
        await g.configureHealthCheck({ [c.field]: (was as Record<string, unknown>)[c.field] });
        break;
      }
      case 'failover': {
        const was = g.failoverInForce();
        const now = await g.configureFailover({ [c.field]: c.value });
        expect((now as Record<string, unknown>)[c.field]).toEqual(c.value);
        await g.configureFailover({ [c.field]: (was as Record<string, unknown>)[c.field] });
        break;
      }
      case 'failback': {
        const was = g.failbackInForce();
        const now = await g.configureFailback({ [c.field]: c.value });
        expect((now as Record<string, unknown>)[c.field]).toEqual(c.value);
        await g.configureFailback({ [c.field]: (was as Record<string, unknown>)[c.field] });
        break;
      }
      case 'routing':
        await routingShape(c).ts(g);
        break;
      case 'alerts':
      case 'smtp':
      case 'sms_gateway':
      case 'pagerduty': {
        const now = await g.configureAlerts(alertsBody(c));
        expect(alertsFieldOf(now as unknown as Record<string, unknown>, c)).toEqual(c.value);
        await g.resetAlerts();
        break;
      }
      case 'flap_guard':
      case 'replication':
        throw new Error(`${c.section} is compared through config.yml only`);
    }
    return { ok: true };
  } catch (e) {
    verdict = refusal(e);
  }
  expect(await stateOf(g), 'a refused value changes nothing').toEqual(before);
  return verdict;
}

const REST_SECTION = {
  health_check: 'health-check',
  failover: 'failover-config',
  failback: 'failback-config',
};

async function restState(api: TestApi): Promise<unknown> {
  const get = async (path: string) => (await call(api.app, 'GET', `${P}${path}`)).json();
  return {
    regions: await get('/regions'),
    stored: await api.store.kvGet(SETTINGS_KEY),
    health_check: await get('/health-check'),
    failover: await get('/failover-config'),
    failback: await get('/failback-config'),
    alerts: { ...((await get('/alerts')) as Record<string, unknown>), recent_decisions: [] },
    alerts_stored: await api.store.kvGet(ALERTS_KEY),
  };
}

async function throughRest(api: TestApi, c: Case): Promise<Verdict> {
  const before = await restState(api);
  let r;
  let undo: (() => Promise<unknown>) | undefined;
  switch (c.section) {
    case 'region': {
      const body = regionBody(c);
      r = await call(api.app, 'POST', `${P}/region`, { body });
      undo = () => call(api.app, 'DELETE', `${P}/regions/${String(body['name'])}`);
      break;
    }
    case 'health_check':
    case 'failover':
    case 'failback': {
      const path = `${P}/${REST_SECTION[c.section]}`;
      const was = (await call(api.app, 'GET', path)).json() as Record<string, unknown>;
      r = await call(api.app, 'PUT', path, { body: { [c.field]: c.value } });
      if (r.statusCode < 300) expect(r.json()[c.field]).toEqual(c.value);
      undo = () => call(api.app, 'PUT', path, { body: { [c.field]: was[c.field] } });
      break;
    }
    case 'routing': {
      const { path, body, before } = routingShape(c).rest;
      if (before) {
        const set = await call(api.app, 'PUT', `${P}${before.path}`, { body: before.body });
        expect(set.statusCode, set.body).toBe(200);
      }
      r = await call(api.app, 'PUT', `${P}${path}`, { body });
      break;
    }
    case 'replication':
      // Only refusals by the schema are compared: an accepted value goes on to the databases' checks.
      r = await call(api.app, 'PUT', `${P}/data-replication`, { body: { [c.field]: c.value } });
      break;
    case 'alerts':
    case 'smtp':
    case 'sms_gateway':
    case 'pagerduty':
      r = await call(api.app, 'PUT', `${P}/alerts`, { body: alertsBody(c) });
      if (r.statusCode < 300) expect(alertsFieldOf(r.json() as Record<string, unknown>, c)).toEqual(c.value);
      undo = () => call(api.app, 'DELETE', `${P}/alerts`);
      break;
    case 'flap_guard':
      throw new Error(`${c.section} is compared through config.yml only`);
  }
  if (r.statusCode < 300) {
    const done = await undo?.();
    if (done && typeof done === 'object' && 'statusCode' in done) expect(done.statusCode).toBeLessThan(300);
    return { ok: true };
  }
  expect(r.statusCode, r.body).toBe(400);
  const { error } = r.json() as { error: { code: string; message: string; field?: string } };
  expect(await restState(api), 'a refused value changes nothing').toEqual(before);
  return { ok: false, expected: expectedIn(error.message), field: error.field ?? '', message: error.message };
}

// ---- the test ----

let api: TestApi;
let geo: GeographicRedundancy;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'geored-drift-'));
  api = await startApi();
  const config = parseConfig(stringify({ features: { geographic_redundancy: GEO } }), 'drift.yml', {});
  geo = await getGeographicRedundancy(config, { memoryStore: true, logger: pino({ level: 'silent' }) });
}, 30_000);

afterAll(async () => {
  await resetGeographicRedundancy();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v).slice(0, 40));
const title = (c: Case) =>
  `${c.section}.${c.field} ${c.label ?? show(c.value)} → ${c.expected === null ? 'accepted' : 'refused'}`;

describe('one field table: config.yml, the TypeScript API and REST give the same verdict and words', () => {
  it('generates cases for every rule of the table, good and bad', () => {
    for (const [section, rules] of TABLES) {
      for (const field of Object.keys(rules)) {
        const mine = GENERATED.filter((c) => c.section === section && c.field === field);
        expect(
          mine.some((c) => c.expected === null),
          `${section}.${field} has a good value`,
        ).toBe(true);
        expect(
          mine.some((c) => c.expected !== null),
          `${section}.${field} has a bad value`,
        ).toBe(true);
      }
    }
  });

  it.each([...GENERATED, ...HAND_WRITTEN].map((c) => [title(c), c] as const))('%s', async (_t, c) => {
    const file = throughFile(c);
    const verdicts: Array<[string, Verdict]> = [['config.yml', file]];
    if (!FILE_ONLY.includes(c.section)) {
      verdicts.push(['TypeScript API', await throughTypeScript(geo, c)]);
      verdicts.push(['REST', await throughRest(api, c)]);
    } else if (c.section === 'replication' && c.expected !== null) {
      verdicts.push(['REST', await throughRest(api, c)]);
    }
    for (const [path, v] of verdicts) {
      if (c.expected === null) {
        expect(v.ok, `${path} accepts it: ${v.ok ? '' : v.message}`).toBe(true);
        continue;
      }
      expect(v.ok, `${path} refuses it`).toBe(false);
      if (v.ok) continue;
      expect(v.expected, `${path}: ${v.message}`).toBe(c.expected);
      const names = c.names ?? (c.section === 'routing' ? '' : c.field);
      expect(v.field, `${path} names the field`).toContain(names);
      if (c.found !== undefined) expect(v.message, `${path} says what it found`).toContain(c.found);
      if (c.hidden !== undefined) expect(v.message, `${path} never shows the secret`).not.toContain(c.hidden);
    }
    if (!file.ok) {
      expect(file.field.startsWith(file.where), `config.yml: at ${file.field}`).toBe(true);
      expect(file.problems, `config.yml: one problem (${file.message})`).toBe(1);
    }
  });
});

describe('strategy time_of_day needs a time range in force, on every path', () => {
  const regions = new Set(KNOWN);
  const CASES: ReadonlyArray<[string, Parameters<typeof checkRoutingSettings>[0], number, boolean]> = [
    ['time_of_day, no range in force', { strategy: 'time_of_day' }, 0, false],
    ['time_of_day, ranges in force', { strategy: 'time_of_day' }, 2, true],
    ['time_of_day with an empty set of ranges', { strategy: 'time_of_day', time_based: {} }, 2, false],
    [
      'time_of_day with its ranges',
      { strategy: 'time_of_day', time_based: { '00:00-24:00': 'us-east-1' } },
      0,
      true,
    ],
    ['priority, no range', { strategy: 'priority' }, 0, true],
  ];
  it.each(CASES)('%s', (_what, settings, inForce, ok) => {
    const run = () => checkRoutingSettings(settings, regions, inForce);
    if (ok) expect(run).not.toThrow();
    else
      expect(run).toThrowError(
        expect.objectContaining({
          message: `routing.time_based: found ${settings.time_based === undefined ? 'nothing' : '{}'}, expected ${TIME_OF_DAY_NEEDS_RANGES}`,
        }),
      );
  });

  it('config.yml refuses time_of_day without ranges, as the APIs do', () => {
    for (const time_based of [undefined, {}]) {
      const path = join(dir, `config-${++fileCount}.yml`);
      const geoSection = {
        ...GEO,
        routing: { strategy: 'time_of_day', ...(time_based ? { time_based } : {}) },
      };
      writeFileSync(path, stringify({ features: { geographic_redundancy: geoSection } }));
      const e = (() => {
        try {
          loadConfig(path, {});
        } catch (err) {
          return err as ConfigError;
        }
        throw new Error('accepted');
      })();
      expect(e.problems.map((p) => [p.path, expectedIn(p.message)])).toEqual([
        [`${G}.routing.time_based`, TIME_OF_DAY_NEEDS_RANGES],
      ]);
    }
  });
});
