/**
 * 1. Blackhole: the active region's sipp is SIGSTOPped (its socket stays bound; nothing answers) under a
 * steady load, and SIGCONTed once geored has failed over, so the calls it carried before can end.
 */
import { settleRecords, withWorld } from './lib/common';
import { callsFor, coreInvariants, measure, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { FAST_HEALTH, sleep, until } from './lib/world';

export const blackhole: Scenario = {
  name: 'blackhole',
  title: 'Blackhole of the active region (SIGSTOP), fast profile',
  invariant: 'zero failed setups, zero false failovers, no record lost; the active region moves',
  run: (mode) =>
    withWorld({ health: FAST_HEALTH }, async (world) => {
      const { calls, rate } = callsFor(mode);
      const load = await startPbxLoad({ target: world.sipTarget, calls, rate, timeoutS: 120 });
      await sleep(1500);
      const faultStart = Date.now();
      const east = world.region('region-1');
      east.sipp.pause();
      await until(async () => (await world.active()) !== 'region-1', 'a failover away from region-1');
      await sleep(mode === 'full' ? 5000 : 1000);
      east.sipp.resume();
      const faultEnd = Date.now();
      const run = await load.done;
      await settleRecords(world, run);
      const m = await measure(world, {
        run,
        faultStart,
        faultEnd,
        faultedRegions: ['region-1'],
        caught: 'failed-over',
      });
      return {
        name: 'blackhole',
        title: blackhole.title,
        mode,
        measured: m,
        invariants: [
          ...coreInvariants(m),
          {
            statement: 'the active region moved away from the blackholed one',
            holds: m.failovers >= 1,
            detail: m.detectedBy,
          },
        ],
        notes: [],
      };
    }),
};
