/**
 * 5. Flapping region: the active region blackholed (relay) for a period, then clean for the same period,
 * repeatedly, with automatic failback after 1 s of health, so every recovery invites a switch back. The
 * flap guard (max 3 automatic switches per 300 s) must cap the switches; calls keep being set up.
 */
import { settleRecords, withWorld } from './lib/common';
import { coreInvariants, measure, type Mode, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { FAST_HEALTH, sleep } from './lib/world';

const MAX_SWITCHES = 3;
const SHAPE: Record<Mode, { periodS: number; cycles: number; rate: number }> = {
  test: { periodS: 2, cycles: 3, rate: 20 },
  full: { periodS: 10, cycles: 4, rate: 10 },
};

export const flapping: Scenario = {
  name: 'flapping',
  title: 'Active region flapping (blackholed / clean, repeatedly), automatic failback after 1 s',
  invariant: `zero failed setups, no record lost; at most ${MAX_SWITCHES} automatic switches (the flap guard)`,
  run: (mode) =>
    withWorld(
      {
        health: { ...FAST_HEALTH, success_threshold: 2 },
        failover: { automatic: true, flap_guard: { max_switches: MAX_SWITCHES, window: 300 } },
        failback: { enabled: true, delay: 1, health_threshold: 0, automatic: true },
      },
      async (world) => {
        const shape = SHAPE[mode];
        const seconds = shape.periodS * 2 * shape.cycles + 2;
        const load = await startPbxLoad({
          target: world.sipTarget,
          calls: shape.rate * seconds,
          rate: shape.rate,
          timeoutS: seconds + 120,
        });
        await sleep(1000);
        const relay = world.region('region-1').relay;
        const faultStart = Date.now();
        for (let k = 0; k < shape.cycles; k++) {
          relay.set({ blackhole: true });
          await sleep(shape.periodS * 1000);
          relay.set({});
          await sleep(shape.periodS * 1000);
        }
        const faultEnd = Date.now();
        const run = await load.done;
        await settleRecords(world, run);
        const history = await world.history();
        const m = await measure(world, {
          run,
          faultStart,
          faultEnd,
          // Failing back to region-1 while it is up is not false: it was down before.
          faultedRegions: ['region-1', 'region-2', 'region-3'],
          caught: 'failed-over',
          history,
        });
        const automatic = history.filter((h) => h.automatic && h.from_region !== null);
        const warnLines = world.logs().filter((l) => Number(l['level']) >= 40).length;
        return {
          name: flapping.name,
          title: flapping.title,
          mode,
          measured: m,
          invariants: [
            ...coreInvariants(m, { falseFailoversAllowed: true }),
            {
              statement: `at most ${MAX_SWITCHES} automatic switches in the flap guard's window`,
              holds: automatic.length <= MAX_SWITCHES,
              detail: `${automatic.length} automatic switches: ${automatic.map((h) => `${h.from_region}→${h.to_region}`).join(', ')}`,
            },
            {
              statement: 'the flap guard said so when it held a switch back',
              holds:
                automatic.length < MAX_SWITCHES ||
                world.logs().some((l) => String(l['msg'] ?? '').startsWith('flap guard')),
              detail: `${automatic.length} switches; flap-guard log lines: ${world.logs().filter((l) => String(l['msg'] ?? '').startsWith('flap guard')).length}`,
            },
          ],
          notes: [
            `${shape.cycles} cycles of ${shape.periodS} s blackholed / ${shape.periodS} s clean; ${warnLines} warn-or-worse log lines in all`,
          ],
        };
      },
    ),
};
