/**
 * 2. 503 storm: the active region keeps answering OPTIONS 200 but refuses every new call with 503 (a sipp
 * running region-503.xml put behind its relay mid-run; calls already set up finish on the old one).
 * Only the call path's passive signals can see it.
 */
import { settleRecords, withWorld } from './lib/common';
import { callsFor, coreInvariants, measure, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { FAST_HEALTH, sleep } from './lib/world';

export const storm503: Scenario = {
  name: 'storm-503',
  title: '503 storm with OPTIONS 200 on the active region',
  invariant: 'zero failed setups, no record lost; the passive signals move the active region',
  run: (mode) =>
    withWorld({ health: FAST_HEALTH }, async (world) => {
      const { calls, rate } = callsFor(mode);
      const load = await startPbxLoad({ target: world.sipTarget, calls, rate, timeoutS: 120 });
      await sleep(1500);
      const faultStart = Date.now();
      await world.swapRegion('region-1', 'region-503.xml');
      const run = await load.done;
      await settleRecords(world, run);
      const m = await measure(world, {
        run,
        faultStart,
        faultedRegions: ['region-1'],
        caught: 'failed-over',
      });
      const health = await world.regionState('region-1');
      return {
        name: storm503.name,
        title: storm503.title,
        mode,
        measured: m,
        invariants: [
          ...coreInvariants(m),
          {
            statement: 'the active region moved away from the region refusing calls',
            holds: m.failovers >= 1,
            detail: m.detectedBy,
          },
        ],
        notes: [`region-1 at the end: ${health.state} (${health.reason})`],
      };
    }),
};
