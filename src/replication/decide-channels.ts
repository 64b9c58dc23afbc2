/**
 * Which region publishes which table to which region, and with which rows and columns: a pure function
 * of the settings, the regions, the active region and which databases answer. Residency rules and GDPR
 * consent compile here into PostgreSQL 15 publication row filters and column lists, so the database
 * itself never sends restricted rows or columns to a region outside the allowed jurisdiction.
 *
 * The rule that keeps failover safe: a region that receives a filtered view of a table can never publish
 * it (its copy is partial, and a reseed from it would erase what it never got). Such a table stays
 * published from a region with the full view — the active region when it has one, else the rule's
 * storage location — and when none of those answers, the table waits: restricted data does not leave.
 */
import { personalColumnsOf, qualify, quoteIdent, quoteLiteral, tablesOf } from './pbx-schema';
import type {
  Channel,
  DataType,
  PublishedTable,
  ReplicaRegion,
  ReplicationSettings,
  ResidencyConstraints,
} from './types';

export interface ChannelInput {
  readonly settings: ReplicationSettings;
  /** Regions in priority order (the first is preferred as a fallback publisher). */
  readonly regions: readonly ReplicaRegion[];
  readonly active: string | null;
  /** Regions whose database answered the last observation. */
  readonly reachable: ReadonlySet<string>;
}

export interface TableRestriction {
  /** Rows this target may not receive, as a SQL condition they must meet (ANDed). */
  readonly filters: readonly string[];
  /** Columns this target may not receive. */
  readonly withheld_columns: readonly string[];
  readonly rules: readonly string[];
}

/** A table that waits because no region allowed to publish it answers. */
export interface WaitingTable {
  readonly table: string;
  readonly why: string;
}

export interface ChannelDecision {
  readonly channels: readonly Channel[];
  readonly waiting: readonly WaitingTable[];
  /** Table → its publisher (the region whose writes are authoritative). */
  readonly publishers: ReadonlyMap<string, string>;
  readonly reason: string;
}

/** The rules in force, as residency constraints (a GDPR region without a DPA keeps personal data home). */
export function residencyRules(
  s: ReplicationSettings,
  regions: readonly ReplicaRegion[],
): Array<[string, ResidencyConstraints]> {
  const rules: Array<[string, ResidencyConstraints]> = Object.entries(s.residency);
  for (const [region, g] of Object.entries(s.gdpr)) {
    if (g.data_processing_agreement) continue;
    const j = regions.find((r) => r.name === region)?.jurisdiction;
    rules.push([
      region,
      {
        data_types: ['personal_data'],
        storage_location: region,
        no_transfer_outside: j === undefined ? [] : [j],
      },
    ]);
  }
  return rules;
}

/** Whether `target` may hold data restricted by a rule. */
export function allowedBy(rule: ResidencyConstraints, target: ReplicaRegion | undefined): boolean {
  if (target === undefined) return false;
  if (target.name === rule.storage_location) return true;
  return target.jurisdiction !== undefined && rule.no_transfer_outside.includes(target.jurisdiction);
}

/** Whether a rule's storage location is itself inside the jurisdiction the rule keeps its data in. */
export function storageAllowed(rule: ResidencyConstraints, home: ReplicaRegion): boolean {
  return (
    rule.no_transfer_outside.length === 0 ||
    (home.jurisdiction !== undefined && rule.no_transfer_outside.includes(home.jurisdiction))
  );
}

function describeRule(region: string, rule: ResidencyConstraints): string {
  const where =
    rule.no_transfer_outside.length > 0
      ? `outside ${rule.no_transfer_outside.join(', ')}`
      : `outside ${rule.storage_location}`;
  return `residency of ${region}: no ${rule.data_types.join(', ')} ${where}`;
}

/** The data types each table in force carries. */
export function tableTypes(s: ReplicationSettings): Map<string, DataType[]> {
  const out = new Map<string, DataType[]>();
  const add = (type: DataType) => {
    for (const t of tablesOf(s, type)) out.set(t, [...(out.get(t) ?? []), type]);
  };
  for (const type of s.data_types) add(type);
  if (s.cdr && !s.data_types.includes('cdr')) add('cdr');
  return out;
}

