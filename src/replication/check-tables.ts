/**
 * Whether each table of a channel can be replicated as planned, from what was observed on both ends:
 * PostgreSQL needs a replica identity to apply updates and deletes, the same table on the target, and for
 * a row filter or column list on a publication that also sends updates and deletes, the filter's columns
 * inside the replica identity and the identity inside the column list (PostgreSQL 15 rules). A table that
 * fails is refused, naming the table, the region and why; the rest of the channel goes ahead.
 */
import { STORE_NODE } from './decide-call-records';
import type { Channel, ObservedDatabase, ObservedTable, PublishedTable, Refusal } from './types';

/** Column names a row filter reads (geored writes filters from quoted identifiers only). */
export function filterColumns(filter: string | null): string[] {
  if (filter === null) return [];
  return [...new Set([...filter.matchAll(/"((?:[^"]|"")+)"/g)].map((m) => m[1]!.replace(/""/g, '"')))];
}

export function checkTable(
  t: PublishedTable,
  publisher: ObservedDatabase,
  subscriber: ObservedDatabase,
): Refusal | null {
  const src = publisher.tables.get(t.table);
  if (!src) return { table: t.table, region: publisher.region, why: 'the table does not exist there' };
  if (src.replica_identity === 'n' || (src.replica_identity === 'd' && src.primary_key.length === 0)) {
    return {
      table: t.table,
      region: publisher.region,
      why: 'it has no primary key or replica identity, so updates and deletes could not be replicated (add a primary key, or ALTER TABLE … REPLICA IDENTITY USING INDEX)',
    };
  }
  const dst = subscriber.tables.get(t.table);
  // geored's own geo_calls is geored's to create on the target (plan-actions.ts), from the store's columns.
  if (!dst && publisher.region === STORE_NODE) return checkIdentity(t, src, publisher.region);
  if (!dst) {
    return {
      table: t.table,
      region: subscriber.region,
      why: `the table does not exist there (create it with the same columns as in ${publisher.region})`,
    };
  }
  const sent = t.columns ?? src.columns.map((c) => c.name);
  for (const name of sent) {
    const a = src.columns.find((c) => c.name === name);
    if (!a) return { table: t.table, region: publisher.region, why: `it has no column ${name}` };
    const b = dst.columns.find((c) => c.name === name);
    if (!b)
      return {
        table: t.table,
        region: subscriber.region,
        why: `it has no column ${name}, which ${publisher.region} sends`,
      };
    if (a.type !== b.type) {
      return {
        table: t.table,
        region: subscriber.region,
        why: `column ${name} is ${b.type} there but ${a.type} in ${publisher.region}`,
      };
    }
  }
  const withheld = dst.columns.filter((c) => !sent.includes(c.name));
  const required = withheld.find((c) => c.not_null);
  if (required) {
    return {
      table: t.table,
      region: subscriber.region,
      why: `column ${required.name} is withheld from ${subscriber.region} by ${t.restrictions.join('; ')}, but it is NOT NULL there`,
    };
  }
  return checkIdentity(t, src, publisher.region);
}

/** The PostgreSQL 15 rules of row filters and column lists against the publisher's replica identity. */
function checkIdentity(t: PublishedTable, src: ObservedTable, region: string): Refusal | null {
  const publisher = { region };
  const identity = src.replica_identity === 'f' ? src.columns.map((c) => c.name) : src.identity_columns;
  for (const c of filterColumns(t.row_filter)) {
    if (!src.columns.some((x) => x.name === c)) {
      return {
        table: t.table,
        region: publisher.region,
        why: `it has no column ${c}, which ${t.restrictions.join('; ')} filters rows on`,
      };
    }
    if (!identity.includes(c)) {
      return {
        table: t.table,
        region: publisher.region,
        why: `its replica identity (${identity.join(', ')}) does not include ${c}, which the row filter of ${t.restrictions.join('; ')} reads; PostgreSQL would refuse updates: create a unique index on (${[...src.primary_key, c].join(', ')}) and ALTER TABLE … REPLICA IDENTITY USING INDEX it`,
      };
    }
  }
  if (t.columns !== null) {
    const missing = identity.filter((c) => !t.columns!.includes(c));
    if (missing.length > 0) {
      return {
        table: t.table,
        region: publisher.region,
        why: `its replica identity includes ${missing.join(', ')}, which ${t.restrictions.join('; ')} withholds; PostgreSQL would refuse updates`,
      };
    }
  }
  return null;
}

/** The channels with refused tables removed, and the refusals. */
export function checkChannels(
  channels: readonly Channel[],
  observed: ReadonlyMap<string, ObservedDatabase>,
): { channels: Channel[]; refusals: Refusal[] } {
  const refusals: Refusal[] = [];
  const out: Channel[] = [];
  for (const ch of channels) {
    const p = observed.get(ch.publisher);
    const s = observed.get(ch.subscriber);
    // An end that does not answer cannot be checked now; its channel stays (and is checked when back).
    // One-way channels always have a publisher that answered; two-way ones are kept for every region, so a
    // region that is away keeps its subscriptions and slots on the others.
    if (!p?.reachable || !s?.reachable) {
      out.push(ch);
      continue;
    }
    // Two-way needs origin = none (PostgreSQL 16) on both ends; a region seen at 15 (replaced since the
    // settings were accepted, or away then) gets no two-way channel rather than one that loops changes.
    const old = ch.two_way === true ? [p, s].find((d) => d.server_version_num < 160000) : undefined;
    if (old) {
      const v = old.server_version_num;
      for (const t of ch.tables)
        refusals.push({
          table: t.table,
          region: old.region,
          why: `two-way replication needs PostgreSQL 16 or later (origin = none), and this database runs PostgreSQL ${Math.floor(v / 10000)}.${v % 10000}`,
        });
      continue;
    }
    const tables = ch.tables.filter((t) => {
      const r = checkTable(t, p, s);
      if (r) refusals.push(r);
      return r === null;
    });
    if (tables.length > 0) out.push({ ...ch, tables });
  }
  // One refusal per table and region is enough to act on.
  const seen = new Set<string>();
  return {
    channels: out,
    refusals: refusals.filter((r) => {
      const k = `${r.table}\u0000${r.region}\u0000${r.why}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    }),
  };
}
