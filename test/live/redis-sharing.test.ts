import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { GeoredError } from '../../src/errors/catalogue';
import type { RedisLiveState } from '../../src/live';
import { openLiveState, type LiveChange, type LiveState } from '../../src/live';
import { HealthState } from '../../src/model/health-state';
import { SHARED_REDIS_URL, dropPrefix, uniquePrefix } from './helpers/shared-redis';
import { waitFor } from './helpers/wait';

/** Two (or more) instances sharing the real Redis at 127.0.0.1:6379, each test under its own key prefix. */
describe('RedisLiveState shared by several instances', () => {
  const opened: LiveState[] = [];
  const prefixes: string[] = [];

  async function pair(prefix = uniquePrefix()): Promise<[LiveState, LiveState, string]> {
    prefixes.push(prefix);
    const a = await openLiveState({ redisUrl: SHARED_REDIS_URL, instanceId: 'inst-a', keyPrefix: prefix });
    const b = await openLiveState({ redisUrl: SHARED_REDIS_URL, instanceId: 'inst-b', keyPrefix: prefix });
    opened.push(a, b);
    return [a, b, prefix];
  }

  afterEach(async () => {
    for (const live of opened.splice(0)) await live.close();
    for (const prefix of prefixes.splice(0)) await dropPrefix(prefix);
  });

  it('applies a failover made by one instance on the other, as a remote change', async ({ annotate }) => {
    const [a, b] = await pair();
    const seenByB: LiveChange[] = [];
    b.onChange((c) => seenByB.push(c));

    const delays: number[] = [];
    for (const [i, target] of ['us-east-1', 'us-west-2', 'eu-west-1'].entries()) {
      // Measured from the call, so it includes A's own round trip to Redis.
      const start = performance.now();
      const written = await a.setActive(target, { reason: `switch ${i}` });
      await waitFor(() => b.getActive()?.version === written.version, `B to see ${target}`);
      delays.push(performance.now() - start);
      expect(b.getActive()).toEqual(written);
    }
    await annotate(`active-region propagation A→B (ms): ${delays.map((d) => d.toFixed(2)).join(', ')}`);
    const remote = seenByB.filter((c) => c.kind === 'active-region');
    expect(remote.map((c) => c.kind === 'active-region' && [c.active.name, c.origin])).toEqual([
      ['us-east-1', 'remote'],
      ['us-west-2', 'remote'],
      ['eu-west-1', 'remote'],
    ]);
  });

  it('shares health, simulations, removals and counters', async () => {
    const [a, b] = await pair();
    await a.setRegionHealth('us-east-1', { state: HealthState.DOWN, reason: '3 OPTIONS timeouts' });
    await b.setRegionHealth('us-east-1', { registration: 'failed' });
    await waitFor(() => a.getRegion('us-east-1')?.registration === 'failed', 'A to see B patch');
    // Both patches landed on one record: field-wise merge in Redis, not last-writer-wins on the whole.
    expect(a.getRegion('us-east-1')).toMatchObject({ state: HealthState.DOWN, registration: 'failed' });
    expect(b.getRegion('us-east-1')).toEqual(a.getRegion('us-east-1'));

    const until = Date.now() + 60_000;
    await b.setSimulation('us-west-2', until);
    await waitFor(() => a.getSimulation('us-west-2')?.until === until, 'A to see the simulation');

    await Promise.all([a.incr('calls:us-east-1', 2), b.incr('calls:us-east-1', 3)]);
    await waitFor(
      () => a.getCounter('calls:us-east-1') === 5 && b.getCounter('calls:us-east-1') === 5,
      'both to count 5',
    );

    await a.removeRegion('us-east-1');
    await waitFor(() => b.getRegion('us-east-1') === null, 'B to forget the region');
  });

  it('loads what is already shared when an instance starts', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const a = await openLiveState({ redisUrl: SHARED_REDIS_URL, instanceId: 'early', keyPrefix: prefix });
    opened.push(a);
    await a.setActive('us-west-2', { reason: 'manual' });
    await a.setRegionHealth('us-west-2', { score: 0.9 });
    await a.incr('failovers', 7);

    const late = await openLiveState({ redisUrl: SHARED_REDIS_URL, instanceId: 'late', keyPrefix: prefix });
    opened.push(late);
    expect(late.getActive()).toEqual(a.getActive());
    expect(late.getRegion('us-west-2')?.score).toBe(0.9);
    expect(late.getCounter('failovers')).toBe(7);
  });

  it('lets only one of two concurrent compare-and-set failovers through', async () => {
    const [a, b] = await pair();
    const base = await a.setActive('us-east-1', { reason: 'initial' });
    await waitFor(() => b.getActive()?.version === base.version, 'B to see the initial region');

    const results = await Promise.allSettled([
      a.setActive('us-west-2', { reason: 'A decided', expectedVersion: base.version }),
      b.setActive('eu-west-1', { reason: 'B decided', expectedVersion: base.version }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const reason = (lost[0] as PromiseRejectedResult).reason as unknown;
    expect(reason instanceof GeoredError && reason.code).toBe('LIVE_VERSION_CONFLICT');
    const winner = (won[0] as PromiseFulfilledResult<{ version: number }>).value;
    await waitFor(
      () => a.getActive()?.version === winner.version && b.getActive()?.version === winner.version,
      'both to agree on the winner',
    );
  });

  it('never lets a stale published version overwrite a newer one', async () => {
    const [a, , prefix] = await pair();
    const current = await a.setActive('us-west-2', { reason: 'failover' });
    const publisher = new Redis(SHARED_REDIS_URL);
    try {
      const record = (name: string, version: number) => ({
        r: 'active',
        f: ['name', name, 'activeSince', '1', 'reason', 'replayed', 'version', String(version)].concat([
          'updatedAt',
          '1',
          'updatedBy',
          'inst-old',
        ]),
      });
      // A late or replayed message from before the failover...
      await publisher.publish(`${prefix}changes`, JSON.stringify(record('us-east-1', current.version - 1)));
      // ...and a newer one after it; messages arrive in order, so once this one is seen the stale one was too.
      await publisher.publish(`${prefix}changes`, JSON.stringify(record('eu-west-1', current.version + 1)));
      await waitFor(() => a.getActive()?.name === 'eu-west-1', 'the newer message');
      await publisher.publish(`${prefix}changes`, JSON.stringify(record('us-east-1', current.version)));
      await publisher.publish(`${prefix}changes`, JSON.stringify(record('ap-south-1', current.version + 2)));
      await waitFor(() => a.getActive()?.name === 'ap-south-1', 'the last message');
      expect(a.getActive()?.version).toBe(current.version + 2);
    } finally {
      publisher.disconnect();
    }
  });

  it('elects exactly one leader of two', async () => {
    const [a, b] = await pair();
    const ttl = 900;
    const la = a.runForLeader('probes', ttl);
    const lb = b.runForLeader('probes', ttl);
    await waitFor(() => la.isLeader || lb.isLeader, 'a leader');
    // Watch several renewal periods: leadership must neither double nor lapse.
    let both = 0;
    let none = 0;
    const until = Date.now() + 3 * ttl;
    while (Date.now() < until) {
      if (la.isLeader && lb.isLeader) both++;
      if (!la.isLeader && !lb.isLeader) none++;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect({ both, none }).toEqual({ both: 0, none: 0 });
    expect(a.status().leader).toBe(la.isLeader);
    expect(b.status().leader).toBe(lb.isLeader);
  });

  it('hands leadership over within the TTL when the leader dies without releasing', async ({ annotate }) => {
    const [a, b] = await pair();
    const ttl = 1_500;
    const la = a.runForLeader('probes', ttl);
    await waitFor(() => la.isLeader, 'A to lead');
    const lb = b.runForLeader('probes', ttl);
    let elected = 0;
    lb.on('elected', () => elected++);

    (a as RedisLiveState).abandon();
    const takeover = await waitFor(() => lb.isLeader, 'B to take over', 10 * ttl);
    await annotate(`leader takeover after death (ms): ${takeover.toFixed(0)} with ttl ${ttl}`);
    expect(elected).toBe(1);
    expect(b.status().leader).toBe(true);
  });

  it('hands leadership over at once when the leader releases', async () => {
    const [a, b] = await pair();
    const la = a.runForLeader('probes', 2_000);
    await waitFor(() => la.isLeader, 'A to lead');
    const lb = b.runForLeader('probes', 2_000);
    await la.release();
    await waitFor(() => lb.isLeader, 'B to take over');
    expect(la.isLeader).toBe(false);
  });
});
