/**
 * From the channels wanted and the databases observed, the SQL that makes them so: pure, idempotent (a
 * second plan over the result is empty), and each step with the sentence that says why. Connection
 * strings are written as `{conninfo:REGION}` and filled in by the executor, so a plan holds no secret.
 *
 * Order matters: subscriptions that point at the wrong publisher go first (releasing their slots); rows an
 * old primary wrote that never left it are then kept aside before anything of its is dropped or truncated;
 * a new subscription copies its tables afresh from the publisher (after emptying its copy), because the
 * copy it had came from a different history.
 */
import { STORE_NODE } from './decide-call-records';
import { GEORED_PREFIX } from './decide-channels';
import { quoteIdent, quoteLiteral, quoteTable } from './pbx-schema';
import type { Channel, ObservedDatabase, PublishedTable, ReplicationAction } from './types';

/** What geored writes as the publication's comment: the tables, filters and columns it should hold. */
export function publicationSpec(ch: Channel): string {
  const tables = ch.tables.map((t) => [t.table, t.row_filter, t.columns]);
  // Two-way publications differ in what they send (no TRUNCATE): a switch of mode is a change to make.
  return JSON.stringify(ch.two_way === true ? ['two-way', ...tables] : tables);
}

/**
 * What a publication sends. Two-way sends no TRUNCATE: emptying a region's copy to seed it afresh, or an
 * operator's TRUNCATE in one region, must not empty every other region's table.
 */
function publishOption(ch: Channel): string {
  return ch.two_way === true
    ? "publish = 'insert, update, delete'"
    : "publish = 'insert, update, delete, truncate'";
}

function tableClause(t: PublishedTable): string {
  const cols = t.columns === null ? '' : ` (${t.columns.map(quoteIdent).join(', ')})`;
  const where = t.row_filter === null ? '' : ` WHERE (${t.row_filter})`;
  return `TABLE ${quoteTable(t.table)}${cols}${where}`;
}

function publicationMatches(ch: Channel, db: ObservedDatabase): boolean {
  const pub = db.publications.find((p) => p.name === ch.name);
  if (!pub || pub.comment !== publicationSpec(ch)) return false;
  // Someone may have changed it by hand since: the table set and the column lists must be as written.
  if (pub.tables.length !== ch.tables.length) return false;
  return ch.tables.every((t) => {
    const o = pub.tables.find((x) => x.table === t.table);
    if (!o) return false;
    if ((o.row_filter === null) !== (t.row_filter === null)) return false;
    const want = t.columns === null ? null : [...t.columns].sort().join(',');
    const got = o.columns === null ? null : [...o.columns].sort().join(',');
    return want === null || got === null ? true : want === got;
  });
}

function detachAndDrop(name: string): string[] {
  // Dropping with slot_name = NONE never needs the publisher: it may be the region that failed.
  return [
    `ALTER SUBSCRIPTION ${quoteIdent(name)} DISABLE`,
    `ALTER SUBSCRIPTION ${quoteIdent(name)} SET (slot_name = NONE)`,
    `DROP SUBSCRIPTION ${quoteIdent(name)}`,
  ];
}

export interface PlanInput {
  readonly channels: readonly Channel[];
  readonly observed: ReadonlyMap<string, ObservedDatabase>;
  /** Every region name with a database, to read publisher names back from geored's object names. */
  readonly regions: readonly string[];
}

