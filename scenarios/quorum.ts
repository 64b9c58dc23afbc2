/**
 * Beyond: health seen from more than one place. Three real `geored serve` instances share a private Redis
 * (a redis-server of its own on a free port, so nothing collides), each reaching region-1 through a seeded
 * UDP relay of its own (A through the world's relay, B and C through two more in front of the same sipp).
 * The PBX's calls go through A. First B's path to region-1 is cut (100 % loss): B's own view is DOWN, the
 * quorum (majority of 3 = 2) is not, so nothing fails over and calls keep flowing. Then C's is cut too:
 * two of three see region-1 DOWN, and every instance fails over to region-2.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGeoredProcess, type GeoredProcess } from '../test/helpers/geored-process';
import { PrivateRedis } from '../test/live/helpers/private-redis';
import { settleRecords, withWorld } from './lib/common';
import { coreInvariants, LOAD, measure, type Invariant, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { UdpRelay } from './lib/relay';
import { GEO, sleep, TOKEN, until, type FailoverRow, type HealthProfile, type World } from './lib/world';

/** Probes every 0.5 s, each given 1 s: a view goes stale after 3 × 1.5 s. */
const HEALTH: HealthProfile = { interval: 0.5, timeout: 1, retry_count: 2, jitter: 0 };

interface LoopDecision {
  kind: string;
  reason: string;
  decided_at: string;
}

interface HealthBody {
  state: string;
  reason: string;
  views: Array<{ instance: string; state: string; reason: string; counted: boolean }>;
  quorum: { required: number | null; fresh: number; state: string; reason: string };
}