/** What `target` may not receive of `table`, under every residency and GDPR rule. */
export function restrictionFor(
  s: ReplicationSettings,
  regions: readonly ReplicaRegion[],
  table: string,
  types: readonly DataType[],
  target: string,
): TableRestriction {
  const t = regions.find((r) => r.name === target);
  const filters: string[] = [];
  const withheld = new Set<string>();
  const rules: string[] = [];
  const home = quoteIdent(s.home_column);
  for (const [region, rule] of residencyRules(s, regions)) {
    if (allowedBy(rule, t)) continue;
    const rowTypes = rule.data_types.filter((d) => d !== 'personal_data' && types.includes(d));
    let applied = false;
    if (rowTypes.length > 0) {
      filters.push(`${home} <> ${quoteLiteral(region)}`);
      applied = true;
    }
    if (rule.data_types.includes('personal_data')) {
      for (const c of personalColumnsOf(s, table)) withheld.add(c);
      applied ||= personalColumnsOf(s, table).length > 0;
    }
    if (applied) rules.push(describeRule(region, rule));
  }
  for (const [region, g] of Object.entries(s.gdpr)) {
    if (!g.user_consent_required || region === target) continue;
    if (personalColumnsOf(s, table).length === 0) continue;
    filters.push(`(${home} <> ${quoteLiteral(region)} OR ${quoteIdent(s.consent_column)})`);
    rules.push(
      `GDPR mode of ${region}: personal data of subjects without recorded consent stays in ${region}`,
    );
  }
  return { filters: [...new Set(filters)], withheld_columns: [...withheld], rules };
}

function isFull(r: TableRestriction): boolean {
  return r.filters.length === 0 && r.withheld_columns.length === 0;
}

/**
 * The channels: for every table, its publisher and what each other region receives. `columnsOf` gives a
 * table's observed columns on its publisher (for column lists); a table not observed there is skipped by
 * the checks in check-tables.ts, not here.
 */
