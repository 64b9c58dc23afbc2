/**
 * replicate_cdr(target_regions, realtime=true) through the real `geored serve`: its store is a PostgreSQL
 * cluster of the test's own (wal_level=logical), the two regions name databases of their own (more
 * clusters), and config.yml asks for call records to reach us-east-1 only. Calls placed by a sipp PBX
 * through geored to a sipp region end up as geored's geo_calls rows, which PostgreSQL carries from the
 * store to us-east-1's database as they are written: the test reads them there, by call id.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { removeClusters, startClusters, type PgCluster } from '../helpers/pg-clusters';
import { startSipp } from '../helpers/sipp';
import { PBX_SCHEMA } from '../replication/pbx-schema';
import {
  calls,
  FAST_HEALTH,
  GEO,
  get,
  regionLines,
  runUac,
  startGeored,
  stopEverything,
  until,
} from './harness';

afterEach(stopEverything);
afterAll(removeClusters, 120_000);

interface ChannelState {
  publisher: string;
  subscriber: string;
  subscription: string;
}
interface Status {
  reason: string;
  tables: Array<{ publisher: string; region: string; table: string; state: string }>;
  channels: ChannelState[];
  refusals: unknown[];
}

const CALLS = 4;

describe('geored serve replicates its call records to the CDR target regions', () => {
  it("geo_calls rows of calls placed through geored arrive in us-east-1's database with the same call ids", async () => {
    const [store, eu, us] = (await startClusters(['geored-store', 'eu-west-1', 'us-east-1'])) as [
      PgCluster,
      PgCluster,
      PgCluster,
    ];
    // The PBX's own tables (its CDR table among them) in each region, as a region's database has them.
    await Promise.all([eu, us].map((c) => c.sql(PBX_SCHEMA)));
    const euSip = await startSipp({ scenario: 'region-uas.xml' });
    const usSip = await startSipp({ scenario: 'region-uas.xml' });
    const g = await startGeored(
      [
        FAST_HEALTH,
        '    data_replication:',
        '      enabled: true',
        '      data_types: [cdr]',
        // The status is what the last verification saw: one a second, so the test sees the copy finish.
        '      sync_interval: 1',
        '      cdr: { target_regions: [us-east-1], realtime: true, geo_calls: true }',
        '    regions:',
        ...regionLines('eu-west-1', 1, euSip.port, [
          `        database: ${eu.url}`,
          '        jurisdiction: eu',
        ]),
        ...regionLines('us-east-1', 2, usSip.port, [
          `        database: ${us.url}`,
          '        jurisdiction: us',
        ]),
      ],
      ['server:', `  store: "${store.url}"`],
      { GEORED_STORE: store.url },
    );

    // The replication geored set up at start: the store publishes geo_calls to us-east-1, ready.
    const path = `${GEO}/replication/status`;
    let last: Status | undefined;
    await until(
      async () => {
        const s = (last = await get<Status>(g, path));
        return s.tables.some(
          (t) =>
            t.publisher === 'geored-store' &&
            t.region === 'us-east-1' &&
            t.table === 'public.geo_calls' &&
            t.state === 'ready',
        );
      },
      'geo_calls ready in us-east-1',
      60_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last status: ${JSON.stringify(last)}\n${g.output().slice(-4000)}`);
    });
    const status = await get<Status>(g, path);
    expect(status.refusals).toEqual([]);
    expect(status.reason).toContain(
      "geored's call records (public.geo_calls) go from its store to us-east-1",
    );
    expect(status.channels).toContainEqual(
      expect.objectContaining({
        publisher: 'geored-store',
        subscriber: 'us-east-1',
        subscription: 'streaming',
      }),
    );
    // The copy was taken before any call: what arrives next arrives by streaming.
    expect(await us.sql('SELECT COUNT(*)::int AS n FROM geo_calls')).toEqual([{ n: 0 }]);

    const run = await runUac('pbx-uac.xml', g.sipPort, CALLS, CALLS);
    expect(run.code, `${run.output}\n${g.output().slice(-4000)}`).toBe(0);
    expect(run.successful).toBe(CALLS);
    await until(
      async () => (await calls(g)).filter((c) => c.ended_at !== null).length === CALLS,
      'every call record ended in geored',
    );
    const recorded = (await calls(g)).map((c) => c.call_id).sort();
    expect(recorded).toHaveLength(CALLS);
    expect(new Set(recorded).size).toBe(CALLS);

    const replicated = async () =>
      (
        await us.sql(
          'SELECT call_id FROM geo_calls WHERE ended_at IS NOT NULL AND final_status = 200 ORDER BY call_id',
        )
      ).map((r) => String(r.call_id));
    await until(
      async () => (await replicated()).length === CALLS,
      "the ended calls in us-east-1's geo_calls",
      30_000,
    );
    expect(await replicated()).toEqual(recorded);
    // Each row as geored recorded it: the region that carried the call, and its home for residency.
    const rows = await us.sql('SELECT call_id, region, home_region FROM geo_calls ORDER BY call_id');
    expect(rows).toEqual(
      recorded.map((id) => ({ call_id: id, region: 'eu-west-1', home_region: 'eu-west-1' })),
    );
    // eu-west-1 is no CDR target: it never got the table, let alone the rows.
    expect(await eu.sql("SELECT to_regclass('public.geo_calls') IS NULL AS absent")).toEqual([
      { absent: true },
    ]);
    // PostgreSQL did the copying: the rows came through the store's slot towards us-east-1.
    expect(
      await store.sql(
        "SELECT slot_name, active FROM pg_replication_slots WHERE slot_name = 'geored_geored_store_to_us_east_1'",
      ),
    ).toEqual([{ slot_name: 'geored_geored_store_to_us_east_1', active: true }]);
  }, 180_000);
});