export const quorum: Scenario = {
  name: 'quorum',
  title: 'three instances share Redis; region-1 cut for one of them, then for two',
  invariant:
    "one instance's lost path moves nothing (no failover, calls flow); two of three fail over, naming the quorum",
  run: async (mode) => {
    const redis = await PrivateRedis.start('scenario-quorum-secret');
    const relays: UdpRelay[] = [];
    try {
      return await withWorld(
        {
          health: HEALTH,
          server: { redis: 'env:GEORED_SCENARIO_REDIS' },
          env: { GEORED_SCENARIO_REDIS: redis.url },
        },
        async (world) => {
          const a = world.geored;
          const r1 = world.region('region-1');
          const peers: GeoredProcess[] = [];
          for (const [i, name] of ['b', 'c'].entries()) {
            const relay = await UdpRelay.start(r1.sipp.port, 100 + i);
            relays.push(relay);
            peers.push(await startInstance(world, name, relay.port, redis.url));
          }
          const [b, c] = peers as [GeoredProcess, GeoredProcess];
          const [relayB, relayC] = relays as [UdpRelay, UdpRelay];
          const all = [a, b, c];
          const health = (on: GeoredProcess) => world.get<HealthBody>(`${GEO}/regions/region-1/health`, on);
          await until(
            async () => (await health(a)).views.filter((v) => v.counted).length === 3,
            'three fresh views of region-1',
            30_000,
          );
          const idB = await instanceOf(world, b);

          const seconds = Math.max(12, LOAD[mode].seconds * 2);
          const rate = LOAD[mode].rate;
          const load = await startPbxLoad({ target: a.sipPort, calls: rate * seconds, rate, timeoutS: 180 });
          await sleep(1500);

          // 1. B alone loses region-1.
          const oneCut = Date.now();
          relayB.set({ lossToRegion: 1, lossFromRegion: 1 });
          let seen = null as HealthBody | null;
          try {
            await until(async () => {
              const h = await health(a);
              const viewB = h.views.find((v) => v.instance === idB);
              seen = h;
              return viewB?.state === 'down' && viewB.counted && /sees it DOWN/.test(h.quorum.reason);
            }, "A counting B's DOWN view of region-1");
          } catch {
            // reported below
          }
          const sawOneDown = seen !== null && /only 1 of 3 instances sees it DOWN/.test(seen.quorum.reason);
          // Watch for a while after the count: the failover loop ticks every 250 ms.
          const countedAt = Date.now();
          const activeDuringOne = new Set<string | null>();
          for (let i = 0; i < 20; i++) {
            for (const p of all) activeDuringOne.add(await world.active(p));
            await sleep(100);
          }
          // ...and the leader's loop decided after the count, and stayed.
          const decisions = await Promise.all(
            all.map((p) =>
              world.get<{ decision: LoopDecision | null; leader: boolean }>(`${GEO}/failover-decision`, p),
            ),
          );
          const leaderDecision = decisions.find((d) => d.leader)?.decision ?? null;
          const stayedAfterCount =
            leaderDecision !== null &&
            leaderDecision.kind === 'stay' &&
            Date.parse(leaderDecision.decided_at) > countedAt;

          // 2. C loses it too: two of three.
          const twoCut = Date.now();
          relayC.set({ lossToRegion: 1, lossFromRegion: 1 });
          let movedAll = false;
          try {
            await until(
              async () => (await Promise.all(all.map((p) => world.active(p)))).every((n) => n === 'region-2'),
              'every instance on region-2',
            );
            movedAll = true;
          } catch {
            // reported below
          }
          const run = await load.done;
          const faultEnd = Date.now();
          relayB.set({});
          relayC.set({});
          await settleRecords(world, run);
          const histories = await Promise.all(
            all.map((p) => world.get<{ failovers: FailoverRow[] }>(`${GEO}/failover-history?limit=1000`, p)),
          );
          // Each instance keeps its own store: the switch is in the history of the one that decided it.
          const history = histories.flatMap((h) => h.failovers);
          const m = await measure(world, {
            run,
            faultStart: twoCut,
            faultEnd,
            faultedRegions: ['region-1'],
            caught: 'in-window',
            history,
          });
          const early = history.filter(
            (h) =>
              h.from_region !== null &&
              Date.parse(h.occurred_at) >= oneCut &&
              Date.parse(h.occurred_at) < twoCut,
          );
          const switched = history.find(
            (h) => h.from_region === 'region-1' && Date.parse(h.occurred_at) >= twoCut,
          );
          const invariants: Invariant[] = [
            ...coreInvariants(m),
            {
              statement:
                "one instance losing region-1 moves nothing: its view DOWN, the quorum's not, no failover",
              holds:
                sawOneDown &&
                stayedAfterCount &&
                early.length === 0 &&
                [...activeDuringOne].every((n) => n === 'region-1'),
              detail:
                `quorum said "${seen?.quorum.reason ?? 'nothing'}"; the leader's loop after it: ` +
                `${leaderDecision ? `${leaderDecision.kind} (${leaderDecision.reason})` : 'no decision'}; ` +
                `${early.length} failovers before the second cut; active seen: ${[...activeDuringOne].join(', ')}`,
            },
            {
              statement: 'two of three instances losing region-1 fail every instance over to region-2',
              holds: movedAll,
              detail: `active now: ${(await Promise.all(all.map((p) => world.active(p)))).join(', ')}`,
            },
            {
              statement: 'the failover names the quorum that decided it',
              holds:
                switched !== undefined &&
                /2 of 3 instances see region-1 DOWN \(quorum 2\)/.test(switched.reason ?? ''),
              detail: switched?.reason ?? 'no failover from region-1 recorded',
            },
          ];
          return {
            name: quorum.name,
            title: quorum.title,
            mode,
            measured: m,
            invariants,
            notes: [
              `calls through instance A only; B and C each reach region-1 through a relay of their own (seeds 100, 101), cut at 100 % loss`,
              `with one cut: ${seen?.quorum.reason ?? 'no count seen'}`,
              `with two: ${switched?.reason ?? 'no failover'}`,
              'detection is from the second cut (the first must move nothing)',
            ],
          };
        },
      );
    } finally {
      await Promise.all(relays.map((r) => r.close()));
      await redis.kill();
    }
  },
};

/** Another instance on the world's config with region-1 behind its own relay, its own store and ports. */
async function startInstance(
  world: World,
  name: string,
  region1Port: number,
  redisUrl: string,
): Promise<GeoredProcess> {
  const config = world.config() as {
    features: { geographic_redundancy: { regions: Array<{ name: string; sip_server: string }> } };
  };
  for (const r of config.features.geographic_redundancy.regions)
    if (r.name === 'region-1') r.sip_server = `127.0.0.1:${region1Port}`;
  const file = join(world.dir, `geored-${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  const p = await startGeoredProcess({
    configFile: file,
    env: {
      GEORED_API_TOKEN: TOKEN,
      GEORED_STORE: `sqlite:${join(world.dir, `geored-${name}.db`)}`,
      GEORED_SCENARIO_REDIS: redisUrl,
    },
    readyTimeoutMs: 60_000,
  });
  world.peers.push(p); // stopped with the world, its log lines in world.logs()
  return p;
}

/** The instance id a process publishes its views under (`<host>-<pid>-<random>`, src/geo/open.ts). */
async function instanceOf(world: World, p: GeoredProcess): Promise<string> {
  let id: string | undefined;
  await until(async () => {
    const h = await world.get<HealthBody>(`${GEO}/regions/region-1/health`, p);
    id = h.views.find((v) => v.instance.includes(`-${p.process.pid}-`))?.instance;
    return id !== undefined;
  }, 'the instance id of a geored process');
  return id!;
}