export function decideChannels(
  input: ChannelInput,
  columnsOf: (region: string, table: string) => readonly string[] | undefined,
): ChannelDecision {
  const { settings: s, active, reachable } = input;
  const regions = input.regions.filter((r) => r.database !== undefined);
  const names = regions.map((r) => r.name);
  if (!s.enabled || regions.length < 2) {
    return {
      channels: [],
      waiting: [],
      publishers: new Map(),
      reason: !s.enabled
        ? 'data replication is not enabled'
        : 'data replication needs at least two regions with a database',
    };
  }
  if (s.bidirectional) return decideTwoWay(input, regions, columnsOf);
  const cdrTargets = new Set(s.cdr?.target_regions ?? []);
  const cdrTables = s.cdr ? new Set(tablesOf(s, 'cdr')) : new Set<string>();
  const byPair = new Map<string, PublishedTable[]>();
  const publishers = new Map<string, string>();
  const waiting: WaitingTable[] = [];

  for (const [table, types] of tableTypes(s)) {
    const restrictions = new Map(names.map((n) => [n, restrictionFor(s, regions, table, types, n)]));
    const full = names.filter((n) => isFull(restrictions.get(n)!));
    // Preferred: the active region; then the rules' own regions (storage location, GDPR region); then priority.
    const ruleHomes = [
      ...residencyRules(s, regions).map(([, r]) => r.storage_location),
      ...Object.keys(s.gdpr),
    ];
    const order = [...(active !== null ? [active] : []), ...ruleHomes, ...names].filter(
      (n, i, all) => all.indexOf(n) === i && full.includes(n),
    );
    const publisher = order.find((n) => reachable.has(n));
    if (publisher === undefined) {
      waiting.push({
        table,
        why:
          full.length === 0
            ? `no region may hold all of ${table} under the rules in force`
            : `${table} waits: it may be published only from ${full.join(', ')}, and none of them answers`,
      });
      continue;
    }
    publishers.set(table, publisher);
    const isCdr = cdrTables.has(table) && !s.data_types.some((d) => d !== 'cdr' && types.includes(d));
    // A target that does not answer keeps its channel: the publication and its slot stay on the publisher,
    // holding the changes until it is back (dropping them would mean copying every table afresh).
    for (const target of names) {
      if (target === publisher) continue;
      if (isCdr && !cdrTargets.has(target)) continue;
      const r = restrictions.get(target)!;
      const cols = columnsOf(publisher, table);
      const columns =
        r.withheld_columns.length > 0 && cols !== undefined
          ? cols.filter((c) => !r.withheld_columns.includes(c))
          : null;
      const entry: PublishedTable = {
        table: qualify(table),
        data_types: types,
        row_filter: r.filters.length > 0 ? r.filters.join(' AND ') : null,
        columns,
        restrictions: r.rules,
      };
      const key = `${publisher}\u0000${target}`;
      byPair.set(key, [...(byPair.get(key) ?? []), entry]);
    }
  }

  const realtime = s.cdr?.realtime ?? true;
  const channels: Channel[] = [...byPair.entries()].map(([key, tables]) => {
    const [publisher, subscriber] = key.split('\u0000') as [string, string];
    const onlyCdr = tables.every((t) => cdrTables.has(t.table) && t.data_types.every((d) => d === 'cdr'));
    return {
      publisher,
      subscriber,
      name: channelName(publisher, subscriber),
      tables: tables.sort((a, b) => (a.table < b.table ? -1 : 1)),
      realtime: onlyCdr ? realtime : true,
    };
  });
  const pubs = [...new Set(publishers.values())].sort((a, b) => (a === active ? -1 : b === active ? 1 : 0));
  const subscribers = [...new Set(channels.map((c) => c.subscriber))];
  const away = subscribers.filter((n) => !reachable.has(n));
  const reason =
    pubs.length === 0
      ? `nothing can be published: ${waiting.map((w) => w.why).join('; ')}`
      : `${pubs.join(' and ')} publish${pubs.length === 1 ? 'es' : ''} to ${
          subscribers.filter((n) => reachable.has(n)).join(', ') ||
          (away.length > 0 ? 'no region that answers' : 'no region')
        }` +
        held(active, publishers) +
        (waiting.length > 0 ? `; ${waiting.length} table(s) wait` : '') +
        (away.length > 0
          ? `; ${away.join(', ')} ${away.length === 1 ? 'does' : 'do'} not answer: ${away.length === 1 ? 'its' : 'their'} changes wait in the publisher's slot`
          : '');
  return { channels, waiting, publishers, reason };
}

/**
 * The region two-way replication copies its initial rows from: one that may hold every row and column of
 * every replicated table (a partial copy would seed the others with less than they may hold), the active
 * region when it may, else the first in priority order. Only one region seeds, so no row is copied into a
 * region twice; the others' subscriptions start empty-handed (copy_data = false) and carry changes only.
 */
export function twoWaySeed(
  s: ReplicationSettings,
  regions: readonly ReplicaRegion[],
  active: string | null,
): { seed: string | null; why: string } {
  const withDb = regions.filter((r) => r.database !== undefined);
  const names = withDb.map((r) => r.name);
  const types = [...tableTypes(s)];
  const full = names.filter((n) =>
    types.every(([table, ty]) => isFull(restrictionFor(s, withDb, table, ty, n))),
  );
  const seed = [...(active !== null ? [active] : []), ...names].find((n) => full.includes(n)) ?? null;
  return {
    seed,
    why:
      seed === null
        ? 'no region may hold every row and column of every replicated table under the rules in force, so none can seed the others'
        : seed === active
          ? `the initial copy comes from the active region ${seed}`
          : `the initial copy comes from ${seed}, the first region that may hold every row and column (the active region ${active ?? '(none)'} may not)`,
  };
}

/**
 * bidirectional: every region publishes the tables to every other, and each subscription takes only the
 * changes written on its publisher (origin = none), so a change is applied once everywhere and never sent
 * back. What a target may receive is the same whoever publishes: its residency filters and column list.
 * A publisher that may not hold some columns (they were withheld from it) never sends them either: its
 * copy lacks them, and sending its empty values on an update would overwrite the values where they live.
 * Channels of a region that does not answer stay, so their slots and subscriptions keep their place.
 */
