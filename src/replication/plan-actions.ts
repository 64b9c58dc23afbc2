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
  return JSON.stringify(ch.tables.map((t) => [t.table, t.row_filter, t.columns]));
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
        ? [`ALTER PUBLICATION ${quoteIdent(ch.name)} SET ${tables}`]
        : [`CREATE PUBLICATION ${quoteIdent(ch.name)} FOR ${tables}`];
      sql.push(`COMMENT ON PUBLICATION ${quoteIdent(ch.name)} IS ${quoteLiteral(publicationSpec(ch))}`);
      const restricted = ch.tables.filter((t) => t.restrictions.length > 0);
      pubs.push({
        region,
        kind: pub ? 'alter-publication' : 'create-publication',
        sql,
        why:
          `${region} publishes ${ch.tables.map((t) => t.table).join(', ')} to ${ch.subscriber}` +
          (pub ? ' (the publication differed from what the rules in force say)' : '') +
          (restricted.length > 0
            ? `; withheld by ${[...new Set(restricted.flatMap((t) => t.restrictions))].join('; ')}`
            : ''),
      });
      if (pub) reseed.add(ch.name);
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
        if (ch.tables.some((t) => !have.has(t.table))) {
          subs.push({
            region,
            kind: 'refresh-subscription',
            sql: [`ALTER SUBSCRIPTION ${quoteIdent(ch.name)} REFRESH PUBLICATION WITH (copy_data = true)`],
            why: `${region} picks up the tables added to ${ch.name}`,
          });
        }
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
      subs.push({
        region,
        kind: 'truncate',
        sql: [`TRUNCATE ${ch.tables.map((t) => quoteTable(t.table)).join(', ')}`],
        why: `${region}'s copy of ${ch.tables.map((t) => t.table).join(', ')} is emptied to be copied afresh from ${ch.publisher}`,
        target: region,
      });
      subs.push({
        region,
        kind: 'create-subscription',
        sql: [
          `CREATE SUBSCRIPTION ${quoteIdent(ch.name)} CONNECTION {conninfo:${ch.publisher}} PUBLICATION ${quoteIdent(ch.name)} WITH (slot_name = ${quoteLiteral(ch.name)}, copy_data = true, create_slot = true)`,
        ],
        why: `${region} subscribes to ${ch.publisher}: ${ch.tables.map((t) => t.table).join(', ')}`,
        target: region,
      });
    }
  }
  // Subscriptions go first so the slots they held are released before they are read and dropped.
  return [...dropSubs, ...keepAside, ...pubs, ...subs];
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
