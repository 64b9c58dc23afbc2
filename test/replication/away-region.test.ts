/**
 * A region whose database does not answer keeps its channel: decideChannels still plans it, and the plan
 * over what was observed drops neither the publication nor the slot that holds what it has not received
 * (the old behaviour dropped both, so a region back from an outage copied every table afresh).
 */
import { describe, expect, it } from 'vitest';
import { checkChannels } from '../../src/replication/check-tables';
import { decideChannels } from '../../src/replication/decide-channels';
import { planActions, publicationSpec } from '../../src/replication/plan-actions';
import { DEFAULT_REPLICATION } from '../../src/replication/settings';
import type { ObservedDatabase, ReplicaRegion } from '../../src/replication/types';
import { observedDb, observedTables } from './observed';

const regions: ReplicaRegion[] = [
  { name: 'eu-west-1', database: 'postgres://h/eu', jurisdiction: 'eu' },
  { name: 'us-east-1', database: 'postgres://h/us', jurisdiction: 'us' },
];
const settings = { ...DEFAULT_REPLICATION, enabled: true, data_types: ['call_queues' as const] };
const tables = observedTables({ type: 'integer', extra: [], replica_identity: 'd', fullIdentity: false });
const db = observedDb(tables, 150000);

describe('a subscriber that does not answer', () => {
  const decide = (reachable: string[]) =>
    decideChannels({ settings, regions, active: 'eu-west-1', reachable: new Set(reachable) }, () => ['id']);

  it('keeps its channel, and the sentence says it waits', () => {
    const d = decide(['eu-west-1']);
    expect(d.channels.map((c) => c.name)).toEqual(['geored_eu_west_1_to_us_east_1']);
    expect(d.reason).toBe(
      "eu-west-1 publishes to no region that answers; us-east-1 does not answer: its changes wait in the publisher's slot",
    );
  });

  it('loses neither its publication nor its slot; back, it needs no change', () => {
    const ch = decide(['eu-west-1', 'us-east-1']).channels[0]!;
    const publisher = db('eu-west-1', {
      publications: [
        {
          name: ch.name,
          comment: publicationSpec(ch),
          tables: ch.tables.map((t) => ({ table: t.table, row_filter: null, columns: null })),
        },
      ],
      slots: [{ name: ch.name, active: false, confirmed_flush_lsn: '0/1', lag_bytes: 4096 }],
    });
    const away: ObservedDatabase = { ...db('us-east-1'), reachable: false, tables: new Map() };
    const observed = new Map([
      ['eu-west-1', publisher],
      ['us-east-1', away],
    ]);
    const checked = checkChannels(decide(['eu-west-1']).channels, observed);
    expect(checked.refusals).toEqual([]);
    expect(
      planActions({ channels: checked.channels, observed, regions: ['eu-west-1', 'us-east-1'] }),
    ).toEqual([]);
    const back = new Map([
      ['eu-west-1', publisher],
      [
        'us-east-1',
        db('us-east-1', {
          subscriptions: [
            {
              name: ch.name,
              enabled: true,
              publications: [ch.name],
              origin: 'any',
              apply_errors: 0,
              sync_errors: 0,
              worker_running: true,
              tables: ch.tables.map((t) => ({ table: t.table, state: 'r' })),
            },
          ],
        }),
      ],
    ]);
    const again = checkChannels(decide(['eu-west-1', 'us-east-1']).channels, back);
    expect(
      planActions({ channels: again.channels, observed: back, regions: ['eu-west-1', 'us-east-1'] }),
    ).toEqual([]);
  });
});