function decideTwoWay(
  input: ChannelInput,
  regions: readonly ReplicaRegion[],
  columnsOf: (region: string, table: string) => readonly string[] | undefined,
): ChannelDecision {
  const { settings: s, active, reachable } = input;
  const names = regions.map((r) => r.name);
  const { seed, why } = twoWaySeed(s, regions, active);
  const types = tableTypes(s);
  if (seed === null) {
    return {
      channels: [],
      waiting: [...types.keys()].map((table) => ({ table, why: `${table} waits: ${why}` })),
      publishers: new Map(),
      reason: `two-way replication waits: ${why}`,
    };
  }
  const cdrTargets = new Set(s.cdr?.target_regions ?? []);
  const cdrTables = s.cdr ? new Set(tablesOf(s, 'cdr')) : new Set<string>();
  const restrictions = new Map(
    [...types].map(([table, ty]) => [
      table,
      new Map(names.map((n) => [n, restrictionFor(s, regions, table, ty, n)])),
    ]),
  );
  const channels: Channel[] = [];
  for (const publisher of names) {
    for (const subscriber of names) {
      if (publisher === subscriber) continue;
      const tables: PublishedTable[] = [];
      for (const [table, ty] of types) {
        const isCdr = cdrTables.has(table) && !s.data_types.some((d) => d !== 'cdr' && ty.includes(d));
        if (isCdr && !cdrTargets.has(subscriber)) continue;
        const r = restrictions.get(table)!.get(subscriber)!;
        const own = restrictions.get(table)!.get(publisher)!;
        const withheld = new Set([...r.withheld_columns, ...own.withheld_columns]);
        const cols = columnsOf(publisher, table);
        tables.push({
          table: qualify(table),
          data_types: ty,
          row_filter: r.filters.length > 0 ? r.filters.join(' AND ') : null,
          columns: withheld.size > 0 && cols !== undefined ? cols.filter((c) => !withheld.has(c)) : null,
          restrictions: [
            ...r.rules,
            ...(own.withheld_columns.length > 0
              ? own.rules.map((rule) => `${publisher} holds none of the columns withheld by ${rule}`)
              : []),
          ],
        });
      }
      if (tables.length === 0) continue;
      const onlyCdr = tables.every((t) => cdrTables.has(t.table) && t.data_types.every((d) => d === 'cdr'));
      channels.push({
        publisher,
        subscriber,
        name: channelName(publisher, subscriber),
        tables: tables.sort((a, b) => (a.table < b.table ? -1 : 1)),
        realtime: onlyCdr ? (s.cdr?.realtime ?? true) : true,
        two_way: true,
        copy_data: publisher === seed,
      });
    }
  }
  const away = names.filter((n) => !reachable.has(n));
  const reason =
    `two-way: ${names.join(', ')} each publish to the others (origin = none)` +
    `; ${why}` +
    (away.length > 0
      ? `; ${away.join(', ')} ${away.length === 1 ? 'does' : 'do'} not answer: changes to and from ${away.length === 1 ? 'it' : 'them'} wait in the slots`
      : '');
  return {
    channels,
    waiting: [],
    publishers: new Map([...types.keys()].map((t) => [t, seed])),
    reason,
  };
}

/** Which tables do not follow the active region, for the decision's sentence. */
function held(active: string | null, publishers: ReadonlyMap<string, string>): string {
  if (active === null) return '';
  const by = new Map<string, string[]>();
  for (const [t, p] of publishers) if (p !== active) by.set(p, [...(by.get(p) ?? []), t]);
  if (by.size === 0) return '';
  const parts = [...by].map(
    ([p, ts]) => `${ts.sort().join(', ')} stay${ts.length === 1 ? 's' : ''} published from ${p}`,
  );
  return `; ${parts.join('; ')}, since the active region ${active} may not hold all of their rows and columns`;
}

/** geored's name for a region in SQL identifiers: lower case, [a-z0-9_]. */
export function sqlName(region: string): string {
  return region.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** Publication on the publisher, subscription on the subscriber, slot on the publisher. */
export function channelName(publisher: string, subscriber: string): string {
  return `geored_${sqlName(publisher)}_to_${sqlName(subscriber)}`.slice(0, 63);
}

export const GEORED_PREFIX = 'geored_';
