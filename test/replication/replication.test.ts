/**
 * Data replication on real PostgreSQL 15 servers, one per region (started by the test on free ports in
 * temp directories, removed afterwards): geored creates publications and subscriptions, PostgreSQL copies
 * the rows, and the assertions query each region's database directly. geored's own store is a fourth
 * server (PostgreSQL, wal_level=logical), which publishes geo_calls to the CDR target regions. The steps
 * share the servers (initdb takes seconds) and run in order, each starting from where the previous one
 * left the databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeographicRedundancy } from '../../src/geo/service';
import pino from 'pino';
import { buildApi } from '../../src/api/server';
import { GeoredError } from '../../src/errors';
import { EventLog } from '../../src/events/event-log';
import { wireEventLog } from '../../src/events/wire';
import type { GeoEvent } from '../../src/geo/types';
import { removeClusters, startClusters, type PgCluster } from '../helpers/pg-clusters';
import { freePort } from '../helpers/ports';
import { CONTROLLED_HEALTH, configOf, openService, until } from '../geo/harness';
import { PBX_SCHEMA } from './pbx-schema';

let eu: PgCluster;
let east: PgCluster;
let west: PgCluster;
let storeDb: PgCluster;
let geo: GeographicRedundancy;
const events = new EventLog(500);
const lagEvents: Array<Extract<GeoEvent, { type: 'replication_lag' }>> = [];
/** Bytes of WAL a subscriber may be behind before replication_lag (seconds are set out of reach). */
const LAG_BYTES = 65_536;

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
  const clusters = await startClusters(['eu-west-1', 'us-east-1', 'us-west-1', 'geored-store']);
  [eu, east, west, storeDb] = [clusters[0]!, clusters[1]!, clusters[2]!, clusters[3]!];
  await Promise.all([eu, east, west].map((c) => c.sql(PBX_SCHEMA)));
  const ports = [await freePort(), await freePort(), await freePort()];
  const region = (name: string, priority: number, c: PgCluster, j: string, port: number) => [
    `      - name: ${name}`,
    `        priority: ${priority}`,
    `        trunk_id: trunk-${name}`,
    `        sip_server: 127.0.0.1:${port}`,
    `        database: ${c.url}`,
    `        jurisdiction: ${j}`,
  ];
  const config = configOf(storeDb.url, [
    ...CONTROLLED_HEALTH,
    '    failover:',
    '      automatic: false',
    '    data_replication:',
    '      enabled: false',
    '      lag_alert_seconds: 3600',
    `      lag_alert_bytes: ${LAG_BYTES}`,
    '    regions:',
    ...region('eu-west-1', 1, eu, 'eu', ports[0]!),
    ...region('us-east-1', 2, east, 'us', ports[1]!),
    ...region('us-west-1', 3, west, 'us', ports[2]!),
  ]);
  geo = await openService({ config, controlled: new Map() });
  wireEventLog(events, geo, geo.live);
  geo.on('replication_lag', (e) => lagEvents.push(e));
  await until(() => geo.getActiveRegion()?.name === 'eu-west-1' && geo.isLeader, 'eu-west-1 active');
}, 120_000);

