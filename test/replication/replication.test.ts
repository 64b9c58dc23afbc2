/**
 * Data replication on real PostgreSQL 15 servers, one per region (started by the test on free ports in
 * temp directories, removed afterwards): geored creates publications and subscriptions, PostgreSQL copies
 * the rows, and the assertions query each region's database directly. The steps share the three servers
 * (initdb takes seconds) and run in order, each starting from where the previous one left the databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeographicRedundancy } from '../../src/geo/service';
import { GeoredError } from '../../src/errors';
import { removeClusters, startClusters, type PgCluster } from '../helpers/pg-clusters';
import { freePort } from '../helpers/ports';
import { CONTROLLED_HEALTH, configOf, openService, until } from '../geo/harness';
import { sqliteDatabase, type TestDatabase } from '../store/databases';
import { PBX_SCHEMA } from './pbx-schema';

let eu: PgCluster;
let east: PgCluster;
let west: PgCluster;
let geo: GeographicRedundancy;
let store: TestDatabase;

const count = async (c: PgCluster, table: string, where = 'true') =>
  Number((await c.sql(`SELECT COUNT(*)::int AS n FROM ${table} WHERE ${where}`))[0]!.n);

/** Row count and an md5 over every row in key order: equal on both sides means nothing lost or changed. */
const fingerprint = async (c: PgCluster, table: string, key: string) =>
  (
    await c.sql(
      `SELECT COUNT(*)::int AS n, md5(COALESCE(string_agg(t::text, '|' ORDER BY ${key}), '')) AS sum FROM ${table} t`,
    )
  )[0];

async function refusal(p: Promise<unknown>): Promise<GeoredError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to be refused').toBeInstanceOf(GeoredError);
  return err as GeoredError;
}

beforeAll(async () => {
  [eu, east, west] = await startClusters(['eu-west-1', 'us-east-1', 'us-west-1']);
  await Promise.all([eu, east, west].map((c) => c.sql(PBX_SCHEMA)));
  store = await sqliteDatabase();
  const ports = [await freePort(), await freePort(), await freePort()];
  const region = (name: string, priority: number, c: PgCluster, j: string, port: number) => [
    `      - name: ${name}`,
    `        priority: ${priority}`,
    `        trunk_id: trunk-${name}`,
    `        sip_server: 127.0.0.1:${port}`,
    `        database: ${c.url}`,
    `        jurisdiction: ${j}`,
  ];
  const config = configOf(store.url, [
    ...CONTROLLED_HEALTH,
    '    failover:',
    '      automatic: false',
    '    regions:',
    ...region('eu-west-1', 1, eu, 'eu', ports[0]!),
    ...region('us-east-1', 2, east, 'us', ports[1]!),
    ...region('us-west-1', 3, west, 'us', ports[2]!),
  ]);
  geo = await openService({ config, controlled: new Map() });
  await until(() => geo.getActiveRegion()?.name === 'eu-west-1' && geo.isLeader, 'eu-west-1 active');
}, 120_000);

afterAll(async () => {
  await geo?.stop();
  await removeClusters();
  await store?.drop();
});

describe('data replication between region databases', () => {
  it('refuses a table without a primary key, naming it, and changes nothing', async () => {
    const err = await refusal(
      geo.enableDataReplication({
        data_types: ['extensions'],
        tables: { extensions: ['public.extensions', 'public.nokey'] },
        by: 'test',
      }),
    );
    expect(err.code).toBe('REPLICATION_TABLE_REFUSED');
    expect(err.message).toContain('public.nokey in eu-west-1: it has no primary key or replica identity');
    expect(err.message).not.toContain('public.extensions in');
    expect(await eu.sql("SELECT pubname FROM pg_publication WHERE pubname LIKE 'geored%'")).toEqual([]);
    expect(geo.getReplicationStatus().enabled).toBe(false);
  });

  it('refuses bidirectional replication on PostgreSQL 15, saying it needs 16', async () => {
    const err = await refusal(geo.enableDataReplication({ bidirectional: true, by: 'test' }));
    expect(err.code).toBe('REPLICATION_BIDIRECTIONAL_UNSUPPORTED');
    expect(err.message).toMatch(
      /bidirectional replication needs PostgreSQL 16 or later \(subscriptions with origin = none.*database runs PostgreSQL 15\./,
    );
    expect(await east.sql("SELECT subname FROM pg_subscription WHERE subname LIKE 'geored%'")).toEqual([]);
  });

  it('publishes from the active region and rows written there appear in the others', async () => {
    const result = await geo.enableDataReplication({
      data_types: ['extensions', 'voicemail', 'call_queues'],
      sync_interval: 60,
      by: 'test',
    });
    expect(result.refusals).toEqual([]);
    expect(result.reason).toBe('eu-west-1 publishes to us-east-1, us-west-1');
    const kinds = result.changes.map((c) => `${c.region} ${c.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'eu-west-1 create-publication',
        'us-east-1 create-subscription',
        'us-west-1 create-subscription',
      ]),
    );
    expect(result.changes.filter((c) => c.error)).toEqual([]);
    await eu.sql(`INSERT INTO extensions (id, number, display_name, email, subject_id) VALUES
      (1, '1001', 'Alice', 'alice@example.eu', 'alice'), (2, '1002', 'Bob', 'bob@example.eu', 'bob')`);
    await eu.sql(`INSERT INTO call_queues VALUES (1, 'support', 'ringall'), (2, 'sales', 'leastrecent')`);
    await eu.sql(`INSERT INTO queue_members VALUES (1, 1, 0), (1, 2, 1), (2, 2, 0)`);
    for (const c of [east, west]) {
      await until(
        async () => (await count(c, 'queue_members')) === 3 && (await count(c, 'extensions')) === 2,
        `rows in ${c.name}`,
      );
      expect(await c.sql('SELECT id, number, display_name FROM extensions ORDER BY id')).toEqual([
        { id: 1, number: '1001', display_name: 'Alice' },
        { id: 2, number: '1002', display_name: 'Bob' },
      ]);
    }
    // Idempotent: a second verification finds nothing to change.
    const again = await geo.verifyReplication();
    expect(again.last_changes.length).toBe(result.changes.length);
    const status = geo.getReplicationStatus();
    expect(status.regions.map((r) => [r.region, r.role, r.reachable])).toEqual([
      ['eu-west-1', 'publisher', true],
      ['us-east-1', 'subscriber', true],
      ['us-west-1', 'subscriber', true],
    ]);
    await until(async () => {
      await geo.verifyReplication();
      return geo.getReplicationStatus().tables.every((t) => t.state === 'ready');
    }, 'every table ready');
    const t = geo
      .getReplicationStatus()
      .tables.find((x) => x.region === 'us-east-1' && x.table === 'public.extensions');
    expect(t).toMatchObject({ publisher: 'eu-west-1', state: 'ready', realtime: true, restrictions: [] });
    expect(typeof t!.lag_bytes).toBe('number');
  });
});
