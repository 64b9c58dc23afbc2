/** decideCallChannels: where geored's own geo_calls goes, and what each region may receive of it. */
import { describe, expect, it } from 'vitest';
import { decideCallChannels, STORE_NODE } from '../../src/replication/decide-call-records';
import { DEFAULT_REPLICATION } from '../../src/replication/settings';
import type { ReplicaRegion, ReplicationSettings } from '../../src/replication/types';

const regions: ReplicaRegion[] = [
  { name: 'eu-west-1', database: 'postgres://h/eu', jurisdiction: 'eu' },
  { name: 'us-east-1', database: 'postgres://h/east', jurisdiction: 'us' },
  { name: 'us-west-1', database: 'postgres://h/west', jurisdiction: 'us' },
];
const COLUMNS = ['id', 'call_id', 'from_uri', 'to_uri', 'region', 'home_region'];
const base: ReplicationSettings = {
  ...DEFAULT_REPLICATION,
  enabled: true,
  cdr: { target_regions: ['eu-west-1', 'us-east-1'], realtime: true, geo_calls: true },
};
const eu = {
  data_types: ['cdr', 'personal_data'] as const,
  storage_location: 'eu-west-1',
  no_transfer_outside: ['eu'],
};
const all = new Set([STORE_NODE, 'eu-west-1', 'us-east-1', 'us-west-1']);
const decide = (settings: ReplicationSettings, reachable = all, table: string | null = 'public.geo_calls') =>
  decideCallChannels({ settings, regions, reachable, table, columns: COLUMNS });
const view = (d: ReturnType<typeof decide>) =>
  d.channels.map((c) => [c.name, c.tables[0]!.row_filter, c.tables[0]!.columns, c.realtime]);

describe('decideCallChannels', () => {
  it('publishes from the store to every CDR target, all rows and columns without a rule', () => {
    const d = decide(base);
    expect(view(d)).toEqual([
      ['geored_geored_store_to_eu_west_1', null, null, true],
      ['geored_geored_store_to_us_east_1', null, null, true],
    ]);
    expect(d.reason).toBe(
      "geored's call records (public.geo_calls) go from its store to eu-west-1, us-east-1",
    );
  });

  it('an EU rule keeps EU calls and every party out of the US, not out of the EU', () => {
    const d = decide({ ...base, residency: { 'eu-west-1': eu } });
    expect(view(d)).toEqual([
      ['geored_geored_store_to_eu_west_1', null, null, true],
      [
        'geored_geored_store_to_us_east_1',
        `"home_region" <> 'eu-west-1'`,
        ['id', 'call_id', 'region', 'home_region'],
        true,
      ],
    ]);
    expect(d.channels[1]!.tables[0]!.restrictions).toEqual([
      'residency of eu-west-1: no cdr, personal_data outside eu',
    ]);
  });

  it('GDPR mode with consent required keeps the calls of its region home (geo_calls has no consent)', () => {
    const d = decide({
      ...base,
      gdpr: { 'eu-west-1': { data_processing_agreement: true, user_consent_required: true } },
    });
    expect(view(d)[1]).toEqual([
      'geored_geored_store_to_us_east_1',
      `"home_region" <> 'eu-west-1'`,
      null,
      true,
    ]);
  });

  it('a target that does not answer keeps its channel; realtime false carries over', () => {
    const d = decide({ ...base, cdr: { ...base.cdr!, realtime: false } }, new Set([STORE_NODE, 'eu-west-1']));
    expect(view(d).map((v) => [v[0], v[3]])).toEqual([
      ['geored_geored_store_to_eu_west_1', false],
      ['geored_geored_store_to_us_east_1', false],
    ]);
    expect(d.reason).toBe(
      "geored's call records (public.geo_calls) go from its store to eu-west-1; us-east-1 does not answer: the call records wait in the store's slot",
    );
  });

  it('nothing without CDR replication or with geo_calls: false; waits while the store is away; says a SQLite store cannot', () => {
    expect(decide({ ...base, cdr: null })).toEqual({ channels: [], reason: null });
    expect(decide({ ...base, cdr: { ...base.cdr!, geo_calls: false } })).toEqual({
      channels: [],
      reason: null,
    });
    expect(decide(base, new Set(['eu-west-1', 'us-east-1']))).toEqual({
      channels: [],
      reason: "geored's call records wait: its store's database does not answer",
    });
    expect(decide(base, all, null)).toEqual({
      channels: [],
      reason: "geored's call records are not published: its store is not PostgreSQL",
    });
  });
});
