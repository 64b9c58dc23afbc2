import { afterEach, describe, expect, it } from 'vitest';
import { openLiveState, type LiveSignal, type LiveState } from '../../src/live';
import { PrivateRedis } from './helpers/private-redis';
import { SHARED_REDIS_URL, dropPrefix, uniquePrefix } from './helpers/shared-redis';
import { waitFor } from './helpers/wait';

/** Signals: fire-and-forget messages between instances, heard by the others, dropped (and counted) offline. */
const opened: LiveState[] = [];
let prefix = '';
let privateRedis: PrivateRedis | undefined;

afterEach(async () => {
  for (const live of opened.splice(0)) await live.close();
  if (prefix) await dropPrefix(prefix);
  prefix = '';
  await privateRedis?.kill();
  privateRedis = undefined;
});

async function open(redisUrl: string | undefined, instanceId: string): Promise<LiveState> {
  const live = await openLiveState({ redisUrl, instanceId, keyPrefix: prefix });
  opened.push(live);
  return live;
}

describe('live signals', () => {
  it('memory: nobody else to tell, so publishing says so and nothing is heard', async () => {
    const live = await open(undefined, 'mem-a');
    const heard: LiveSignal[] = [];
    live.onSignal((s) => heard.push(s));
    expect(live.publishSignal('kind', { x: 1 })).toBe(false);
    expect(heard).toEqual([]);
    expect(live.status().signalsDropped).toBe(0);
  });

  it('redis: the other instance hears a signal, the sender does not hear its own', async () => {
    prefix = uniquePrefix();
    const a = await open(SHARED_REDIS_URL, 'sig-a');
    const b = await open(SHARED_REDIS_URL, 'sig-b');
    const heardA: LiveSignal[] = [];
    const heardB: LiveSignal[] = [];
    a.onSignal((s) => heardA.push(s));
    b.onSignal((s) => heardB.push(s));
    expect(a.publishSignal('geo.test', { region: 'us-east-1', n: 2 })).toBe(true);
    expect(b.publishSignal('geo.echo', null)).toBe(true);
    await waitFor(() => heardB.length > 0 && heardA.length > 0, 'both signals delivered');
    expect(heardB).toEqual([{ kind: 'geo.test', payload: { region: 'us-east-1', n: 2 }, from: 'sig-a' }]);
    expect(heardA).toEqual([{ kind: 'geo.echo', payload: null, from: 'sig-b' }]);
    expect(a.status().signalsDropped).toBe(0);
  });

  it('redis away: a signal is dropped and counted, and flows again once Redis is back', async () => {
    privateRedis = await PrivateRedis.start('signals-pw');
    const a = await open(privateRedis.url, 'off-a');
    const b = await open(privateRedis.url, 'off-b');
    const heard: LiveSignal[] = [];
    b.onSignal((s) => heard.push(s));

    await privateRedis.kill();
    await waitFor(() => !a.status().connected, 'a noticing the outage');
    expect(a.publishSignal('geo.test', 1)).toBe(false);
    expect(a.status().signalsDropped).toBe(1);

    await privateRedis.restart();
    await waitFor(() => a.status().connected && b.status().connected, 'both resynchronised', 20_000);
    expect(a.publishSignal('geo.test', 2)).toBe(true);
    await waitFor(() => heard.length > 0, 'the signal after the outage');
    expect(heard.map((s) => s.payload)).toEqual([2]);
  }, 40_000);
});
