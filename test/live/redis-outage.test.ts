import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLiveState, type LiveChange, type LiveState } from '../../src/live';
import { PrivateRedis } from './helpers/private-redis';
import { waitFor } from './helpers/wait';

const PASSWORD = 'pw-that-must-never-be-logged';

/** A pino logger whose lines the test can read. */
function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/**
 * Redis killed in the middle of the run (a private redis-server, SIGKILL, then started again empty on the
 * same port): both instances keep serving, keep probing, and converge again when it is back.
 */
describe('RedisLiveState when Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let a: LiveState;
  let b: LiveState;
  const logA = capturingLogger();
  const logB = capturingLogger();
  const changesA: LiveChange[] = [];

  beforeAll(async () => {
    redis = await PrivateRedis.start(PASSWORD);
    a = await openLiveState({ redisUrl: redis.url, instanceId: 'outage-a', logger: logA.logger });
    b = await openLiveState({ redisUrl: redis.url, instanceId: 'outage-b', logger: logB.logger });
    a.onChange((c) => changesA.push(c));
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.kill();
  });

  it('carries on through the outage and resynchronises after it', async ({ annotate }) => {
    // Before: shared as usual.
    const initial = await a.setActive('us-east-1', { reason: 'initial' });
    await b.incr('calls', 2);
    await waitFor(() => b.getActive()?.version === initial.version && a.getCounter('calls') === 2, 'sharing');
    const la = a.runForLeader('probes', 1_000);
    const lb = b.runForLeader('probes', 1_000);
    await waitFor(() => la.isLeader !== lb.isLeader, 'exactly one leader');
    const connectedSince = a.status().since;

    // Redis dies.
    await redis.kill();
    await waitFor(() => !a.status().connected && !b.status().connected, 'both to notice');
    expect(a.status().since).toBeGreaterThanOrEqual(connectedSince);
    expect(changesA.some((c) => c.kind === 'connection' && !c.connected)).toBe(true);

    // Reads are served from the last known state.
    expect(a.getActive()).toEqual(initial);
    expect(b.getActive()).toEqual(initial);
    expect(b.getCounter('calls')).toBe(2);

    // Both keep probing: each acts as leader on its own.
    await waitFor(() => la.isLeader && lb.isLeader, 'both to act as leader');
    expect(a.status().leader && b.status().leader).toBe(true);

    // Writes still succeed, locally.
    const failover = await a.setActive('us-west-2', { reason: 'failover while Redis was down' });
    expect(a.getActive()?.name).toBe('us-west-2');
    expect(b.getActive()?.name).toBe('us-east-1');
    await a.incr('calls', 3);
    // Both saw the same region while apart; B's observation is the later one and must win everywhere.
    await a.setRegionHealth('eu-west-1', { reason: 'seen by A first' });
    await new Promise((r) => setTimeout(r, 5));
    await b.setRegionHealth('eu-west-1', { reason: 'seen by B later' });

    // Redis comes back, empty.
    const resyncsBefore = changesA.filter((c) => c.kind === 'resync').length;
    await redis.restart();
    const reconnect = await waitFor(
      () => a.status().connected && b.status().connected,
      'both to resync',
      20_000,
    );
    await annotate(`resync after redis-server restart (ms): ${reconnect.toFixed(0)}`);

    const resync = changesA.filter((c) => c.kind === 'resync').slice(resyncsBefore);
    expect(resync).toHaveLength(1);
    expect(resync[0]).toMatchObject({ kind: 'resync' });
    expect(resync[0]?.kind === 'resync' && resync[0].pushed).toBeGreaterThan(0);

    await waitFor(() => b.getActive()?.version === failover.version, 'B to see the failover made while down');
    expect(b.getActive()).toEqual(failover);
    await waitFor(() => a.getCounter('calls') === 5 && b.getCounter('calls') === 5, 'counts to add up');
    await waitFor(
      () =>
        a.getRegion('eu-west-1')?.reason === 'seen by B later' &&
        b.getRegion('eu-west-1')?.reason === 'seen by B later',
      'the newer observation to win on both',
    );
    await waitFor(() => la.isLeader !== lb.isLeader, 'one leader again');

    // After the outage, sharing works as before.
    const after = await b.setActive('eu-west-1', { reason: 'after the outage' });
    await waitFor(() => a.getActive()?.version === after.version, 'A to see B again');

    // Said once per instance, and never with the password.
    for (const { lines } of [logA, logB]) {
      expect(lines.filter((l) => l.includes('carrying on with the last known state'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('in sync with Redis')).length).toBeGreaterThanOrEqual(2);
      expect(lines.some((l) => l.includes(PASSWORD))).toBe(false);
      expect(lines.some((l) => l.includes(':***@127.0.0.1'))).toBe(true);
    }
  });
});
