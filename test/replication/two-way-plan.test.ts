/**
 * The pure side of two-way replication (bidirectional: true): which region seeds, the channels in both
 * directions, and the plan over what was observed — origin = none, one copy only, no TRUNCATE sent, a
 * changed publication followed without a copy, a region at 15 refused by name, a region away keeping its
 * subscriptions. bidirectional.test.ts runs the same against real PostgreSQL 16 servers.
 */
import { describe, expect, it } from 'vitest';
import { checkChannels } from '../../src/replication/check-tables';
import { decideChannels, twoWaySeed } from '../../src/replication/decide-channels';
import { planActions, publicationSpec } from '../../src/replication/plan-actions';
import { DEFAULT_REPLICATION } from '../../src/replication/settings';
import type {
  Channel,
  ObservedDatabase,
  ObservedSubscription,
  ReplicaRegion,
  ReplicationSettings,
} from '../../src/replication/types';
import { observedDb, observedTables } from './observed';

const regions: ReplicaRegion[] = [
  { name: 'eu-west-1', database: 'postgres://h/eu', jurisdiction: 'eu' },
  { name: 'us-east-1', database: 'postgres://h/us', jurisdiction: 'us' },
];
const names = regions.map((r) => r.name);
const twoWay: ReplicationSettings = {
  ...DEFAULT_REPLICATION,
  enabled: true,
  bidirectional: true,
  data_types: ['call_queues'],
};
const euRule = {
  data_types: ['call_queues' as const],
  storage_location: 'eu-west-1',
  no_transfer_outside: ['eu'],
};
const tables = observedTables({
  type: 'text',
  extra: ['home_region'],
  replica_identity: 'f',
  fullIdentity: true,
});
const db = observedDb(tables, 160004);
const subscription = (ch: Channel, origin: string): ObservedSubscription => ({
  name: ch.name,
  enabled: true,
  publications: [ch.name],
  origin,
  apply_errors: 0,
  sync_errors: 0,
  worker_running: true,
  tables: ch.tables.map((t) => ({ table: t.table, state: 'r' })),
});
const decide = (s: ReplicationSettings, active: string, reachable = names) =>
  decideChannels({ settings: s, regions, active, reachable: new Set(reachable) }, () => [
    'id',
    'home_region',
  ]);
/** Both ends as a finished set-up leaves them: publications, slots and subscriptions of every channel. */
function established(channels: readonly Channel[], origin = 'none'): Map<string, ObservedDatabase> {
  return new Map(
    names.map((r) => [
      r,
      db(r, {
        publications: channels
          .filter((c) => c.publisher === r)
          .map((c) => ({
            name: c.name,
            comment: publicationSpec(c),
            tables: c.tables.map((t) => ({ table: t.table, row_filter: t.row_filter, columns: t.columns })),
          })),
        slots: channels
          .filter((c) => c.publisher === r)
          .map((c) => ({ name: c.name, active: true, confirmed_flush_lsn: '0/1', lag_bytes: 0 })),
        subscriptions: channels.filter((c) => c.subscriber === r).map((c) => subscription(c, origin)),
      }),
    ]),
  );
}

describe('two-way replication: the seed', () => {
  it('is the active region when it may hold every row, else the first region that may, else none', () => {
    expect(twoWaySeed(twoWay, regions, 'us-east-1')).toEqual({
      seed: 'us-east-1',
      why: 'the initial copy comes from the active region us-east-1',
    });
    const ruled = { ...twoWay, residency: { 'eu-west-1': euRule } };
    expect(twoWaySeed(ruled, regions, 'us-east-1')).toEqual({
      seed: 'eu-west-1',
      why: 'the initial copy comes from eu-west-1, the first region that may hold every row and column (the active region us-east-1 may not)',
    });
    const both = {
      ...ruled,
      residency: {
        ...ruled.residency,
        'us-east-1': { ...euRule, storage_location: 'us-east-1', no_transfer_outside: ['us'] },
      },
    };
    expect(twoWaySeed(both, regions, 'eu-west-1').seed).toBeNull();
    const d = decide(both, 'eu-west-1');
    expect(d.channels).toEqual([]);
    expect(d.reason).toBe(
      'two-way replication waits: no region may hold every row and column of every replicated table under the rules in force, so none can seed the others',
    );
  });
});

