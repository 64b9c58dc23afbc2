/**
 * 4. Slow region: the active region's answers held by the relay, 300 ms (probe latency above
 * latency_warning_ms: WARNING, calls still set up there) and then 3 s (probes time out: CRITICAL then DOWN;
 * calls get no provisional answer within provisional_timeout_ms and move on; Timer C covers a call whose
 * provisional came and whose final did not).
 */
import { settleRecords, withWorld } from './lib/common';
import { callsFor, coreInvariants, measure, type Invariant, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { sleep, until, type HealthProfile } from './lib/world';

const HEALTH: HealthProfile = {
  interval: 0.5,
  timeout: 1,
  retry_count: 2,
  jitter: 0,
  latency_warning_ms: 200,
};

function slow(delayMs: number): Scenario {
  const name = `slow-region-${delayMs >= 1000 ? `${delayMs / 1000}s` : `${delayMs}ms`}`;
  const failsOver = delayMs > HEALTH.timeout * 1000;
  const s: Scenario = {
    name,
    title: `Active region's answers delayed ${delayMs} ms (interval 0.5, timeout 1, latency_warning_ms 200)`,
    invariant: failsOver
      ? 'zero failed setups, no record lost; the active region moves'
      : 'zero failed setups, zero false failovers, no record lost; region-1 WARNING',
    run: (mode) =>
      withWorld({ health: HEALTH }, async (world) => {
        const { calls, rate } = callsFor(mode);
        const load = await startPbxLoad({ target: world.sipTarget, calls, rate, timeoutS: 180 });
        await sleep(1000);
        const faultStart = Date.now();
        const relay = world.region('region-1').relay;
        relay.set({ delayFromRegionMs: delayMs });
        const invariants: Invariant[] = [];
        let seen = 'HEALTHY';
        const want = failsOver ? 'DOWN' : 'WARNING';
        try {
          await until(async () => {
            seen = (await world.regionState('region-1')).state.toUpperCase();
            return seen === want;
          }, `region-1 ${want}`);
        } catch {
          // reported by the invariant below
        }
        invariants.push({
          statement: `region-1 is seen ${want} while its answers take ${delayMs} ms`,
          holds: seen === want,
          detail: `last seen ${seen}`,
        });
        const run = await load.done;
        const faultEnd = Date.now();
        relay.set({});
        await settleRecords(world, run);
        const m = await measure(world, {
          run,
          faultStart,
          faultEnd,
          faultedRegions: failsOver ? ['region-1'] : [],
          watchedRegion: 'region-1',
          caught: failsOver ? 'failed-over' : 'in-window',
        });
        invariants.unshift(...coreInvariants(m, { falseFailoversAllowed: failsOver }));
        if (failsOver)
          invariants.push({
            statement: 'the active region moved away from the slow one',
            holds: m.failovers >= 1,
            detail: m.detectedBy,
          });
        return { name, title: s.title, mode, measured: m, invariants, notes: [] };
      }),
  };
  return s;
}

export const slow300 = slow(300);
export const slow3s = slow(3000);
