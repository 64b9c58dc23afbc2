/**
 * The I/O side of replication: one small pg pool per region database, reading what PostgreSQL has
 * (tables, publications, subscriptions, slots, lag) and running the statements a plan gives. Nothing
 * here decides anything; errors come back as text (passwords masked) for the status and the log.
 */
import pg from 'pg';
import { urlPasswordMasked } from '../config/redact-url';
import { GEORED_PREFIX } from './decide-channels';
import { decodeChanges, type SlotChange } from './pgoutput';
import { qualify, quoteIdent, quoteLiteral, quoteTable } from './pbx-schema';
import type {
  ObservedDatabase,
  ObservedPublication,
  ObservedSlot,
  ObservedSubscription,
  ObservedTable,
  ReplicationAction,
} from './types';

type Row = Record<string, unknown>;

/** A libpq key=value connection string (what CREATE SUBSCRIPTION takes) from a postgres:// URL. */
export function conninfoOf(url: string): string {
  const u = new URL(url);
  const q = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const parts = [
    ['host', decodeURIComponent(u.hostname.replace(/^\[|\]$/g, ''))],
    ['port', u.port || '5432'],
    ['dbname', decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres'],
    ['user', decodeURIComponent(u.username) || 'postgres'],
    ...(u.password ? [['password', decodeURIComponent(u.password)]] : []),
  ];
  return parts.map(([k, v]) => `${k}=${q(v!)}`).join(' ');
}

function unreachable(region: string, error: string): ObservedDatabase {
  return {
    region,
    reachable: false,
    error,
    server_version_num: 0,
    wal_level: '',
    tables: new Map(),
    publications: [],
    subscriptions: [],
    slots: [],
  };
}

export class RegionDb {
  private readonly pool: pg.Pool;
  readonly safeUrl: string;

  constructor(
    readonly region: string,
    readonly url: string,
  ) {
    this.safeUrl = urlPasswordMasked(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: 3,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 5000,
      allowExitOnIdle: true,
    });
    // A database that goes away mid-idle must not crash the process: the next query reports it.
    this.pool.on('error', () => undefined);
  }

  /** An error's text with the URL's password masked. */
  describe(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    const u = (() => {
      try {
        return new URL(this.url).password;
      } catch {
        return '';
      }
    })();
    return u ? text.split(u).join('***') : text;
  }

  async query(text: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(text, params)).rows as Row[];
  }

  async observe(tables: readonly string[]): Promise<ObservedDatabase> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      return unreachable(this.region, this.describe(err));
    }
    // A checked-out client has no 'error' listener of the pool's: a region database going away mid-read
    // would otherwise end geored. The read's own query fails and says why.
    client.on('error', () => undefined);
    try {
      const q = async (text: string, params: unknown[] = []) =>
        (await client.query(text, params)).rows as Row[];
      const [v] = await q(
        "SELECT current_setting('server_version_num')::int AS v, current_setting('wal_level') AS w",
      );
      const names = tables.map(qualify);
      const rels = await q(
        `SELECT c.oid::int AS oid, n.nspname || '.' || c.relname AS t, c.relreplident AS ri
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND n.nspname || '.' || c.relname = ANY($1)`,
        [names],
      );
      const oids = rels.map((r) => r.oid as number);
      const cols = await q(
        `SELECT attrelid::int AS oid, attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS nn
           FROM pg_attribute WHERE attrelid = ANY($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [oids],
      );
      const idx = await q(
        `SELECT i.indrelid::int AS oid, i.indisprimary AS pk, i.indisreplident AS ri,
                ARRAY(SELECT a.attname::text FROM unnest(i.indkey) k
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k) AS cols
           FROM pg_index i WHERE i.indrelid = ANY($1) AND (i.indisprimary OR i.indisreplident)`,
        [oids],
      );
      const observedTables = new Map<string, ObservedTable>();
      for (const r of rels) {
        const pk = idx.find((i) => i.oid === r.oid && i.pk);
        const ri = idx.find((i) => i.oid === r.oid && i.ri);
        const ident = r.ri as ObservedTable['replica_identity'];
        const columns = cols
          .filter((c) => c.oid === r.oid)
          .map((c) => ({ name: c.name as string, type: c.type as string, not_null: c.nn as boolean }));
        observedTables.set(r.t as string, {
          table: r.t as string,
          columns,
          primary_key: (pk?.cols as string[]) ?? [],
          replica_identity: ident,
          identity_columns:
            ident === 'd'
              ? ((pk?.cols as string[]) ?? [])
              : ident === 'i'
                ? ((ri?.cols as string[]) ?? [])
                : ident === 'f'
                  ? columns.map((c) => c.name)
                  : [],
        });
      }
      const like = `${GEORED_PREFIX.replace(/_/g, '\\_')}%`;
      const pubRows = await q(
        `SELECT pubname AS name, obj_description(oid, 'pg_publication') AS comment FROM pg_publication WHERE pubname LIKE $1`,
        [like],
      );
      const pubTables = await q(
        `SELECT pubname AS name, schemaname || '.' || tablename AS t, attnames::text[] AS cols, rowfilter
           FROM pg_publication_tables WHERE pubname LIKE $1`,
        [like],
      );
      const publications: ObservedPublication[] = pubRows.map((p) => ({
        name: p.name as string,
        comment: (p.comment as string | null) ?? null,
        tables: pubTables
          .filter((t) => t.name === p.name)
          .map((t) => ({
            table: t.t as string,
            row_filter: (t.rowfilter as string | null) ?? null,
            columns: (t.cols as string[] | null) ?? null,
          })),
      }));
      // suborigin exists from PostgreSQL 16 on; on 15 every subscription takes every origin.
      const origin = (v!.v as number) >= 160000 ? 's.suborigin' : "'any'";
      const subRows = await q(
        `SELECT s.subname AS name, s.subenabled AS enabled, s.subpublications::text[] AS pubs,
                ${origin} AS origin,
                COALESCE(st.apply_error_count, 0)::int AS apply_errors,
                COALESCE(st.sync_error_count, 0)::int AS sync_errors,
                EXISTS (SELECT 1 FROM pg_stat_subscription w
                         WHERE w.subid = s.oid AND w.relid IS NULL AND w.pid IS NOT NULL) AS running
           FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid
           LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.oid
          WHERE d.datname = current_database() AND s.subname LIKE $1`,
        [like],
      );
      const subRels = await q(
        `SELECT s.subname AS name, n.nspname || '.' || c.relname AS t, r.srsubstate AS state
           FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid
           JOIN pg_class c ON c.oid = r.srrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE s.subname LIKE $1`,
        [like],
      );
      const subscriptions: ObservedSubscription[] = subRows.map((s) => ({
        name: s.name as string,
        enabled: s.enabled as boolean,
        publications: s.pubs as string[],
        origin: s.origin as string,
        apply_errors: s.apply_errors as number,
        sync_errors: s.sync_errors as number,
        worker_running: s.running as boolean,
        tables: subRels
          .filter((r) => r.name === s.name)
          .map((r) => ({ table: r.t as string, state: r.state as string })),
      }));
      const slotRows = await q(
        `SELECT slot_name AS name, active, confirmed_flush_lsn::text AS lsn,
                (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint AS lag
           FROM pg_replication_slots WHERE database = current_database() AND slot_name LIKE $1`,
        [like],
      );
      const slots: ObservedSlot[] = slotRows.map((s) => ({
        name: s.name as string,
        active: s.active as boolean,
        confirmed_flush_lsn: (s.lsn as string | null) ?? null,
        lag_bytes: s.lag === null ? null : Number(s.lag),
      }));
      return {
        region: this.region,
        reachable: true,
        server_version_num: v!.v as number,
        wal_level: v!.w as string,
        tables: observedTables,
        publications,
        subscriptions,
        slots,
      };
    } catch (err) {
      return unreachable(this.region, this.describe(err));
    } finally {
      client.release();
    }
  }

  /**
   * Runs one action's statements in order on one connection, outside a transaction (CREATE/DROP
   * SUBSCRIPTION need that; a purge's replication origin is a setting of its session). A connection an
   * action failed on is closed rather than handed back, so no session setting outlives the action.
   */
  async run(action: ReplicationAction, conninfo: (region: string) => string): Promise<void> {
    if (action.kind === 'drop-slot')
      await this.waitSlotReleased(action.sql[0]!.match(/'([^']+)'/)?.[1] ?? '');
    const client = await this.pool.connect();
    // The database going away mid-action fails the query, which says why; the event itself is not fatal.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      for (const statement of action.sql) {
        const text = statement.replace(/\{conninfo:([^}]+)\}/g, (_, r: string) => quoteLiteral(conninfo(r)));
        await client.query(text);
      }
      client.removeListener('error', ignore);
      client.release();
    } catch (err) {
      client.removeListener('error', ignore);
      client.release(true);
      throw err;
    }
  }

  /**
   * The changes a slot holds that its subscriber never confirmed, copied into geored_kept_aside in this
   * database (never dropped, never applied anywhere): the rows an old primary wrote after it was cut off.
   */
  async keepAside(slot: string, publication: string, appliedUpTo: string | null): Promise<SlotChange[]> {
    await this.waitSlotReleased(slot);
    const rows = await this.query(
      `SELECT lsn::text AS lsn, data FROM pg_logical_slot_peek_binary_changes($1, NULL, NULL,
         'proto_version', '1', 'publication_names', $2)`,
      [slot, publication],
    );
    // The slot only knows what its subscriber confirmed, which trails what it applied; the subscriber's
    // own record of what it applied, when geored kept it, is the sharper line.
    const changes = decodeChanges(
      rows.map((r) => ({ lsn: r.lsn as string, data: r.data as Buffer })),
      appliedUpTo,
    );
    await this.query(
      `CREATE TABLE IF NOT EXISTS geored_kept_aside (
         id BIGSERIAL PRIMARY KEY,
         kept_at TIMESTAMPTZ NOT NULL DEFAULT now(),
         slot TEXT NOT NULL,
         lsn PG_LSN NOT NULL,
         table_name TEXT NOT NULL,
         operation TEXT NOT NULL,
         row_data JSONB NOT NULL,
         committed_at TIMESTAMPTZ,
         UNIQUE (slot, lsn, table_name, operation, row_data)
       )`,
    );
    for (const ch of changes) {
      await this.query(
        `INSERT INTO geored_kept_aside (slot, lsn, table_name, operation, row_data, committed_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [slot, ch.lsn, ch.table, ch.operation, JSON.stringify(ch.row), ch.committed_at],
      );
    }
    return changes;
  }

  /**
   * A subscription just dropped elsewhere lets go of its slot when its walsender exits, a moment later:
   * wait for that (bounded) rather than fail and retry a whole sync_interval later.
   */
  private async waitSlotReleased(slot: string): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const [row] = await this.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      if (!row || row.active !== true) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Lag of each geored slot on this (publisher) database: bytes behind, and replay lag in seconds. */
  async lag(): Promise<Map<string, { bytes: number | null; seconds: number | null; active: boolean }>> {
    const rows = await this.query(
      `SELECT s.slot_name AS name, (pg_current_wal_lsn() - s.confirmed_flush_lsn)::bigint AS bytes, s.active,
              EXTRACT(EPOCH FROM r.replay_lag)::float8 AS seconds
         FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
        WHERE s.database = current_database() AND s.slot_name LIKE 'geored\\_%'`,
    );
    return new Map(
      rows.map((r) => [
        r.name as string,
        {
          bytes: r.bytes === null ? null : Number(r.bytes),
          seconds: (r.seconds as number | null) ?? null,
          active: r.active === true,
        },
      ]),
    );
  }

  /** How far a subscription here has applied its publisher's WAL (its replication origin), or null. */
  async appliedPosition(subscription: string): Promise<string | null> {
    const [row] = await this.query(
      `SELECT os.remote_lsn::text AS lsn FROM pg_replication_origin_status os
         JOIN pg_subscription s ON os.external_id = 'pg_' || s.oid WHERE s.subname = $1`,
      [subscription],
    );
    return (row?.lsn as string | undefined) ?? null;
  }

  /** schema.table of an unqualified name as this database's search_path resolves it, or null. */
  async resolveTable(name: string): Promise<string | null> {
    const [row] = await this.query(
      `SELECT n.nspname || '.' || c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = to_regclass($1)`,
      [name],
    );
    return (row?.t as string | undefined) ?? null;
  }

  /** Rows of `table` whose `column` is `value`, as JSON objects. */
  async rowsOf(table: string, column: string, value: string): Promise<Row[]> {
    return this.query(`SELECT * FROM ${quoteTable(table)} WHERE ${quoteIdent(column)} = $1`, [value]);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