describe('two-way replication: channels and plan', () => {
  const ruled = { ...twoWay, residency: { 'eu-west-1': euRule } };

  it('publishes both ways, the residency filter towards the US whoever publishes, copy only from the seed', () => {
    const d = decide(ruled, 'us-east-1');
    expect(
      d.channels.map((c) => [c.name, c.copy_data, c.two_way, c.tables.map((t) => t.row_filter)]),
    ).toEqual([
      [
        'geored_eu_west_1_to_us_east_1',
        true,
        true,
        [`"home_region" <> 'eu-west-1'`, `"home_region" <> 'eu-west-1'`],
      ],
      ['geored_us_east_1_to_eu_west_1', false, true, [null, null]],
    ]);
    expect(d.publishers.get('public.call_queues')).toBe('eu-west-1');
  });

  it('on empty databases: publications without TRUNCATE, origin = none, one truncate and one copy', () => {
    const d = decide(ruled, 'eu-west-1');
    const observed = new Map(names.map((r) => [r, db(r)]));
    const checked = checkChannels(d.channels, observed);
    expect(checked.refusals).toEqual([]);
    const plan = planActions({ channels: checked.channels, observed, regions: names });
    expect(plan.map((a) => `${a.region} ${a.kind}`)).toEqual([
      'eu-west-1 create-publication',
      'us-east-1 create-publication',
      'eu-west-1 create-subscription',
      'us-east-1 truncate',
      'us-east-1 create-subscription',
    ]);
    for (const a of plan.filter((x) => x.kind === 'create-publication'))
      expect(a.sql[0]).toMatch(/ WITH \(publish = 'insert, update, delete'\)$/);
    const sub = (r: string) => plan.find((a) => a.region === r && a.kind === 'create-subscription')!.sql[0];
    expect(sub('us-east-1')).toContain(
      `WITH (slot_name = 'geored_eu_west_1_to_us_east_1', copy_data = true, create_slot = true, origin = none)`,
    );
    expect(sub('eu-west-1')).toContain(
      `WITH (slot_name = 'geored_us_east_1_to_eu_west_1', copy_data = false, create_slot = true, origin = none)`,
    );
    // Over the result, nothing more to do.
    expect(
      planActions({ channels: checked.channels, observed: established(checked.channels), regions: names }),
    ).toEqual([]);
  });

  it('follows a changed publication without copying or emptying anything', () => {
    const before = decide(twoWay, 'eu-west-1').channels;
    const observed = established(before);
    const after = checkChannels(decide(ruled, 'eu-west-1').channels, observed).channels;
    const plan = planActions({ channels: after, observed, regions: names });
    expect(plan.map((a) => `${a.region} ${a.kind}`)).toEqual([
      'eu-west-1 alter-publication',
      'us-east-1 refresh-subscription',
      'us-east-1 purge',
    ]);
    expect(plan[0]!.sql).toContain(
      `ALTER PUBLICATION "geored_eu_west_1_to_us_east_1" SET (publish = 'insert, update, delete')`,
    );
    // copy_data = true on a refresh copies only tables new to the subscription: here none.
    expect(plan[1]!.sql).toEqual([
      'ALTER SUBSCRIPTION "geored_eu_west_1_to_us_east_1" REFRESH PUBLICATION WITH (copy_data = true)',
    ]);
    // What us-east-1 may no longer hold goes there only: under an origin its subscribers do not take.
    expect(plan[2]!.sql).toEqual([
      `SELECT pg_replication_origin_create('geored_purge') WHERE NOT EXISTS (SELECT 1 FROM pg_replication_origin WHERE roname = 'geored_purge')`,
      `SELECT pg_replication_origin_session_setup('geored_purge')`,
      `DELETE FROM "public"."call_queues" WHERE ("home_region" <> 'eu-west-1') IS NOT TRUE`,
      `DELETE FROM "public"."queue_members" WHERE ("home_region" <> 'eu-west-1') IS NOT TRUE`,
      'SELECT pg_replication_origin_session_reset()',
    ]);
    // The channel back from us-east-1 did not change: nothing is done to eu-west-1's rows.
    expect(plan.some((a) => a.region === 'eu-west-1' && a.kind !== 'alter-publication')).toBe(false);
  });

  it('turns a one-way subscription to origin = none instead of making it again', () => {
    const ch = decide(twoWay, 'eu-west-1').channels;
    const plan = planActions({ channels: ch, observed: established(ch, 'any'), regions: names });
    expect(plan.map((a) => [a.region, a.kind, a.sql])).toEqual([
      [
        'eu-west-1',
        'alter-subscription',
        ['ALTER SUBSCRIPTION "geored_us_east_1_to_eu_west_1" SET (origin = none)'],
      ],
      [
        'us-east-1',
        'alter-subscription',
        ['ALTER SUBSCRIPTION "geored_eu_west_1_to_us_east_1" SET (origin = none)'],
      ],
    ]);
  });

  it('a region that is away keeps its subscriptions and slots both ways', () => {
    const ch = decide(twoWay, 'eu-west-1').channels;
    const observed = established(ch);
    observed.set('us-east-1', { ...db('us-east-1'), reachable: false, tables: new Map() });
    const d = decide(twoWay, 'eu-west-1', ['eu-west-1']);
    expect(d.reason).toBe(
      'two-way: eu-west-1, us-east-1 each publish to the others (origin = none); the initial copy comes from the active region eu-west-1; us-east-1 does not answer: changes to and from it wait in the slots',
    );
    const checked = checkChannels(d.channels, observed);
    expect(checked.channels.map((c) => c.name)).toEqual([
      'geored_eu_west_1_to_us_east_1',
      'geored_us_east_1_to_eu_west_1',
    ]);
    expect(planActions({ channels: checked.channels, observed, regions: names })).toEqual([]);
  });

  it('refuses a region at PostgreSQL 15, naming it', () => {
    const observed = new Map([
      ['eu-west-1', db('eu-west-1')],
      ['us-east-1', db('us-east-1', { server_version_num: 150013 })],
    ]);
    const checked = checkChannels(decide(twoWay, 'eu-west-1').channels, observed);
    expect(checked.channels).toEqual([]);
    expect(checked.refusals).toContainEqual({
      table: 'public.call_queues',
      region: 'us-east-1',
      why: 'two-way replication needs PostgreSQL 16 or later (origin = none), and this database runs PostgreSQL 15.13',
    });
  });
});
