/**
 * The schema, as numbered migrations applied once each and never edited after release: a change is a new
 * migration. One list serves both databases; each migration writes its DDL against a table of column
 * types, which is where SQLite and PostgreSQL differ.
 *
 * Translation of the guide's schema: SERIAL → INTEGER PRIMARY KEY AUTOINCREMENT, TEXT[] → JSON text,
 * BOOLEAN → INTEGER 0/1, TIMESTAMP → TIMESTAMPTZ (PostgreSQL) or ISO-8601 text (SQLite), and its inline
 * `INDEX …` lines → CREATE INDEX. Where the guide gives a column a default (is_active, automatic, the
 * timestamps) we also make it NOT NULL, so a row read back always has the value the default promised.
 */
import type { Dialect } from './db';

export interface ColumnTypes {
  readonly id: string;
  readonly bigId: string;
  readonly timestamp: string;
  readonly now: string;
  readonly bool: string;
  readonly false: string;
  readonly true: string;
  readonly textArray: string;
  readonly json: string;
  readonly real: string;
}

export const COLUMN_TYPES: Readonly<Record<Dialect, ColumnTypes>> = {
  postgres: {
    id: 'SERIAL PRIMARY KEY',
    bigId: 'BIGSERIAL PRIMARY KEY',
    timestamp: 'TIMESTAMPTZ',
    now: 'NOW()',
    bool: 'BOOLEAN',
    false: 'false',
    true: 'true',
    textArray: 'TEXT[]',
    json: 'JSONB',
    real: 'DOUBLE PRECISION',
  },
  sqlite: {
    id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    bigId: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    timestamp: 'TEXT',
    // The same shape as Date.prototype.toISOString, so text comparison orders timestamps correctly.
    now: "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    bool: 'INTEGER',
    false: '0',
    true: '1',
    textArray: 'TEXT',
    json: 'TEXT',
    real: 'REAL',
  },
};

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (t: ColumnTypes, dialect: Dialect) => readonly string[];
}

