import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, openStore } from '../../src/store';
import { MIGRATIONS } from '../../src/store/migrations';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from './databases';

const GUIDE_INDEXES = ['idx_priority', 'idx_health_state', 'idx_occurred_at', 'idx_region_checked'];
const ALL_TABLES = [
  'geo_alert_deliveries',
  'geo_calls',
  'geo_events',
  'geo_failback_approvals',
  'geo_failover_history',
  'geo_health_checks',
  'geo_kv',
  'geo_pbx_bindings',
  'geo_regions',
  'geo_scheduled_failovers',
  'geo_schema_migrations',
  'geo_simulations',
];

async function tables(db: TestDatabase): Promise<string[]> {
  const rows =
    db.dialect === 'sqlite'
      ? await db.sql(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'geo_%' ORDER BY name",
        )
      : await db.sql(
          "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'geo_%' ORDER BY tablename",
        );
  return rows.map((r) => String(r.name));
}

async function indexes(db: TestDatabase): Promise<string[]> {
  const rows =
    db.dialect === 'sqlite'
      ? await db.sql("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'")
      : await db.sql(
          "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx_%'",
        );
  return rows.map((r) => String(r.name));
}

async function migrationRows(db: TestDatabase) {
  const rows = await db.sql('SELECT version, name, applied_at FROM geo_schema_migrations ORDER BY version');
  return rows.map((r) => ({ version: Number(r.version), name: r.name, applied_at: String(r.applied_at) }));
}

for (const [label, make] of [
  ['SQLite', sqliteDatabase],
  ['PostgreSQL', postgresDatabase],
] as const) {
  describe(`migrations: ${label}`, () => {
    let db: TestDatabase | undefined;
    afterEach(async () => {
      await db?.drop();
      db = undefined;
    });

    it('takes a fresh database to the latest version with every table and the guide indexes', async () => {
      db = await make();
      const store = await openStore(db.url);
      expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      await store.close();
      expect(await tables(db)).toEqual(ALL_TABLES);
      expect(await indexes(db)).toEqual(expect.arrayContaining(GUIDE_INDEXES));
      expect((await migrationRows(db)).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('applies nothing twice when reopened', async () => {
      db = await make();
      await (await openStore(db.url)).close();
      const first = await migrationRows(db);
      await (await openStore(db.url)).close();
      const store = await openStore(db.url);
      await store.upsertRegion({ name: 'a', trunk_id: 't', sip_server: 's', priority: 1 });
      await store.close();
      expect(await migrationRows(db)).toEqual(first);
    });

    it('upgrades an older schema, keeping its rows', async () => {
      db = await make();
      await (await openStore(db.url, { migrateTo: 1 })).close();
      expect(await tables(db)).toEqual([
        'geo_failover_history',
        'geo_health_checks',
        'geo_regions',
        'geo_schema_migrations',
      ]);
      // A row as the guide's schema alone knows it, written by hand.
      const insert =
        db.dialect === 'sqlite'
          ? "INSERT INTO geo_regions (name, trunk_id, sip_server, priority, capabilities, is_active) VALUES ('old', 't1', 'sip.old', 4, '[\"voice\"]', 1)"
          : "INSERT INTO geo_regions (name, trunk_id, sip_server, priority, capabilities, is_active) VALUES ('old', 't1', 'sip.old', 4, ARRAY['voice'], true)";
      await db.sql(insert);
      await db.sql(
        "INSERT INTO geo_failover_history (to_region, reason) VALUES ('old', 'before the upgrade')",
      );

      const store = await openStore(db.url);
      try {
        expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
        const old = await store.getRegion('old');
        expect(old).toMatchObject({
          priority: 4,
          capabilities: ['voice'],
          is_active: true,
          settings: {},
          origin: 'config',
        });
        expect(old!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(await store.lastFailover()).toMatchObject({
          to_region: 'old',
          automatic: true,
          reason: 'before the upgrade',
        });
        expect(await store.countCalls()).toBe(0);
      } finally {
        await store.close();
      }
      expect((await migrationRows(db)).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('refuses a schema newer than this geored knows, and a bad target', async () => {
      db = await make();
      await (await openStore(db.url)).close();
      await db.sql("INSERT INTO geo_schema_migrations (version, name) VALUES (99, 'from the future')");
      await expect(openStore(db.url)).rejects.toMatchObject({ code: 'STORE_SCHEMA_TOO_NEW' });
      await expect(openStore(db.url, { migrateTo: LATEST_SCHEMA_VERSION + 1 })).rejects.toMatchObject({
        code: 'STORE_BAD_MIGRATION_TARGET',
      });
    });

    it('migrates once when several opens race on a fresh database', async () => {
      db = await make();
      const stores = await Promise.all([openStore(db.url), openStore(db.url), openStore(db.url)]);
      await Promise.all(stores.map((s) => s.close()));
      expect((await migrationRows(db)).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('rolls a failed migration back and reports it', async () => {
      db = await make();
      await (await openStore(db.url, { migrateTo: 2 })).close();
      // An index name taken, so migration 3 fails at its last statement, after creating geo_calls: the
      // table and the indexes before it must be rolled back with it.
      await db.sql('CREATE TABLE blocker (x INTEGER)');
      await db.sql('CREATE INDEX idx_geo_calls_status ON blocker (x)');
      const err = await openStore(db.url).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORE_MIGRATION_FAILED' });
      expect((err as Error).message).toMatch(/migration 3 \(call records\)/);
      expect((await migrationRows(db)).map((m) => m.version)).toEqual([1, 2]);
      expect(await tables(db)).not.toContain('geo_calls');
      expect(await indexes(db)).not.toContain('idx_geo_calls_region');
    });
  });
}

describe('PostgreSQL column types', () => {
  it('translates the guide schema: SERIAL, TEXT[], BOOLEAN, TIMESTAMPTZ, JSONB', async () => {
    const db = await postgresDatabase();
    try {
      await (await openStore(db.url)).close();
      const rows = await db.sql(
        `SELECT table_name, column_name, data_type, column_default FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name IN ('geo_regions', 'geo_health_checks', 'geo_calls')`,
      );
      const type = (table: string, column: string) =>
        rows.find((r) => r.table_name === table && r.column_name === column)?.data_type;
      expect(type('geo_regions', 'capabilities')).toBe('ARRAY');
      expect(type('geo_regions', 'is_active')).toBe('boolean');
      expect(type('geo_regions', 'created_at')).toBe('timestamp with time zone');
      expect(type('geo_regions', 'name')).toBe('character varying');
      expect(type('geo_regions', 'settings')).toBe('jsonb');
      expect(type('geo_health_checks', 'success')).toBe('boolean');
      expect(type('geo_calls', 'id')).toBe('bigint');
      const id = rows.find((r) => r.table_name === 'geo_regions' && r.column_name === 'id');
      expect(String(id?.column_default)).toMatch(/^nextval\(/);
    } finally {
      await db.drop();
    }
  });
});