export function planActions(input: PlanInput): ReplicationAction[] {
  const { channels, observed } = input;
  const reachable = (r: string) => observed.get(r)?.reachable === true;
  const wanted = new Map(channels.map((c) => [c.name, c]));
  const keepAside: ReplicationAction[] = [];
  const dropSubs: ReplicationAction[] = [];
  const pubs: ReplicationAction[] = [];
  const subs: ReplicationAction[] = [];
  /** Channels whose subscriber must be (re)created: new, moved, or the publication changed. */
  const reseed = new Set<string>();
  /**
   * Two-way channels whose publication changed: the subscription is refreshed without a copy instead of
   * made again, since a fresh copy would empty the subscriber's table, and rows written there that had
   * not reached the others yet would be lost from it (origin = none never sends them back).
   */
  const refreshOnly = new Set<string>();

  // Publications (and the old primary's leftovers) on every publisher.
  for (const [region, db] of observed) {
    if (!db.reachable) continue;
    const mine = channels.filter((c) => c.publisher === region);
    for (const pub of db.publications) {
      if (!pub.name.startsWith(GEORED_PREFIX) || wanted.get(pub.name)?.publisher === region) continue;
      const slot = db.slots.find((s) => s.name === pub.name);
      // The store is no primary that could have written alone: what its slot holds still is in geo_calls.
      if (slot && region !== STORE_NODE) {
        keepAside.push({
          region,
          kind: 'keep-aside',
          sql: [pub.name],
          why: `${region} no longer publishes ${pub.name}: changes written in ${region} that its subscriber had not confirmed are kept aside in geored_kept_aside before the publication goes`,
        });
      }
      pubs.push({
        region,
        kind: 'drop-publication',
        sql: [`DROP PUBLICATION ${quoteIdent(pub.name)}`],
        why: `${region} no longer publishes to that region (${pub.name})`,
      });
    }
    for (const ch of mine) {
      const pub = db.publications.find((p) => p.name === ch.name);
      if (pub && publicationMatches(ch, db)) continue;
      const tables = ch.tables.map(tableClause).join(', ');
      const sql = pub
        ? [
            `ALTER PUBLICATION ${quoteIdent(ch.name)} SET ${tables}`,
            `ALTER PUBLICATION ${quoteIdent(ch.name)} SET (${publishOption(ch)})`,
          ]
        : [`CREATE PUBLICATION ${quoteIdent(ch.name)} FOR ${tables} WITH (${publishOption(ch)})`];
      sql.push(`COMMENT ON PUBLICATION ${quoteIdent(ch.name)} IS ${quoteLiteral(publicationSpec(ch))}`);
      const restricted = ch.tables.filter((t) => t.restrictions.length > 0);
      pubs.push({
        region,
        kind: pub ? 'alter-publication' : 'create-publication',
        sql,
        why:
          `${region} publishes ${ch.tables.map((t) => t.table).join(', ')} to ${ch.subscriber}` +
          (ch.two_way === true ? ' (two-way: no TRUNCATE is sent)' : '') +
          (pub ? ' (the publication differed from what the rules in force say)' : '') +
          (restricted.length > 0
            ? `; withheld by ${[...new Set(restricted.flatMap((t) => t.restrictions))].join('; ')}`
            : ''),
      });
      if (pub && ch.two_way === true) refreshOnly.add(ch.name);
      else if (pub) reseed.add(ch.name);
    }
    for (const ch of mine) {
      // A subscription whose slot is gone streams nothing: it is made again.
      const sub = observed.get(ch.subscriber)?.subscriptions.find((x) => x.name === ch.name);
      if (sub && !db.slots.some((x) => x.name === ch.name)) reseed.add(ch.name);
    }
    for (const slot of db.slots) {
      if (!slot.name.startsWith(GEORED_PREFIX)) continue;
      const ch = wanted.get(slot.name);
      const ours = ch !== undefined && ch.publisher === region;
      // Its subscriber is away: the slot holds what it has not received yet, for when it is back.
      if (ours && !reachable(ch.subscriber)) continue;
      const subscriberHasIt =
        ours && observed.get(ch.subscriber)?.subscriptions.some((x) => x.name === ch.name) === true;
      if (ours && subscriberHasIt && !reseed.has(ch.name)) continue;
      if (ours) reseed.add(ch.name);
      pubs.push({
        region,
        kind: 'drop-slot',
        sql: [`SELECT pg_drop_replication_slot(${quoteLiteral(slot.name)})`],
        why: ours
          ? `slot ${slot.name} is replaced: the subscription is created afresh with its own slot`
          : `slot ${slot.name} belongs to replication ${region} no longer does`,
      });
    }
  }

  // Subscriptions on every subscriber.
  for (const [region, db] of observed) {
    if (!db.reachable) continue;
    for (const sub of db.subscriptions) {
      if (!sub.name.startsWith(GEORED_PREFIX)) continue;
      const ch = wanted.get(sub.name);
      if (ch?.subscriber === region && !reseed.has(ch.name)) continue;
      dropSubs.push({
        region,
        kind: 'drop-subscription',
        sql: detachAndDrop(sub.name),
        why:
          ch?.subscriber === region
            ? `${region} copies ${ch.publisher}'s tables afresh: what it should receive changed`
            : `${region} no longer receives ${sub.name} (the publisher or the rules changed)`,
      });
      if (ch?.subscriber === region) reseed.add(ch.name);
    }
    for (const ch of channels.filter((c) => c.subscriber === region)) {
      const sub = db.subscriptions.find((s) => s.name === ch.name);
      if (sub && !reseed.has(ch.name)) {
        const have = new Set(sub.tables.map((t) => t.table));
        const wantOrigin = ch.two_way === true ? 'none' : 'any';
        if (sub.origin !== wantOrigin) {
          subs.push({
            region,
            kind: 'alter-subscription',
            sql: [`ALTER SUBSCRIPTION ${quoteIdent(ch.name)} SET (origin = ${wantOrigin})`],
            why:
              wantOrigin === 'none'
                ? `${region} takes from ${ch.publisher} only the changes written there (origin = none): replication is two-way`
                : `${region} takes every change ${ch.publisher} sends (origin = any): replication is one-way`,
          });
        }
        // A new table is copied in two-way only by the seed's channel, so it arrives once.
        const copy = ch.two_way === true ? ch.copy_data === true : true;
        if (ch.tables.some((t) => !have.has(t.table)) || refreshOnly.has(ch.name)) {
          subs.push({
            region,
            kind: 'refresh-subscription',
            sql: [`ALTER SUBSCRIPTION ${quoteIdent(ch.name)} REFRESH PUBLICATION WITH (copy_data = ${copy})`],
            why: refreshOnly.has(ch.name)
              ? `${region} follows the change of ${ch.name} keeping the rows it has (two-way: ${copy ? 'only a table new to it is copied, from the seed' : 'nothing is copied'})`
              : `${region} picks up the tables added to ${ch.name}` +
                (copy ? '' : ` (no copy: the tables are copied from the seed region only)`),
          });
        }
        const purge =
          refreshOnly.has(ch.name) && ch.copy_data === true ? purgeAction(ch, observed, region) : null;
        if (purge) subs.push(purge);
        if (ch.realtime && !sub.enabled) {
          subs.push({
            region,
            kind: 'enable-subscription',
            sql: [`ALTER SUBSCRIPTION ${quoteIdent(ch.name)} ENABLE`],
            why: `${ch.name} is realtime and was disabled`,
          });
        }
        continue;
      }
      if (!reachable(ch.publisher)) continue;
      const create = ch.publisher === STORE_NODE ? createCallsTable(ch, observed, region) : null;
      if (create) subs.push(create);
      const twoWay = ch.two_way === true;
      // Two-way: only a region joining for the first time (no geored subscription yet) is copied, and only
      // from the seed; one already taking part keeps its rows, and its other channels carry the changes.
      const copy =
        !twoWay || (ch.copy_data === true && !db.subscriptions.some((x) => x.name.startsWith(GEORED_PREFIX)));
      if (copy) {
        subs.push({
          region,
          kind: 'truncate',
          sql: [`TRUNCATE ${ch.tables.map((t) => quoteTable(t.table)).join(', ')}`],
          why: `${region}'s copy of ${ch.tables.map((t) => t.table).join(', ')} is emptied to be copied afresh from ${ch.publisher}`,
          target: region,
        });
      }
      const options = [
        `slot_name = ${quoteLiteral(ch.name)}`,
        `copy_data = ${copy}`,
        'create_slot = true',
        ...(twoWay ? ['origin = none'] : []),
      ];
      subs.push({
        region,
        kind: 'create-subscription',
        sql: [
          `CREATE SUBSCRIPTION ${quoteIdent(ch.name)} CONNECTION {conninfo:${ch.publisher}} PUBLICATION ${quoteIdent(ch.name)} WITH (${options.join(', ')})`,
        ],
        why:
          `${region} subscribes to ${ch.publisher}: ${ch.tables.map((t) => t.table).join(', ')}` +
          (!twoWay
            ? ''
            : copy
              ? ` (two-way, origin = none; copied from ${ch.publisher}, the seed)`
              : ch.copy_data === true
                ? ` (two-way, origin = none; no copy: ${region} already takes part and keeps its rows)`
                : ` (two-way, origin = none; no copy: the rows come from the seed region only)`),
        target: region,
      });
    }
  }
  // Subscriptions go first so the slots they held are released before they are read and dropped.
  return [...dropSubs, ...keepAside, ...pubs, ...subs];
}

