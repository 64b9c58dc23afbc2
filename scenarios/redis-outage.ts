/**
 * 7. Redis stopped mid-run with two geored instances sharing it (a private redis-server on a free port,
 * SIGKILLed, then started again empty on the same port): each instance carries its own PBX's calls
 * throughout; while Redis is away region-1 is blackholed, so both must decide alone; after the restart
 * they resync to one active region and nothing is lost.
 */
import { PrivateRedis } from '../test/live/helpers/private-redis';
import { settleRecords, withWorld } from './lib/common';
import { coreInvariants, LOAD, measure, type Invariant, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { FAST_HEALTH, sleep, until } from './lib/world';

export const redisOutage: Scenario = {
  name: 'redis-outage',
  title: 'Redis stopped mid-run with two geored instances, then restarted',
  invariant:
    'both instances set up every call, agree on one active region after the resync, and lose no record',
  run: async (mode) => {
    const redis = await PrivateRedis.start('scenario-redis-secret');
    try {
      return await withWorld(
        {
          health: FAST_HEALTH,
          server: { redis: 'env:GEORED_SCENARIO_REDIS' },
          env: { GEORED_SCENARIO_REDIS: redis.url },
        },
        async (world) => {
          const b = await world.startPeer();
          const a = world.geored;
          await until(async () => (await world.active(b)) === 'region-1', 'instance B sees region-1');
          const seconds = LOAD[mode].seconds * 2;
          const rate = LOAD[mode].rate / 2;
          const loadA = await startPbxLoad({ target: a.sipPort, calls: rate * seconds, rate, timeoutS: 180 });
          const loadB = await startPbxLoad({ target: b.sipPort, calls: rate * seconds, rate, timeoutS: 180 });
          await sleep(1500);
          const faultStart = Date.now();
          await redis.kill();
          await sleep(500);
          world.region('region-1').relay.set({ blackhole: true });
          let aloneA: string | null = null;
          let aloneB: string | null = null;
          try {
            await until(
              async () =>
                (aloneA = await world.active(a)) !== 'region-1' &&
                (aloneB = await world.active(b)) !== 'region-1',
              'both instances leave region-1 without Redis',
            );
          } catch {
            // reported below
          }
          await sleep(1000);
          await redis.restart();
          const faultEnd = Date.now();
          let agreed: [string | null, string | null] = [null, null];
          try {
            await until(async () => {
              agreed = [await world.active(a), await world.active(b)];
              return agreed[0] !== null && agreed[0] === agreed[1];
            }, 'both instances on one active region after the resync');
          } catch {
            // reported below
          }
          // region-1 back, so the calls it held before the blackhole can end.
          world.region('region-1').relay.set({});
          const [runA, runB] = await Promise.all([loadA.done, loadB.done]);
          await settleRecords(world, runA, 10_000, a);
          await settleRecords(world, runB, 10_000, b);
          const opts = { faultStart, faultEnd, faultedRegions: ['region-1'], caught: 'failed-over' as const };
          const mA = await measure(world, { ...opts, run: runA });
          const recordsB = await world.callRecords(b);
          const historyB = (
            await world.get<{ failovers: [] }>(
              '/api/framework/geographic-redundancy/failover-history?limit=1000',
              b,
            )
          ).failovers;
          const mB = await measure(world, { ...opts, run: runB, records: recordsB, history: historyB });
          const invariants: Invariant[] = [
            ...coreInvariants(mA).map((i) => ({ ...i, statement: `instance A: ${i.statement}` })),
            ...coreInvariants(mB).map((i) => ({ ...i, statement: `instance B: ${i.statement}` })),
            {
              statement: 'each instance failed over on its own while Redis was away',
              holds: aloneA !== null && aloneA !== 'region-1' && aloneB !== null && aloneB !== 'region-1',
              detail: `A on ${String(aloneA)}, B on ${String(aloneB)}`,
            },
            {
              statement: 'after the resync both instances name the same active region',
              holds: agreed[0] !== null && agreed[0] === agreed[1],
              detail: `A ${String(agreed[0])}, B ${String(agreed[1])}`,
            },
          ];
          const m = {
            ...mA,
            planned: mA.planned + mB.planned,
            attempted: mA.attempted + mB.attempted,
            failedSetups: mA.failedSetups + mB.failedSetups,
            unendedCalls: mA.unendedCalls + mB.unendedCalls,
            falseFailovers: mA.falseFailovers + mB.falseFailovers,
            recordsLost: mA.recordsLost + mB.recordsLost,
            caught: mA.caught + mB.caught,
          };
          return {
            name: redisOutage.name,
            title: redisOutage.title,
            mode,
            measured: m,
            invariants,
            notes: [
              `instance B: ${mB.attempted} calls, ${mB.failedSetups} failed setups, detection ${mB.detectionMs ?? '–'} ms (${mB.detectedBy}); the table's delays and detection are instance A's, its counts the sum`,
              "the decisive log lines are both instances' (one stream)",
            ],
          };
        },
      );
    } finally {
      await redis.kill();
    }
  },
};