afterAll(async () => {
  await geo?.stop();
  await removeClusters();
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

  it('a failover reverses the direction, and the returning old primary reports the rows that never left it', async () => {
    // Both subscribers have confirmed everything so far; then a partition: they stop receiving, and
    // eu-west-1 writes rows nobody else gets.
    await until(
      async () =>
        (
          await eu.sql(
            "SELECT bool_and(confirmed_flush_lsn >= pg_current_wal_lsn()) AS ok FROM pg_replication_slots WHERE slot_name LIKE 'geored%'",
          )
        )[0]!.ok === true,
      'subscribers caught up',
    );
    for (const c of [east, west])
      await c.sql('ALTER SUBSCRIPTION geored_eu_west_1_to_' + c.name.replace(/-/g, '_') + ' DISABLE');
    const before = new Date();
    await eu.sql(
      `INSERT INTO extensions (id, number, subject_id) VALUES (50, '1050', 'carol'), (51, '1051', 'dave')`,
    );
    await eu.sql(`UPDATE call_queues SET strategy = 'random' WHERE id = 1`);
    const after = new Date();
    await eu.stop();

    const switched = await geo.manualFailover({
      target_region: 'us-east-1',
      reason: 'eu-west-1 lost',
      initiated_by: 'test',
    });
    expect(switched.success).toBe(true);
    await until(async () => geo.getReplicationStatus().active_region === 'us-east-1', 'active us-east-1');
    await until(async () => {
      const s = await geo.verifyReplication();
      return (
        s.reason.startsWith('us-east-1 publishes to us-west-1') &&
        s.tables.every((t) => t.state === (t.region === 'eu-west-1' ? 'unreachable' : 'ready'))
      );
    }, 'us-east-1 publishing to us-west-1');
    // eu-west-1 keeps its channel while away: its changes wait in us-east-1's slot.
    expect(geo.getReplicationStatus().reason).toBe(
      "us-east-1 publishes to us-west-1; eu-west-1 does not answer: its changes wait in the publisher's slot",
    );
    const status = geo.getReplicationStatus();
    expect(status.regions.find((r) => r.region === 'eu-west-1')).toMatchObject({
      reachable: false,
      role: 'subscriber',
    });
    expect(status.regions.find((r) => r.region === 'us-east-1')?.role).toBe('publisher');
    await east.sql(`INSERT INTO extensions (id, number, subject_id) VALUES (60, '1060', 'erin')`);
    await until(async () => (await count(west, 'extensions', 'id = 60')) === 1, 'us-east-1 row in us-west-1');
    expect(await count(west, 'extensions', 'id IN (50, 51)')).toBe(0);

    // The old primary returns: it becomes a subscriber, and what it wrote alone is reported and kept aside.
    await eu.start();
    await until(
      async () => {
        await geo.verifyReplication();
        return geo.getReplicationStatus().kept_aside.length > 0;
      },
      'the kept-aside report',
      30_000,
    );
    const report = geo.getReplicationStatus().kept_aside[0]!;
    expect(report.region).toBe('eu-west-1');
    expect(report.tables).toEqual({ 'public.extensions': 2, 'public.call_queues': 1 });
    expect(report.count).toBe(3);
    expect(Date.parse(report.first_at!)).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(Date.parse(report.last_at!)).toBeLessThanOrEqual(after.getTime() + 1000);
    const aside = await eu.sql(
      'SELECT table_name, operation, row_data FROM geored_kept_aside ORDER BY lsn, id',
    );
    expect(aside.map((r) => [r.table_name, r.operation, (r.row_data as Record<string, unknown>).id])).toEqual(
      expect.arrayContaining([
        ['public.extensions', 'insert', '50'],
        ['public.extensions', 'insert', '51'],
        ['public.call_queues', 'update', '1'],
      ]),
    );
    const events = await geo.store.listEvents({ kind: 'replication-kept-aside', limit: 5 });
    expect(events[0]?.reason).toContain('3 change(s) written in eu-west-1 never reached us-east-1');
    // eu-west-1 now follows us-east-1: it has erin, and its table matches the new primary's.
    await until(
      async () => (await count(eu, 'extensions', 'id = 60')) === 1,
      'us-east-1 row in eu-west-1',
      30_000,
    );
    expect(await fingerprint(eu, 'extensions', 'id')).toEqual(await fingerprint(east, 'extensions', 'id'));
    expect(await eu.sql("SELECT pubname FROM pg_publication WHERE pubname LIKE 'geored%'")).toEqual([]);
    expect(await eu.sql("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'geored%'")).toEqual(
      [],
    );

    // Back to eu-west-1 for the residency steps.
    await geo.manualFailover({ target_region: 'eu-west-1', reason: 'failback', initiated_by: 'test' });
    await until(
      async () => {
        const s = await geo.verifyReplication();
        return (
          s.reason.startsWith('eu-west-1 publishes to us-east-1, us-west-1') &&
          s.tables.every((t) => t.state === 'ready')
        );
      },
      'eu-west-1 publishing again',
      60_000,
    );
    expect(await fingerprint(west, 'extensions', 'id')).toEqual(await fingerprint(eu, 'extensions', 'id'));
  });

  it('an EU residency rule keeps restricted rows and columns out of the US databases while the rest flow', async () => {
    // A rule that would store EU data in the US is refused, naming the rule, and nothing changes.
    const bad = await refusal(
      geo.configureDataResidency('eu-west-1', {
        data_types: ['cdr'],
        storage_location: 'us-east-1',
        no_transfer_outside_eu: true,
      }),
    );
    expect(bad.code).toBe('REPLICATION_RESIDENCY_VIOLATION');
    expect(bad.message).toBe(
      'storage_location us-east-1 would move cdr of eu-west-1 to us-east-1, which breaks the rule no_transfer_outside_eu of eu-west-1',
    );
    expect(geo.replication.current.residency).toEqual({});

    const set = await geo.configureDataResidency(
      'eu-west-1',
      {
        data_types: ['cdr', 'recordings', 'personal_data'],
        storage_location: 'eu-west-1',
        no_transfer_outside_eu: true,
      },
      'dpo@example.eu',
    );
    expect(set.refusals).toEqual([]);
    const cdr = await geo.replicateCdr({
      target_regions: ['eu-west-1', 'us-east-1', 'us-west-1'],
      realtime: true,
      by: 'test',
    });
    expect(cdr.refusals).toEqual([]);
    expect(cdr.reason).toContain(
      "geored's call records (public.geo_calls) go from its store to eu-west-1, us-east-1, us-west-1",
    );
    // geored's own call records: an EU call, a US call, and one no region answered that went to the EU first.
    const t0 = new Date();
    await geo.store.recordCalls([
      {
        call_id: 'cdr-eu',
        direction: 'outbound',
        from_uri: 'sip:alice@pbx.example.eu',
        to_uri: 'sip:+33100000002@carrier.example',
        region: 'eu-west-1',
        started_at: t0,
        answered_at: t0,
        final_status: 200,
      },
      {
        call_id: 'cdr-us',
        direction: 'outbound',
        from_uri: 'sip:zed@pbx.example.com',
        to_uri: 'sip:+12120000006@carrier.example',
        region: 'us-east-1',
        started_at: t0,
        answered_at: t0,
        final_status: 200,
      },
      {
        call_id: 'cdr-none',
        direction: 'outbound',
        from_uri: 'sip:bob@pbx.example.eu',
        to_uri: 'sip:+33100000009@carrier.example',
        attempts: [
          {
            region: 'eu-west-1',
            status: 503,
            reason: 'Service Unavailable',
            outcome: 'failed',
            started_at: t0,
          },
          {
            region: 'us-east-1',
            status: 503,
            reason: 'Service Unavailable',
            outcome: 'failed',
            started_at: t0,
          },
        ],
        started_at: t0,
        final_status: 503,
      },
    ]);
    await geo.store.updateCall('cdr-us', { ended_at: new Date(t0.getTime() + 30_000) });
    await until(async () => (await count(eu, 'geo_calls')) === 3, 'every call record in eu-west-1');
    expect(
      await eu.sql("SELECT call_id, from_uri, home_region FROM geo_calls WHERE call_id = 'cdr-eu'"),
    ).toEqual([{ call_id: 'cdr-eu', from_uri: 'sip:alice@pbx.example.eu', home_region: 'eu-west-1' }]);
    for (const us of [east, west]) {
      await until(
        async () => (await count(us, 'geo_calls', 'ended_at IS NOT NULL')) === 1,
        `the US call record, ended, in ${us.name}`,
      );
      // Only the call carried by a US region, without its parties.
      expect(
        await us.sql('SELECT call_id, from_uri, to_uri, region, home_region, final_status FROM geo_calls'),
      ).toEqual([
        {
          call_id: 'cdr-us',
          from_uri: null,
          to_uri: null,
          region: 'us-east-1',
          home_region: 'us-east-1',
          final_status: 200,
        },
      ]);
    }
    await eu.sql(`INSERT INTO cdr (id, src, dst, caller_name, duration, subject_id, home_region) VALUES
      (1, '+33100000001', '+33100000002', 'Alice', 60, 'alice', 'eu-west-1'),
      (2, '+33100000003', '+12120000004', 'Bob', 30, 'bob', 'eu-west-1'),
      (3, '+12120000005', '+12120000006', 'Zed', 45, 'zed', 'us-east-1'),
      (4, '+12120000007', '+33100000008', 'Yan', 15, 'yan', 'us-west-1')`);
    await eu.sql(`UPDATE extensions SET number = '2001' WHERE id = 1`);
    for (const us of [east, west]) {
      await until(async () => (await count(us, 'cdr')) === 2, `US call records in ${us.name}`);
      // Only the rows homed in the US, and none of the personal columns.
      expect(
        await us.sql('SELECT id, src, dst, caller_name, duration, home_region FROM cdr ORDER BY id'),
      ).toEqual([
        { id: '3', src: null, dst: null, caller_name: null, duration: 45, home_region: 'us-east-1' },
        { id: '4', src: null, dst: null, caller_name: null, duration: 15, home_region: 'us-west-1' },
      ]);
      await until(
        async () => (await count(us, 'extensions', "id = 1 AND number = '2001'")) === 1,
        'the rest flows',
      );
      expect(await count(us, 'extensions', 'display_name IS NOT NULL OR email IS NOT NULL')).toBe(0);
      expect(await count(us, 'extensions')).toBe(await count(eu, 'extensions'));
    }
    const t = geo
      .getReplicationStatus()
      .tables.find((x) => x.region === 'us-east-1' && x.table === 'public.cdr');
    expect(t?.restrictions).toEqual(['residency of eu-west-1: no cdr, recordings, personal_data outside eu']);
    const log = await geo.listTransferPolicyChanges(10);
    expect(log.map((e) => e.reason)).toEqual(
      expect.arrayContaining([
        'dpo@example.eu set the data residency of eu-west-1: cdr, recordings, personal_data stored in eu-west-1, no transfer outside eu',
        'test replicates call records to eu-west-1, us-east-1, us-west-1 (realtime)',
      ]),
    );
    // While the rule is in force, a failover to the US does not move the restricted tables' direction.
    await geo.manualFailover({ target_region: 'us-east-1', reason: 'drill', initiated_by: 'test' });
    await until(
      async () => (await geo.verifyReplication()).active_region === 'us-east-1',
      'active us-east-1',
    );
    const during = geo.getReplicationStatus();
    expect(during.reason).toMatch(
      /^us-east-1 and eu-west-1 publish to .*; public\.cdr, public\.extensions, public\.voicemail_boxes, public\.voicemail_messages stay published from eu-west-1, since the active region us-east-1 may not hold all of their rows and columns; geored's call records \(public\.geo_calls\) go from its store to eu-west-1, us-east-1, us-west-1$/,
    );
    // geored's call records do not follow the active region: they come from geored's store.
    expect(during.tables.filter((x) => x.table === 'public.geo_calls').map((x) => x.publisher)).toEqual([
      'geored-store',
      'geored-store',
      'geored-store',
    ]);
    expect(during.tables.filter((x) => x.table === 'public.cdr').map((x) => x.publisher)).toEqual([
      'eu-west-1',
      'eu-west-1',
    ]);
    await geo.manualFailover({ target_region: 'eu-west-1', reason: 'drill over', initiated_by: 'test' });
    await until(
      async () => {
        const s = await geo.verifyReplication();
        return (
          s.active_region === 'eu-west-1' &&
          s.tables.every(
            (x) =>
              x.state === 'ready' &&
              x.publisher === (x.table === 'public.geo_calls' ? 'geored-store' : 'eu-west-1'),
          )
        );
      },
      'eu-west-1 publishing everything again',
      30_000,
    );
  });

  it('GDPR mode: no consent, no transfer; export gathers a subject from every region; erasure reaches every region', async () => {
    await expect(geo.recordConsent('alice', true, 'test')).rejects.toThrow(
      'no region is in GDPR mode: recording consent needs enable_gdpr_compliance first',
    );
    const on = await geo.enableGdprCompliance({
      region: 'eu-west-1',
      data_processing_agreement: true,
      user_consent_required: true,
      by: 'dpo@example.eu',
    });
    expect(on.refusals).toEqual([]);
    // Without recorded consent, the EU subjects' rows no longer reach the US (the database filters them).
    for (const us of [east, west]) {
      await until(
        async () => (await count(us, 'extensions', 'id IN (1, 2)')) === 0,
        `no unconsented rows in ${us.name}`,
      );
      // The rest flows (the publication changed, so the US copy was taken afresh).
      await until(
        async () =>
          JSON.stringify(await fingerprint(us, 'call_queues', 'id')) ===
          JSON.stringify(await fingerprint(eu, 'call_queues', 'id')),
        `call queues in ${us.name}`,
      );
    }
    const consent = await geo.recordConsent('alice', true, 'support@example.eu');
    expect(consent.tables).toEqual(
      expect.arrayContaining([{ region: 'eu-west-1', table: 'public.extensions', rows: 1 }]),
    );
    for (const us of [east, west]) {
      await until(
        async () => (await count(us, 'extensions', "subject_id = 'alice'")) === 1,
        `alice in ${us.name}`,
      );
      expect(
        await us.sql("SELECT number, display_name, email FROM extensions WHERE subject_id = 'alice'"),
      ).toEqual([{ number: '2001', display_name: null, email: null }]);
    }
    await geo.store.recordCalls([
      {
        call_id: 'gdpr-1',
        direction: 'outbound',
        from_uri: 'sip:alice@pbx.example.eu',
        to_uri: 'sip:+12120000001@carrier.example',
        started_at: new Date(),
      },
    ]);

    const exported = await geo.exportSubject('alice', 'dpo@example.eu');
    expect(Object.keys(exported.regions).sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-1']);
    expect(exported.regions['eu-west-1']!['public.extensions']).toEqual([
      expect.objectContaining({ id: 1, number: '2001', display_name: 'Alice', email: 'alice@example.eu' }),
    ]);
    expect(exported.regions['eu-west-1']!['public.cdr']).toEqual([
      expect.objectContaining({ id: '1', caller_name: 'Alice' }),
    ]);
    expect(exported.regions['us-east-1']!['public.extensions']).toEqual([
      expect.objectContaining({ id: 1, display_name: null }),
    ]);
    expect(exported.regions['us-east-1']!['public.cdr']).toEqual([]);
    expect(exported.call_records.map((c) => c.call_id)).toEqual(['gdpr-1', 'cdr-eu']);
    expect(exported.unreachable_regions).toEqual([]);

    const erased = await geo.eraseSubject('alice', 'dpo@example.eu');
    const row = (region: string, table: string) =>
      erased.regions.find((r) => r.region === region && r.table === table);
    expect(row('eu-west-1', 'public.extensions')).toEqual({
      region: 'eu-west-1',
      table: 'public.extensions',
      rows_before: 1,
      rows_after: 0,
      method: 'deleted at the publisher',
    });
    expect(row('us-east-1', 'public.extensions')).toMatchObject({
      rows_before: 1,
      rows_after: 0,
      method: 'deleted through replication',
    });
    expect(row('us-west-1', 'public.extensions')).toMatchObject({
      rows_before: 1,
      rows_after: 0,
      method: 'deleted through replication',
    });
    expect(row('eu-west-1', 'public.cdr')).toMatchObject({ rows_before: 1, rows_after: 0 });
    expect(erased.complete).toBe(true);
    expect(erased.call_records.pseudonymised).toBe(2);
    // geored's call records are pseudonymised in its store, and replication carries that to the regions.
    await until(
      async () => (await count(eu, 'geo_calls', "from_uri LIKE 'sip:alice@%'")) === 0,
      'alice pseudonymised in the copy of geo_calls in eu-west-1',
    );
    expect(
      await count(eu, 'geo_calls', `from_uri = 'sip:${erased.call_records.pseudonym}@pbx.example.eu'`),
    ).toBe(2);
    // The report matches what each database now holds.
    for (const c of [eu, east, west]) {
      for (const t of ['extensions', 'cdr', 'voicemail_boxes', 'voicemail_messages'])
        expect(await count(c, t, "subject_id = 'alice'"), `${t} in ${c.name}`).toBe(0);
    }
    const [call] = await geo.store.listCalls({ limit: 1 });
    expect(call!.from_uri).toBe(`sip:${erased.call_records.pseudonym}@pbx.example.eu`);
    expect((await geo.store.listEvents({ kind: 'gdpr-erasure', limit: 1 }))[0]?.reason).toMatch(
      /^dpo@example.eu erased subject alice: /,
    );
    const policy = await geo.listTransferPolicyChanges(20);
    expect(policy[0]?.reason).toBe(
      'dpo@example.eu enabled GDPR mode in eu-west-1 (data processing agreement true, consent required true)',
    );
  });

  it('a region database stopped for a while catches up when it returns, with nothing lost; its lag is told once, and its recovery once', async () => {
    const eventsBefore = events.lastId;
    const towardsWest = () =>
      lagEvents.filter((e) => e.publisher === 'eu-west-1' && e.subscriber === 'us-west-1');
    expect(towardsWest()).toEqual([]);
    await west.stop();
    for (let i = 0; i < 20; i++) {
      await eu.sql(
        `INSERT INTO call_queues SELECT g, 'q' || g, 'ringall' FROM generate_series(${100 + i * 25}, ${124 + i * 25}) g`,
      );
      await eu.sql(
        `INSERT INTO queue_members SELECT ${100 + i * 25}, g, g % 5 FROM generate_series(1, 10) g`,
      );
    }
    await eu.sql(`UPDATE call_queues SET strategy = 'leastrecent' WHERE id % 3 = 0`);
    await eu.sql(`DELETE FROM queue_members WHERE extension_id = 7`);
    // WAL the publisher writes while us-west-1 is away (a table outside every publication still counts).
    await eu.sql('CREATE TABLE lag_padding AS SELECT g, md5(g::text) AS h FROM generate_series(1, 20000) g');
    const down = await geo.verifyReplication();
    expect(down.regions.find((r) => r.region === 'us-west-1')?.reachable).toBe(false);
    const lagging = down.tables.find((t) => t.region === 'us-west-1' && t.table === 'public.call_queues');
    expect(lagging?.lag_bytes).toBeGreaterThan(LAG_BYTES);
    // Not connected: its lag in seconds counts from when its slot last streamed.
    expect(lagging?.lag_seconds).toBeGreaterThan(0);
    await geo.verifyReplication();
    expect(towardsWest()).toEqual([
      expect.objectContaining({
        type: 'replication_lag',
        lagging: true,
        threshold_bytes: LAG_BYTES,
        reason: expect.stringMatching(
          /^us-west-1 lags [\d.]+ s, \d+ bytes behind eu-west-1 \(not connected\), above the threshold of 3600 s or 65536 bytes$/,
        ),
      }),
    ]);
    const metrics = await geo.metrics.registry.metrics();
    expect(metrics).toMatch(
      /geored_replication_table_lag_bytes\{publisher="eu-west-1",region="us-west-1",table="public.call_queues"\} \d{5,}/,
    );
    await west.start();
    await until(
      async () =>
        JSON.stringify(await fingerprint(west, 'call_queues', 'id')) ===
          JSON.stringify(await fingerprint(eu, 'call_queues', 'id')) &&
        JSON.stringify(await fingerprint(west, 'queue_members', 'queue_id, extension_id')) ===
          JSON.stringify(await fingerprint(eu, 'queue_members', 'queue_id, extension_id')),
      'us-west-1 caught up',
      60_000,
    );
    expect((await fingerprint(west, 'call_queues', 'id'))!.n).toBe(await count(eu, 'call_queues'));
    expect(await count(west, 'call_queues', 'id >= 100')).toBe(500);
    expect(await count(west, 'queue_members', 'queue_id >= 100')).toBe(180);
    expect(await fingerprint(east, 'call_queues', 'id')).toEqual(await fingerprint(eu, 'call_queues', 'id'));
    await until(
      async () => (await geo.verifyReplication(), towardsWest().length === 2),
      'the recovery of us-west-1',
      30_000,
    );
    expect(towardsWest().map((e) => e.lagging)).toEqual([true, false]);
    expect(towardsWest()[1]!.reason).toMatch(/^us-west-1 is back within 3600 s or 65536 bytes of eu-west-1/);
    // Both went out on the event stream (what GET …/events/stream serves), once each.
    const streamed = (() => {
      const r = events.since(eventsBefore);
      return r.kind === 'events' ? r.events : [];
    })().filter((e) => e.type === 'replication_lag' && e.data['subscriber'] === 'us-west-1');
    expect(streamed.map((e) => [e.data['publisher'], e.data['lagging']])).toEqual([
      ['eu-west-1', true],
      ['eu-west-1', false],
    ]);
  }, 120_000);

  it('REST: the status, the policy log and the metrics are served; bad input is refused naming the field', async () => {
    const api = buildApi({
      geo,
      metrics: geo.metrics,
      tokens: [{ name: 'ops', token: { source: 'env:OPS', value: 'ops-token-0123456789' }, role: 'admin' }],
      logger: pino({ level: 'silent' }),
      ready: () => true,
    });
    const auth = { authorization: 'Bearer ops-token-0123456789' };
    const P = '/api/framework/geographic-redundancy';
    try {
      const status = await api.inject({ method: 'GET', url: `${P}/replication/status`, headers: auth });
      expect(status.statusCode).toBe(200);
      const body = status.json();
      expect(body.enabled).toBe(true);
      expect(
        body.tables.find(
          (t: { region: string; table: string }) => t.region === 'us-east-1' && t.table === 'public.cdr',
        ),
      ).toMatchObject({
        publisher: 'eu-west-1',
        restrictions: [
          'residency of eu-west-1: no cdr, recordings, personal_data outside eu',
          'GDPR mode of eu-west-1: personal data of subjects without recorded consent stays in eu-west-1',
        ],
      });
      const bad = await api.inject({
        method: 'PUT',
        url: `${P}/data-replication`,
        headers: auth,
        payload: { data_types: ['faxes'] },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.field).toBe('data_types[0]');
      const violation = await api.inject({
        method: 'PUT',
        url: `${P}/regions/eu-west-1/data-residency`,
        headers: auth,
        payload: { data_types: ['cdr'], storage_location: 'us-west-1', no_transfer_outside_eu: true },
      });
      expect(violation.statusCode).toBe(409);
      expect(violation.json().error.code).toBe('REPLICATION_RESIDENCY_VIOLATION');
      const log = await api.inject({ method: 'GET', url: `${P}/gdpr/policy-changes`, headers: auth });
      expect(log.json().changes[0].reason).toBe(
        'dpo@example.eu enabled GDPR mode in eu-west-1 (data processing agreement true, consent required true)',
      );
      const noToken = await api.inject({
        method: 'POST',
        url: `${P}/gdpr/erasure`,
        payload: { subject: 'bob' },
      });
      expect(noToken.statusCode).toBe(401);
      const metrics = await api.inject({ method: 'GET', url: '/metrics', headers: auth });
      expect(metrics.body).toMatch(
        /geored_replication_lag_bytes\{publisher="eu-west-1",subscriber="us-east-1"\} \d+/,
      );
      expect(metrics.body).toContain(
        'geored_replication_table_ready{region="us-east-1",table="public.cdr"} 1',
      );
    } finally {
      await api.close();
    }
  });

  it("realtime: false: geored's call records reach the targets at each verification, the subscription disabled between", async () => {
    const set = await geo.replicateCdr({
      target_regions: ['eu-west-1', 'us-east-1', 'us-west-1'],
      realtime: false,
      by: 'test',
    });
    expect(set.refusals).toEqual([]);
    const sub = "SELECT subenabled FROM pg_subscription WHERE subname = 'geored_geored_store_to_eu_west_1'";
    expect(await eu.sql(sub)).toEqual([{ subenabled: false }]);
    await geo.store.recordCalls([
      {
        call_id: 'cdr-batch',
        direction: 'outbound',
        from_uri: 'sip:carol@pbx.example.eu',
        to_uri: 'sip:+33100000010@carrier.example',
        region: 'eu-west-1',
        started_at: new Date(),
        final_status: 486,
      },
    ]);
    // One verification is one catch-up: enabled, caught up to the store's position, disabled again.
    const s = await geo.verifyReplication();
    expect(await count(eu, 'geo_calls', "call_id = 'cdr-batch'")).toBe(1);
    expect(await eu.sql(sub)).toEqual([{ subenabled: false }]);
    const t = s.tables.find((x) => x.region === 'eu-west-1' && x.table === 'public.geo_calls');
    expect(t).toMatchObject({
      publisher: 'geored-store',
      realtime: false,
      state: 'ready (between catch-ups)',
    });
  });
});
