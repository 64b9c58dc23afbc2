import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GeoredError } from '../../src/errors/catalogue';
import { openLiveState, type LiveChange, type LiveState } from '../../src/live';
import { HealthState } from '../../src/model/health-state';
import { SHARED_REDIS_URL, dropPrefix, uniquePrefix } from './helpers/shared-redis';
import { waitForEvent } from './helpers/wait';

/** One contract, two backends: whatever the engine relies on must hold for memory and Redis alike. */
const backends = [
  { backend: 'memory' as const, redisUrl: undefined },
  { backend: 'redis' as const, redisUrl: SHARED_REDIS_URL },
];

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((e: unknown) => e instanceof GeoredError && e.code === code);
}

describe.each(backends)('LiveState contract ($backend)', ({ backend, redisUrl }) => {
  let live: LiveState;
  let prefix: string;
  let changes: LiveChange[];

  beforeEach(async () => {
    prefix = uniquePrefix();
    live = await openLiveState({ redisUrl, instanceId: 'contract-a', keyPrefix: prefix });
    changes = [];
    live.onChange((c) => changes.push(c));
  });

  afterEach(async () => {
    await live.close();
    if (redisUrl) await dropPrefix(prefix);
  });

  it('reports its backend, connected', () => {
    expect(live.status()).toMatchObject({ backend, connected: true });
  });

  it('has no active region until one is set, then reads it synchronously', async () => {
    expect(live.getActive()).toBeNull();
    const set = await live.setActive('us-east-1', { reason: 'initial' });
    expect(set).toMatchObject({ name: 'us-east-1', reason: 'initial', updatedBy: 'contract-a' });
    expect(set.version).toBeGreaterThan(0);
    expect(live.getActive()).toEqual(set);
  });

  it('keeps activeSince when the same region is re-asserted and resets it on a switch', async () => {
    const first = await live.setActive('us-east-1', { reason: 'initial' });
    const again = await live.setActive('us-east-1', { reason: 'still best' });
    expect(again.activeSince).toBe(first.activeSince);
    expect(again.reason).toBe('still best');
    expect(again.version).toBeGreaterThan(first.version);
    await new Promise((r) => setTimeout(r, 5));
    const switched = await live.setActive('us-west-2', { reason: 'primary down' });
    expect(switched.activeSince).toBeGreaterThan(first.activeSince);
    expect(switched.version).toBeGreaterThan(again.version);
  });

  it('compare-and-sets the active region on expectedVersion', async () => {
    const first = await live.setActive('us-east-1', { reason: 'initial', expectedVersion: 0 });
    const second = await live.setActive('us-west-2', { reason: 'failover', expectedVersion: first.version });
    await expectCode(
      live.setActive('eu-west-1', { reason: 'stale decision', expectedVersion: first.version }),
      'LIVE_VERSION_CONFLICT',
    );
    await expectCode(
      live.setActive('eu-west-1', { reason: 'thinks none', expectedVersion: 0 }),
      'LIVE_VERSION_CONFLICT',
    );
    expect(live.getActive()).toEqual(second);
  });

  it('creates a region on its first health patch and merges later patches', async () => {
    const created = await live.setRegionHealth('us-east-1', {
      state: HealthState.CRITICAL,
      reason: 'OPTIONS timeout',
      firstFailureAt: 1000,
      lastCheck: 1000,
    });
    expect(created).toMatchObject({
      name: 'us-east-1',
      state: HealthState.CRITICAL,
      reason: 'OPTIONS timeout',
      score: 1,
      firstFailureAt: 1000,
      healthySince: null,
      registration: 'unregistered',
    });
    const patched = await live.setRegionHealth('us-east-1', { score: 0.25, registration: 'failed' });
    expect(patched).toMatchObject({ state: HealthState.CRITICAL, firstFailureAt: 1000, score: 0.25 });
    expect(patched.registration).toBe('failed');
    expect(patched.version).toBeGreaterThan(created.version);
    const cleared = await live.setRegionHealth('us-east-1', {
      state: HealthState.HEALTHY,
      firstFailureAt: null,
    });
    expect(cleared.firstFailureAt).toBeNull();
    expect(live.getRegion('us-east-1')).toEqual(cleared);
    expect(live.getRegion('nowhere')).toBeNull();
  });

  it('lists regions by name and forgets removed ones', async () => {
    await live.setRegionHealth('us-west-2', { state: HealthState.HEALTHY });
    await live.setRegionHealth('eu-west-1', { state: HealthState.DOWN, reason: 'gone' });
    await live.setRegionHealth('us-east-1', { state: HealthState.WARNING });
    expect(live.listRegions().map((r) => r.name)).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);

    expect(await live.removeRegion('eu-west-1')).toBe(true);
    expect(await live.removeRegion('eu-west-1')).toBe(false);
    expect(live.getRegion('eu-west-1')).toBeNull();
    expect(live.listRegions().map((r) => r.name)).toEqual(['us-east-1', 'us-west-2']);

    // Coming back after removal starts afresh, not from the removed record.
    const back = await live.setRegionHealth('eu-west-1', { score: 0.5 });
    expect(back).toMatchObject({ state: HealthState.HEALTHY, reason: '', score: 0.5 });
  });

  it('records simulated failures and lists only those still running', async () => {
    const now = Date.now();
    await live.setSimulation('us-east-1', now + 60_000);
    await live.setSimulation('us-west-2', now - 1);
    expect(live.getSimulation('us-east-1')?.until).toBe(now + 60_000);
    expect(live.listSimulations(now).map((s) => s.region)).toEqual(['us-east-1']);
    const ended = await live.setSimulation('us-east-1', null);
    expect(ended.until).toBeNull();
    expect(live.listSimulations(now)).toEqual([]);
  });

  it('counts', async () => {
    expect(live.getCounter('calls:us-east-1')).toBe(0);
    expect(await live.incr('calls:us-east-1')).toBe(1);
    expect(await live.incr('calls:us-east-1', 4)).toBe(5);
    await live.incr('failovers');
    expect(live.getCounter('calls:us-east-1')).toBe(5);
    expect(live.listCounters()).toEqual({ 'calls:us-east-1': 5, failovers: 1 });
    await expectCode(live.incr('failovers', 0.5), 'LIVE_BAD_COUNT');
    expect(live.getCounter('failovers')).toBe(1);
  });

  it('tells listeners about every local change, until they unsubscribe', async () => {
    const previous = await live.setActive('us-east-1', { reason: 'initial' });
    await live.setActive('us-west-2', { reason: 'failover' });
    await live.setRegionHealth('us-east-1', { state: HealthState.DOWN });
    await live.setSimulation('us-east-1', Date.now() + 1000);
    await live.incr('failovers');
    await live.removeRegion('us-east-1');
    const own = changes.filter((c) => c.kind !== 'connection' && c.kind !== 'resync');
    expect(own.map((c) => c.kind)).toEqual([
      'active-region',
      'active-region',
      'region-health',
      'simulation',
      'counter',
      'region-removed',
    ]);
    expect(own[1]).toMatchObject({
      kind: 'active-region',
      origin: 'local',
      previous,
      active: { name: 'us-west-2' },
    });

    const seen: LiveChange[] = [];
    const unsubscribe = live.onChange((c) => seen.push(c));
    unsubscribe();
    await live.incr('failovers');
    expect(seen).toEqual([]);
  });

  it('keeps telling the other listeners when one throws', async () => {
    live.onChange(() => {
      throw new Error('listener bug');
    });
    const after: LiveChange[] = [];
    live.onChange((c) => after.push(c));
    await live.setActive('us-east-1', { reason: 'initial' });
    expect(after.map((c) => c.kind)).toEqual(['active-region']);
  });

  it('elects this instance leader when it runs alone, until it releases', async () => {
    const handle = live.runForLeader('probes', 3_000);
    await waitForEvent((done) => (handle.isLeader ? done() : handle.on('elected', done)), 'election');
    expect(handle.isLeader).toBe(true);
    expect(live.status().leader).toBe(true);
    let lost = false;
    handle.on('lost', () => (lost = true));
    await handle.release();
    expect(handle.isLeader).toBe(false);
    expect(lost).toBe(true);
    expect(live.status().leader).toBe(false);
  });

  it('refuses bad names and writes after close', async () => {
    await expectCode(live.setActive('', { reason: 'x' }), 'LIVE_BAD_NAME');
    await expectCode(live.setRegionHealth('bad\nname', {}), 'LIVE_BAD_NAME');
    await live.close();
    await expectCode(live.setActive('us-east-1', { reason: 'x' }), 'LIVE_CLOSED');
    await expectCode(live.incr('calls'), 'LIVE_CLOSED');
  });
});
