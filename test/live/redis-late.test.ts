import { afterAll, describe, expect, it } from 'vitest';
import { GeoredError } from '../../src/errors/catalogue';
import { openLiveState, redactRedisUrl, type LiveChange, type LiveState } from '../../src/live';
import { PrivateRedis } from './helpers/private-redis';
import { waitFor } from './helpers/wait';

describe('RedisLiveState started before its Redis', () => {
  let redis: PrivateRedis | undefined;
  let live: LiveState | undefined;

  afterAll(async () => {
    await live?.close();
    await redis?.kill();
  });

  it('starts disconnected, works locally, and pushes everything once Redis appears', async () => {
    redis = await PrivateRedis.reserve('late-pw');
    live = await openLiveState({ redisUrl: redis.url, instanceId: 'early-bird', connectWaitMs: 300 });
    const changes: LiveChange[] = [];
    live.onChange((c) => changes.push(c));
    expect(live.status()).toMatchObject({ backend: 'redis', connected: false });

    const handle = live.runForLeader('probes', 1_000);
    await waitFor(() => handle.isLeader, 'leadership while Redis is unreachable');
    await live.setActive('us-east-1', { reason: 'config default' });
    await live.incr('calls', 4);

    await redis.restart();
    await waitFor(() => live?.status().connected === true, 'the first sync', 20_000);
    expect(changes.some((c) => c.kind === 'resync' && c.pushed >= 2)).toBe(true);

    // A newcomer finds what was done before Redis existed.
    const other = await openLiveState({ redisUrl: redis.url, instanceId: 'newcomer' });
    try {
      expect(other.getActive()?.name).toBe('us-east-1');
      expect(other.getCounter('calls')).toBe(4);
      const lock = other.runForLeader('probes', 1_000);
      await waitFor(() => handle.isLeader !== lock.isLeader, 'exactly one leader');
      // The one acting alone during the outage must step down if it lost the lock, not keep leading.
      const until = Date.now() + 1_000;
      let doubled = 0;
      while (Date.now() < until) {
        if (handle.isLeader && lock.isLeader) doubled++;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(doubled).toBe(0);
    } finally {
      await other.close();
    }
  });
});

describe('openLiveState options', () => {
  it('refuses a URL that is not redis://, without echoing its password', async () => {
    const attempt = openLiveState({ redisUrl: 'http://user:hunter2@example.com', instanceId: 'x' });
    await expect(attempt).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof GeoredError && e.code === 'LIVE_BAD_REDIS_URL' && !e.message.includes('hunter2'),
    );
  });

  it('redacts passwords from Redis URLs', () => {
    expect(redactRedisUrl('redis://:s3cret@10.0.0.1:6379/2')).toBe('redis://:***@10.0.0.1:6379/2');
    expect(redactRedisUrl('rediss://admin:s3cret@cache:6380')).toBe('rediss://admin:***@cache:6380');
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactRedisUrl('not a url :s3cret@')).not.toContain('s3cret');
  });

  it('is in memory without a URL', async () => {
    const live = await openLiveState({ instanceId: 'solo' });
    expect(live.status()).toMatchObject({ backend: 'memory', connected: true, leader: false });
    await live.close();
  });
});
