/**
 * Two services sharing a real Redis (unique key prefix) and one store: an operator's failover on one is
 * applied by the other, both probe (each publishes its own view; the leader writes what they agree on), and
 * when the leader stops the other takes over.
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

describe('two instances sharing Redis', () => {
  it('share the active region, both probe, and hand over when the leader stops', async () => {
    db = await newDatabase('postgres');
    prefix = uniquePrefix();
    const config = configOf(db.url, [...CONTROLLED_HEALTH, ...REGIONS], [`  redis: "${SHARED_REDIS_URL}"`]);
    const health = new Map<string, boolean>();
    const probes = { a: 0, b: 0 };
    const a = await openService({
      config,
      controlled: health,
      keyPrefix: prefix,
      instanceId: 'geo-a',
      leaderTtlMs: 1500,
      onProbe: () => probes.a++,
    });
    services.push(a);
    const b = await openService({
      config,
      controlled: health,
      keyPrefix: prefix,
      instanceId: 'geo-b',
      leaderTtlMs: 1500,
      onProbe: () => probes.b++,
    });
    services.push(b);

    await until(() => a.isLeader !== b.isLeader, 'exactly one leader');
    const [leader, follower, leaderKey, followerKey] = a.isLeader
      ? ([a, b, 'a', 'b'] as const)
      : ([b, a, 'b', 'a'] as const);
    await until(() => probes[leaderKey] > 5, 'the leader probing');
    await until(() => probes[followerKey] > 5, 'the follower probing too (its own view)');
    await until(
      () => follower.getActiveRegion()?.name === 'us-east-1',
      'the follower sees the active region',
    );

    // An operator's failover on the follower reaches the leader.
    let seenAt = 0;
    const off = leader.live.onChange((c) => {
      if (c.kind === 'active-region' && c.origin === 'remote' && c.active.name === 'us-west-1')
        seenAt = performance.now();
    });
    const asked = performance.now();
    const done = await follower.manualFailover({
      target_region: 'us-west-1',
      reason: 'drill',
      initiated_by: 'ops',
    });
    expect(done.success).toBe(true);
    await until(() => leader.getActiveRegion()?.name === 'us-west-1', 'the leader applying it', 5000);
    off();
    expect(seenAt).toBeGreaterThan(0);
    process.stdout.write(
      `manual failover asked on the follower, applied on the leader after ${(seenAt - asked).toFixed(1)} ms\n`,
    );
    // ...and the leader keeps it (it read the operator's pin) rather than failing back at once.
    await new Promise((r) => setTimeout(r, 500));
    expect(leader.getActiveRegion()?.name).toBe('us-west-1');

    // Health decided by the leader is what the follower shows and routes on.
    health.set('us-west-1', false);
    await until(
      () => follower.getRegionHealth('us-west-1').state === 'down',
      'the follower seeing us-west-1 DOWN',
    );
    await until(
      () => follower.getActiveRegion()?.name === 'us-east-1',
      'the leader failing over, seen by the follower',
    );

    // A region registered on one instance is known (and probed) by the other through the shared store.
    await follower.registerRegion({
      name: 'eu-west-1',
      trunk_id: 'trunk-eu-west',
      sip_server: 'sip.eu-west.provider.com',
      priority: 3,
    });
    await until(() => leader.getRegion('eu-west-1')?.origin === 'api', 'the leader knowing eu-west-1');
    await until(
      () => follower.getRegionHealth('eu-west-1').last_check !== null,
      'eu-west-1 probed by the leader',
    );

    // The leader stops: the follower takes over the probes.
    const before = probes[followerKey];
    await leader.stop();
    await until(() => follower.isLeader, 'the follower elected', 10_000);
    await until(() => probes[followerKey] > before + 3, 'the new leader probing');
  }, 60_000);
});