/** The replication origin geored tags its own deletions with, so origin = none subscriptions skip them. */
export const PURGE_ORIGIN = 'geored_purge';

/**
 * Two-way, after the rules towards `region` changed: what it holds and may no longer hold goes, since no
 * fresh copy (which would have left it out) is made. The seed's channel to it says what it may hold (the
 * seed holds everything, so its filter and column list are exactly `region`'s own). The deletions run
 * under geored's replication origin: `region`'s origin = none subscribers do not receive them, so they
 * remove the rows here only, never from a region that may hold them.
 */
function purgeAction(
  ch: Channel,
  observed: ReadonlyMap<string, ObservedDatabase>,
  region: string,
): ReplicationAction | null {
  const comment = observed.get(ch.publisher)?.publications.find((p) => p.name === ch.name)?.comment;
  const before = previousSpec(comment ?? null);
  const statements: string[] = [];
  const purged: string[] = [];
  for (const t of ch.tables) {
    const have =
      observed
        .get(region)
        ?.tables.get(t.table)
        ?.columns.map((c) => c.name) ?? [];
    // Only what the change withholds: rows of a filter that is new or other than before, and columns
    // that were sent before and are not now. What the old rules withheld never came (or was written in
    // the region itself, and stays). Without a readable record of the old rules, everything is checked.
    const old = before === null ? { filter: null, columns: null } : before.get(t.table);
    if (old === undefined) continue; // new to the channel: the refresh copies it as the rules say
    const sentBefore = old.columns ?? have;
    const withheld =
      t.columns === null ? [] : sentBefore.filter((c) => have.includes(c) && !t.columns!.includes(c));
    const rows = t.row_filter !== null && (before === null || old.filter !== t.row_filter);
    if (rows) statements.push(`DELETE FROM ${quoteTable(t.table)} WHERE (${t.row_filter}) IS NOT TRUE`);
    if (withheld.length > 0)
      statements.push(
        `UPDATE ${quoteTable(t.table)} SET ${withheld.map((c) => `${quoteIdent(c)} = NULL`).join(', ')} WHERE ${withheld.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' OR ')}`,
      );
    if (rows || withheld.length > 0) purged.push(t.table);
  }
  if (statements.length === 0) return null;
  const origin = quoteLiteral(PURGE_ORIGIN);
  const rules = [
    ...new Set(ch.tables.filter((t) => purged.includes(t.table)).flatMap((t) => t.restrictions)),
  ];
  return {
    region,
    kind: 'purge',
    sql: [
      `SELECT pg_replication_origin_create(${origin}) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_origin WHERE roname = ${origin})`,
      `SELECT pg_replication_origin_session_setup(${origin})`,
      ...statements,
      'SELECT pg_replication_origin_session_reset()',
    ],
    why: `${region} no longer may hold all it has of ${purged.join(', ')} (${rules.join('; ')}): the rows and columns the change withholds from it are removed there only (under replication origin ${PURGE_ORIGIN}, which its subscribers do not take)`,
    target: region,
  };
}

