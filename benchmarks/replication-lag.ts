/**
 * Data replication between two local PostgreSQL 15 servers, as geored sets it up: replication lag at
 * 1,000 row changes per second on the extensions and CDR tables (pgbench writes, in its own process),
 * the time a region that was down catches up, and geored's own CPU meanwhile (it only verifies every
 * sync_interval; PostgreSQL does the copying). Lag per row: the subscriber stamps applied_at with a
 * trigger that fires on replicated rows (ENABLE ALWAYS), the publisher stamps changed_at; same clock.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { Replicator } from '../src/replication/replicator';
import { DEFAULT_REPLICATION } from '../src/replication/settings';
import { openStore } from '../src/store/open';
import { PG_BIN, removeClusters, startClusters } from '../test/helpers/pg-clusters';
import type { BenchSection } from './run';
import { fmtMs, percentile } from './lib/stats';

const run = promisify(execFile);
const RATE_TPS = 100; // 10 row changes per transaction: 1,000 row changes/s
const LOAD_S = 20;
const OUTAGE_S = 60;

const SCHEMA = `
CREATE TABLE extensions (id INTEGER PRIMARY KEY, number TEXT NOT NULL, changed_at TIMESTAMPTZ, applied_at TIMESTAMPTZ);
CREATE TABLE cdr (id BIGSERIAL PRIMARY KEY, duration INTEGER NOT NULL, home_region TEXT NOT NULL,
  changed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), applied_at TIMESTAMPTZ);
INSERT INTO extensions SELECT g, (1000 + g)::text FROM generate_series(1, 1000) g;
`;
const STAMP = `
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.applied_at := clock_timestamp(); RETURN NEW; END $$;
CREATE TRIGGER stamp_e BEFORE INSERT OR UPDATE ON extensions FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER stamp_c BEFORE INSERT OR UPDATE ON cdr FOR EACH ROW EXECUTE FUNCTION stamp();
ALTER TABLE extensions ENABLE ALWAYS TRIGGER stamp_e;
ALTER TABLE cdr ENABLE ALWAYS TRIGGER stamp_c;
`;
const SCRIPT = `\\set e random(1, 996)
BEGIN;
INSERT INTO cdr (duration, home_region) SELECT g, 'us-east-1' FROM generate_series(1, 5) g;
UPDATE extensions SET number = md5(random()::text), changed_at = clock_timestamp() WHERE id BETWEEN :e AND :e + 4;
COMMIT;
`;

async function pgbench(port: number, dir: string, seconds: number): Promise<void> {
  const file = join(dir, 'load.sql');
  writeFileSync(file, SCRIPT);
  const args = ['-n', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-R', String(RATE_TPS)];
  await run(join(PG_BIN, 'pgbench'), [...args, '-c', '2', '-T', String(seconds), '-f', file, 'pbx'], {
    timeout: (seconds + 60) * 1000,
  });
}

export const section: BenchSection = {
  name: 'replication',
  about:
    'Replication lag at 1,000 row changes/s (pgbench: 5 CDR inserts + 5 extension updates per transaction, 100 tps) between two local PostgreSQL 15 servers set up by geored (target p99 under 1 s); ' +
    `catch-up after the subscriber's server was down for ${OUTAGE_S} s under the same load (it streams what it missed from its slot, which its publisher keeps while it is away); geored's own CPU meanwhile, verifying every second.`,
  async run() {
    const [a, b] = await startClusters(['eu-west-1', 'us-east-1']);
    const store = await openStore('sqlite::memory:', {});
    let replicator: Replicator | undefined;
    try {
      await a!.sql(SCHEMA);
      await b!.sql(SCHEMA.replace(/INSERT INTO extensions[^;]*;/, '') + STAMP);
      const regions = [
        { name: 'eu-west-1', database: a!.url, jurisdiction: 'eu' },
        { name: 'us-east-1', database: b!.url, jurisdiction: 'us' },
      ];
      replicator = new Replicator({
        regions: () => regions,
        active: () => 'eu-west-1',
        isLeader: () => true,
        store,
        fileSettings: null,
        logger: pino({ level: 'silent' }),
        metrics: {
          setReplicationLag: () => undefined,
          setReplicationTable: () => undefined,
          setReplicationVerified: () => undefined,
          countReplicationChange: () => undefined,
        },
        now: Date.now,
        onLag: () => undefined,
      });
      await replicator.apply(
        {
          ...DEFAULT_REPLICATION,
          enabled: true,
          data_types: ['extensions'],
          sync_interval: 1,
          cdr: { target_regions: ['us-east-1'], realtime: true, geo_calls: false },
        },
        'bench',
        'bench',
      );
      const ready = async () => (
        await replicator!.reconcile(),
        replicator!.status().tables.every((t) => t.state === 'ready')
      );
      for (let i = 0; i < 300 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 100));
      replicator.start();

      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await pgbench(a!.port, a!.dir, LOAD_S);
      await new Promise((r) => setTimeout(r, 2000));
      const wall = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const lagRows = await b!.sql(
        `SELECT EXTRACT(EPOCH FROM applied_at - changed_at) * 1000 AS ms FROM cdr WHERE changed_at IS NOT NULL
         UNION ALL SELECT EXTRACT(EPOCH FROM applied_at - changed_at) * 1000 FROM extensions WHERE changed_at IS NOT NULL`,
      );
      const lags = lagRows.map((r) => Number(r.ms));
      const [{ n: changes }] = (await a!.sql('SELECT COUNT(*)::int AS n FROM cdr')) as [{ n: number }];

      // Outage: the subscriber's server stops, the publisher keeps taking 1,000 changes/s, it restarts.
      await b!.stop();
      await pgbench(a!.port, a!.dir, OUTAGE_S);
      const [{ n: target }] = (await a!.sql('SELECT COUNT(*)::int AS n FROM cdr')) as [{ n: number }];
      const c0 = performance.now();
      await b!.start();
      let caught = NaN;
      for (let i = 0; i < 1200; i++) {
        const [{ n }] = (await b!.sql('SELECT COUNT(*)::int AS n FROM cdr').catch(() => [{ n: -1 }])) as [
          { n: number },
        ];
        if (n === target) {
          caught = (performance.now() - c0) / 1000;
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const cpuMs = (cpu.user + cpu.system) / 1000;
      return [
        '| measure | value |',
        '|---|---|',
        `| rows whose lag was measured | ${lags.length}: every CDR insert (${changes}) and the last update of each of the 1,000 extensions; about ${2 * changes} row changes in ${LOAD_S} s |`,
        `| lag p50 | ${fmtMs(percentile(lags, 0.5))} |`,
        `| lag p99 | ${fmtMs(percentile(lags, 0.99))} (target < 1000 ms) |`,
        `| lag max | ${fmtMs(Math.max(...lags))} |`,
        `| catch-up after ${OUTAGE_S} s down (${target - changes} CDR rows behind) | ${Number.isFinite(caught) ? `${caught.toFixed(2)} s from restart` : 'did not catch up within 120 s'} |`,
        `| geored CPU during the load (${wall.toFixed(1)} s) | ${cpuMs.toFixed(0)} ms = ${((cpuMs / 1000 / wall) * 100).toFixed(2)} % of one core |`,
      ].join('\n');
    } finally {
      await replicator?.stop();
      await store.close();
      await removeClusters();
    }
  },
};
