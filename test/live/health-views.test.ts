import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeView, encodeView } from '../../src/live/health-views';
import { openLiveState, type HealthViewInput, type LiveState } from '../../src/live';
import { HealthState } from '../../src/model/health-state';
import { SHARED_REDIS_URL, dropPrefix, uniquePrefix } from './helpers/shared-redis';

function input(region: string, state: HealthState, checkedAt: number | null = Date.now()): HealthViewInput {
  return {
    region,
    state,
    reason: `${region} is ${state}`,
    checkedAt,
    score: 1,
    firstFailureAt: null,
    healthySince: null,
  };
}

const opened: LiveState[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  for (const l of opened.splice(0)) await l.close();
  for (const p of prefixes.splice(0)) await dropPrefix(p);
});

async function open(instanceId: string, redisUrl: string | undefined, prefix: string): Promise<LiveState> {
  const live = await openLiveState({ redisUrl, instanceId, keyPrefix: prefix });
  opened.push(live);
  return live;
}

describe.each([
  { backend: 'memory', redisUrl: undefined },
  { backend: 'redis', redisUrl: SHARED_REDIS_URL },
])('health views ($backend)', ({ redisUrl }) => {
  it("lists this instance's own views, one per region, the latest publication winning", async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const live = await open('a', redisUrl, prefix);
    await live.publishHealthView(input('us-east-1', HealthState.HEALTHY), 60_000);
    await live.publishHealthView(input('us-east-1', HealthState.DOWN), 60_000);
    await live.publishHealthView(input('eu-west-1', HealthState.WARNING), 60_000);
    const views = (await live.listHealthViews()).sort((x, y) => (x.region < y.region ? -1 : 1));
    expect(views.map((v) => [v.region, v.instance, v.state])).toEqual([
      ['eu-west-1', 'a', HealthState.WARNING],
      ['us-east-1', 'a', HealthState.DOWN],
    ]);
    await live.removeHealthViews('us-east-1');
    expect((await live.listHealthViews()).map((v) => v.region)).toEqual(['eu-west-1']);
  });

  it('drops a view once its TTL has passed', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const live = await open('a', redisUrl, prefix);
    await live.publishHealthView(input('us-east-1', HealthState.DOWN), 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(await live.listHealthViews()).toEqual([]);
  });

  it('refuses a region name live state would refuse, and publishes nothing', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const live = await open('a', redisUrl, prefix);
    await expect(live.publishHealthView(input('', HealthState.DOWN), 60_000)).rejects.toThrow();
    expect(await live.listHealthViews()).toEqual([]);
  });
});

describe('health views shared through Redis', () => {
  it("every instance reads every instance's view; a dead instance's view expires and is deleted", async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const a = await open('a', SHARED_REDIS_URL, prefix);
    const b = await open('b', SHARED_REDIS_URL, prefix);
    await a.publishHealthView(input('us-east-1', HealthState.HEALTHY), 60_000);
    await b.publishHealthView(input('us-east-1', HealthState.DOWN), 200);
    const seenByA = (await a.listHealthViews()).map((v) => `${v.instance}:${v.state}`).sort();
    expect(seenByA).toEqual(['a:healthy', 'b:down']);
    await new Promise((r) => setTimeout(r, 250));
    expect((await a.listHealthViews()).map((v) => v.instance)).toEqual(['a']);
    const raw = new Redis(SHARED_REDIS_URL);
    try {
      expect(await raw.hkeys(`${prefix}health-views`)).toEqual(['us-east-1 a']);
      // A value that is not a view (another version, corruption) is ignored and deleted, never trusted.
      await raw.hset(`${prefix}health-views`, 'us-east-1 x', '{"region":"us-east-1","state":"fine"}');
      expect((await b.listHealthViews()).map((v) => v.instance)).toEqual(['a']);
      expect(await raw.hkeys(`${prefix}health-views`)).toEqual(['us-east-1 a']);
    } finally {
      raw.disconnect();
    }
  });

  it('decodes what it encodes, with the expiry', () => {
    const view = { ...input('us-east-1', HealthState.CRITICAL, 5), instance: 'a', publishedAt: 10 };
    expect(decodeView(encodeView(view, 90))).toEqual({ view, expiresAt: 100 });
    expect(decodeView('not json')).toBeNull();
    expect(decodeView(JSON.stringify({ ...view, checkedAt: 'soon', expiresAt: 1 }))).toBeNull();
  });
});