export function migrationsTableSql(dialect: Dialect): string {
  const t = COLUMN_TYPES[dialect];
  return `CREATE TABLE IF NOT EXISTS geo_schema_migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    applied_at ${t.timestamp} NOT NULL DEFAULT ${t.now}
  )`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'the guide tables',
    up: (t) => [
      `CREATE TABLE geo_regions (
        id ${t.id},
        name VARCHAR(50) NOT NULL UNIQUE,
        trunk_id VARCHAR(100) NOT NULL,
        sip_server VARCHAR(255) NOT NULL,
        priority INTEGER NOT NULL,
        location VARCHAR(100),
        capabilities ${t.textArray},
        health_state VARCHAR(20),
        is_active ${t.bool} NOT NULL DEFAULT ${t.false},
        created_at ${t.timestamp} NOT NULL DEFAULT ${t.now},
        updated_at ${t.timestamp} NOT NULL DEFAULT ${t.now}
      )`,
      'CREATE INDEX idx_priority ON geo_regions (priority)',
      'CREATE INDEX idx_health_state ON geo_regions (health_state)',
      `CREATE TABLE geo_failover_history (
        id ${t.id},
        from_region VARCHAR(50),
        to_region VARCHAR(50) NOT NULL,
        reason TEXT,
        automatic ${t.bool} NOT NULL DEFAULT ${t.true},
        initiated_by VARCHAR(100),
        duration_ms INTEGER,
        occurred_at ${t.timestamp} NOT NULL DEFAULT ${t.now}
      )`,
      'CREATE INDEX idx_occurred_at ON geo_failover_history (occurred_at)',
      `CREATE TABLE geo_health_checks (
        id ${t.id},
        region_name VARCHAR(50) NOT NULL,
        check_method VARCHAR(50) NOT NULL,
        success ${t.bool} NOT NULL,
        latency_ms INTEGER,
        error_message TEXT,
        checked_at ${t.timestamp} NOT NULL DEFAULT ${t.now}
      )`,
      'CREATE INDEX idx_region_checked ON geo_health_checks (region_name, checked_at)',
    ],
  },
  {
    version: 2,
    name: 'region settings, events, scheduled failovers, failback approvals, settings',
    up: (t) => [
      `ALTER TABLE geo_regions ADD COLUMN settings ${t.json} NOT NULL DEFAULT '{}'`,
      `ALTER TABLE geo_regions ADD COLUMN origin VARCHAR(10) NOT NULL DEFAULT 'config'
        CHECK (origin IN ('config', 'api'))`,
      `CREATE TABLE geo_events (
        id ${t.id},
        kind VARCHAR(50) NOT NULL,
        region VARCHAR(50),
        reason TEXT,
        details ${t.json},
        occurred_at ${t.timestamp} NOT NULL DEFAULT ${t.now}
      )`,
      'CREATE INDEX idx_geo_events_occurred_at ON geo_events (occurred_at)',
      'CREATE INDEX idx_geo_events_kind ON geo_events (kind, occurred_at)',
      `CREATE TABLE geo_scheduled_failovers (
        id ${t.id},
        target_region VARCHAR(50) NOT NULL,
        start_time ${t.timestamp} NOT NULL,
        duration ${t.real} NOT NULL CHECK (duration > 0),
        reason TEXT,
        created_by VARCHAR(100),
        status VARCHAR(20) NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'active', 'completed', 'cancelled')),
        previous_region VARCHAR(50),
        created_at ${t.timestamp} NOT NULL DEFAULT ${t.now},
        updated_at ${t.timestamp} NOT NULL DEFAULT ${t.now}
      )`,
      'CREATE INDEX idx_geo_scheduled_failovers_status ON geo_scheduled_failovers (status, start_time)',
      `CREATE TABLE geo_failback_approvals (
        id ${t.id},
        from_region VARCHAR(50),
        to_region VARCHAR(50) NOT NULL,
        reason TEXT,
        requested_at ${t.timestamp} NOT NULL DEFAULT ${t.now},
        decided_at ${t.timestamp},
        decision VARCHAR(10) CHECK (decision IN ('approved', 'rejected')),
        decided_by VARCHAR(100)
      )`,
      'CREATE INDEX idx_geo_failback_approvals_requested ON geo_failback_approvals (requested_at)',
      `CREATE TABLE geo_kv (
        key VARCHAR(100) PRIMARY KEY,
        value ${t.json} NOT NULL,
        updated_at ${t.timestamp} NOT NULL DEFAULT ${t.now}
      )`,
    ],
  },
  {
    version: 3,
    name: 'call records',
    up: (t) => [
      // BIGSERIAL: at 100 calls/s a 32-bit id runs out in under a year of uptime.
      `CREATE TABLE geo_calls (
        id ${t.bigId},
        call_id VARCHAR(255) NOT NULL UNIQUE,
        direction VARCHAR(10) NOT NULL CHECK (direction IN ('outbound', 'inbound')),
        from_uri TEXT NOT NULL,
        to_uri TEXT NOT NULL,
        attempts ${t.json} NOT NULL DEFAULT '[]',
        region VARCHAR(50),
        started_at ${t.timestamp} NOT NULL,
        answered_at ${t.timestamp},
        ended_at ${t.timestamp},
        final_status INTEGER
      )`,
      'CREATE INDEX idx_geo_calls_region ON geo_calls (region, started_at)',
      'CREATE INDEX idx_geo_calls_started ON geo_calls (started_at)',
      'CREATE INDEX idx_geo_calls_status ON geo_calls (final_status, started_at)',
    ],
  },
  {
    version: 4,
    name: 'PBX registrations',
    up: (t) => [
      // The PBX's bindings at geored's registrar, so a restart does not lose where the PBX is (issue 7).
      `CREATE TABLE geo_pbx_bindings (
        uri TEXT PRIMARY KEY,
        protocol VARCHAR(3) NOT NULL CHECK (protocol IN ('udp', 'tcp', 'tls')),
        address VARCHAR(64) NOT NULL,
        port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        call_id VARCHAR(255) NOT NULL,
        cseq BIGINT NOT NULL,
        expires_at ${t.timestamp} NOT NULL,
        registered_at ${t.timestamp} NOT NULL
      )`,
    ],
  },
  {
    version: 5,
    name: 'alert deliveries',
    up: (t) => [
      // One row per delivery attempt, so an operator sees each retry and why it failed.
      `CREATE TABLE geo_alert_deliveries (
        id ${t.bigId},
        alert_id VARCHAR(100) NOT NULL,
        event VARCHAR(50) NOT NULL,
        region VARCHAR(50),
        channel VARCHAR(20) NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'pagerduty')),
        target TEXT NOT NULL,
        status VARCHAR(20) NOT NULL CHECK (status IN ('sent', 'failed', 'retrying', 'dry_run')),
        attempt INTEGER NOT NULL,
        error TEXT,
        attempted_at ${t.timestamp} NOT NULL
      )`,
      'CREATE INDEX idx_geo_alert_deliveries_attempted ON geo_alert_deliveries (attempted_at)',
      'CREATE INDEX idx_geo_alert_deliveries_alert ON geo_alert_deliveries (alert_id)',
    ],
  },
  {
    version: 6,
    name: 'routing reason of each call',
    up: () => [
      // Why the call went where it went (the routing decision's sentence), so "why region X?" has an answer
      // per call (issue 10). NULL for calls recorded before this migration and for inbound calls.
      'ALTER TABLE geo_calls ADD COLUMN routing_reason TEXT',
    ],
  },
  {
    version: 7,
    name: 'home region of each call, for CDR replication',
    up: (_t, dialect) => [
      // The region whose jurisdiction a call record belongs to: the region that carried it, else the first
      // region it was sent to, '' when none. NOT NULL so it can sit in the replica identity: PostgreSQL 15
      // publishes a row filter on it (data residency) and a column list (personal columns withheld) only
      // when the filter's columns are in the replica identity and the identity is in the list.
      "ALTER TABLE geo_calls ADD COLUMN home_region VARCHAR(50) NOT NULL DEFAULT ''",
      'UPDATE geo_calls SET home_region = region WHERE region IS NOT NULL',
      ...(dialect === 'postgres'
        ? [
            'CREATE UNIQUE INDEX geo_calls_replica_identity ON geo_calls (id, home_region)',
            'ALTER TABLE geo_calls REPLICA IDENTITY USING INDEX geo_calls_replica_identity',
          ]
        : []),
    ],
  },
  {
    version: 8,
    name: 'simulated failures',
    up: (t) => [
      // simulate_failure survives a restart of a single geored (memory live state): restored at start until
      // its end time (issue 12's SIGKILL scenario found it forgotten). One row per region, the latest wins.
      `CREATE TABLE geo_simulations (
        region VARCHAR(50) PRIMARY KEY,
        until_at ${t.timestamp} NOT NULL,
        started_at ${t.timestamp} NOT NULL
      )`,
    ],
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
