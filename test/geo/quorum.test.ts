/**
 * Health seen from more than one place: three services sharing a real Redis (unique key prefix) and one
 * PostgreSQL store, each probing through its own controlled check (its own "network path"). One instance
 * losing the active region moves nothing; two of three do fail over, and the history says by what quorum.
 * A stopped instance's view stops counting. Never a timing assertion: every wait is bounded, and "nothing
 * happened" is asserted after the leader has decided on the state that could have moved it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GeographicRedundancy } from '../../src/geo/service';
import { dropPrefix, SHARED_REDIS_URL, uniquePrefix } from '../live/helpers/shared-redis';
import type { TestDatabase } from '../store/databases';
import {
  CONTROLLED_HEALTH,
  TWO_REGIONS as REGIONS,
  configOf,
  newDatabase,
  openService,
  until,
} from './harness';

let db: TestDatabase | undefined;
let prefix = '';
const services: GeographicRedundancy[] = [];

afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  await dropPrefix(prefix);
  await db?.drop();
  db = undefined;
});

type Path = Map<string, boolean>;

describe('health quorum over three instances sharing Redis', () => {
  it("one instance's broken path moves nothing; two of three fail over, naming the quorum", async () => {
    db = await newDatabase('postgres');
    prefix = uniquePrefix();
    const config = configOf(db.url, [...CONTROLLED_HEALTH, ...REGIONS], [`  redis: "${SHARED_REDIS_URL}"`]);
    const paths: Record<'a' | 'b' | 'c', Path> = { a: new Map(), b: new Map(), c: new Map() };
    const byName: Record<string, GeographicRedundancy> = {};
    for (const id of ['a', 'b', 'c'] as const) {
      const s = await openService({
        config,
        controlled: paths[id],
        keyPrefix: prefix,
        instanceId: `q-${id}`,
        leaderTtlMs: 1500,
      });
      services.push(s);
      byName[id] = s;
    }
    const all = Object.values(byName);
    await until(() => all.filter((s) => s.isLeader).length === 1, 'exactly one leader');
    const leader = all.find((s) => s.isLeader)!;
    await until(() => all.every((s) => s.getActiveRegion()?.name === 'us-east-1'), 'us-east-1 active on all');
    const countedViews = (s: GeographicRedundancy) =>
      s.getRegionHealth('us-east-1').views.filter((v) => v.counted);
    await until(
      () => all.every((s) => countedViews(s).length === 3),
      'three fresh views seen by every instance',
    );
    expect(leader.getRegionHealth('us-east-1').quorum).toMatchObject({
      setting: 'majority',
      required: 2,
      fresh: 3,
      state: 'healthy',
      shared: true,
    });

    // One instance loses its path to us-east-1: its own view goes DOWN, the agreed state does not.
    paths.b.set('us-east-1', false);
    await until(
      () => countedViews(leader).some((v) => v.instance === 'q-b' && v.state === 'down'),
      "the leader counting q-b's DOWN view",
    );
    const counted = leader.getRegionHealth('us-east-1');
    expect(counted.quorum.reason).toBe(
      "us-east-1 is HEALTHY, not DOWN: only 1 of 3 instances sees it DOWN (quorum 2); instance q-b's own path may be broken",
    );
    // The failover loop decides after that count (its tick), and stays.
    const countedAt = Date.now();
    await until(
      () => Date.parse(leader.getFailoverDecision().decision?.decided_at ?? '') > countedAt + 100,
      'a failover decision after the count',
    );
    for (const s of all) {
      expect(s.getActiveRegion()?.name).toBe('us-east-1');
      expect(s.getRegionHealth('us-east-1').state).toBe('healthy');
    }
    expect(leader.getFailoverDecision().decision?.kind).toBe('stay');
    expect(await leader.getFailoverHistory()).toEqual([]);
    // Every instance shows every view (here q-b's own reason, from its own probes).
    const seenByA = byName.a!.getRegionHealth('us-east-1').views.find((v) => v.instance === 'q-b');
    expect(seenByA).toMatchObject({ state: 'down', counted: true });

    // A second instance loses it: two of three, a quorum, so everyone fails over.
    paths.c.set('us-east-1', false);
    await until(
      () => all.every((s) => s.getActiveRegion()?.name === 'us-west-1'),
      'failover to us-west-1 on all',
    );
    // The live switch is seen before its history row is written: wait for the row.
    await until(async () => (await leader.getFailoverHistory()).length > 0, 'the failover recorded');
    const [row] = await leader.getFailoverHistory();
    expect(row).toMatchObject({ from_region: 'us-east-1', to_region: 'us-west-1', automatic: true });
    expect(row!.reason).toMatch(/; 2 of 3 instances see us-east-1 DOWN \(quorum 2\)$/);
    for (const s of all) {
      const h = s.getRegionHealth('us-east-1');
      expect(h.state).toBe('down');
      expect(h.reason).toMatch(/^us-east-1 is DOWN: 2 of 3 instances see it DOWN \(quorum 2\): /);
    }
    const events = await leader.store.listEvents({ kind: 'health-change', region: 'us-east-1', limit: 10 });
    expect(events.map((e) => e.reason)).toContainEqual(
      expect.stringMatching(/^us-east-1 is DOWN: 2 of 3 instances see it DOWN \(quorum 2\)/),
    );
    const metrics = await leader.metrics.registry.metrics();
    expect(metrics).toContain('geored_region_health_views{region="us-east-1",state="down"} 2');
    expect(metrics).toContain('geored_region_health_views{region="us-east-1",state="healthy"} 1');
    expect(metrics).toContain('geored_region_health_quorum{region="us-east-1"} 2');

    // A stopped instance's view goes stale and stops counting: the two left decide (majority of 2 = 2).
    const follower = all.find((s) => s !== leader && s !== byName.a)!;
    await follower.stop();
    services.splice(services.indexOf(follower), 1);
    await until(
      () => leader.getRegionHealth('us-east-1').quorum.fresh === 2,
      "the stopped instance's view no longer counted",
      20_000,
    );
    expect(leader.getRegionHealth('us-east-1').quorum.required).toBe(2);

    // A removed region's views go with it, from every instance (none is left in Redis).
    await leader.registerRegion({
      name: 'eu-west-1',
      trunk_id: 'trunk-eu-west',
      sip_server: 'sip.eu-west.provider.com',
      priority: 3,
    });
    const viewKeys = async () =>
      (await leader.live.listHealthViews()).filter((v) => v.region === 'eu-west-1').map((v) => v.instance);
    await until(async () => (await viewKeys()).length === 2, 'both instances publishing a view of eu-west-1');
    await leader.removeRegion('eu-west-1');
    await until(async () => (await viewKeys()).length === 0, 'no view of eu-west-1 left');
  }, 90_000);
});