/** Table → its filter and columns as geored last wrote them in a publication's comment, or null. */
function previousSpec(
  comment: string | null,
): Map<string, { filter: string | null; columns: string[] | null }> | null {
  if (comment === null) return null;
  try {
    const parsed = JSON.parse(comment) as unknown[];
    const rows = (parsed[0] === 'two-way' ? parsed.slice(1) : parsed) as Array<
      [string, string | null, string[] | null]
    >;
    return new Map(rows.map(([table, filter, columns]) => [table, { filter, columns }]));
  } catch {
    return null;
  }
}

/**
 * geored's geo_calls on a target that lacks it: the store's columns and types, every column nullable but
 * the key (a residency rule may withhold the parties' URIs, NOT NULL in the store), keyed like the store.
 */
function createCallsTable(
  ch: Channel,
  observed: ReadonlyMap<string, ObservedDatabase>,
  region: string,
): ReplicationAction | null {
  const t = ch.tables[0];
  const src = t ? observed.get(STORE_NODE)?.tables.get(t.table) : undefined;
  if (!t || !src || observed.get(region)?.tables.has(t.table)) return null;
  const columns = src.columns.map(
    (c) => `${quoteIdent(c.name)} ${c.type}${src.primary_key.includes(c.name) ? ' NOT NULL' : ''}`,
  );
  const key =
    src.primary_key.length > 0 ? `, PRIMARY KEY (${src.primary_key.map(quoteIdent).join(', ')})` : '';
  return {
    region,
    kind: 'create-table',
    sql: [
      `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(t.table.split('.')[0]!)}`,
      `CREATE TABLE IF NOT EXISTS ${quoteTable(t.table)} (${columns.join(', ')}${key})`,
    ],
    why: `${region} gets a table ${t.table} like geored's store's, to receive geored's call records`,
    target: region,
  };
}
