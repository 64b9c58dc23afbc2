/**
 * 6. All regions down, then one back: every relay blackholed (calls cannot be set up, and must be refused,
 * not left hanging); geored keeps the last active region and says so; region-2's relay is cleared and every
 * call placed from then on sets up (each call tries every region, so recovery does not wait for a probe).
 */
import { settleRecords, withWorld } from './lib/common';
import { callsFor, measure, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { FAST_HEALTH, sleep, until } from './lib/world';

export const allDown: Scenario = {
  name: 'all-down',
  title: 'All regions down, then region-2 back',
  invariant:
    'the last active region is kept and the log says all are down; every call placed after region-2 is back sets up; no record lost',
  run: (mode) =>
    withWorld({ health: FAST_HEALTH }, async (world) => {
      const { calls, rate } = callsFor(mode);
      const load = await startPbxLoad({ target: world.sipTarget, calls: calls * 2, rate, timeoutS: 180 });
      await sleep(1000);
      const faultStart = Date.now();
      for (const r of world.regions) r.relay.set({ blackhole: true });
      let saidAllDown = false;
      try {
        await until(
          () => world.logs().some((l) => Number(l['level']) >= 50 && 'keep' in l),
          'the all-regions-down log line',
        );
        saidAllDown = true;
      } catch {
        // reported below
      }
      await sleep(mode === 'full' ? 5000 : 1000);
      const kept = await world.active();
      const backAt = Date.now();
      world.region('region-2').relay.set({});
      let recovered: string | null = null;
      try {
        await until(async () => (recovered = await world.active()) === 'region-2', 'region-2 active');
      } catch {
        // reported below
      }
      // The others come back too once region-2 carries the load, so the calls set up on region-1 before the
      // outage can end (their BYEs were held by the blackhole).
      await sleep(1000);
      for (const r of world.regions) r.relay.set({});
      const run = await load.done;
      await settleRecords(world, run);
      const m = await measure(world, {
        run,
        faultStart,
        faultEnd: backAt,
        faultedRegions: ['region-1', 'region-2', 'region-3'],
        caught: 'in-window',
      });
      const after = run.calls.filter((c) => run.epochMs + c.startMs > backAt);
      const failedAfter = after.filter((c) => c.answeredMs === null).length;
      const during = run.calls.filter(
        (c) => run.epochMs + c.startMs >= faultStart && run.epochMs + c.startMs < backAt,
      );
      return {
        name: allDown.name,
        title: allDown.title,
        mode,
        measured: m,
        invariants: [
          {
            statement: 'the last active region is kept while all are down',
            holds: kept === 'region-1',
            detail: `active region while all were down: ${String(kept)}`,
          },
          {
            statement: 'geored logs (at error level) that all regions are down and which it keeps',
            holds: saidAllDown,
            detail: saidAllDown ? 'logged' : 'no such line',
          },
          {
            statement: 'region-2 becomes active once it answers',
            holds: recovered === 'region-2',
            detail: `active after region-2 came back: ${String(recovered)}`,
          },
          {
            statement: 'zero failed setups among calls placed after region-2 came back',
            holds: after.length > 0 && failedAfter === 0,
            detail: `${failedAfter} of ${after.length} failed`,
          },
          {
            statement: 'no call record lost',
            holds: m.recordsLost === 0,
            detail: `${m.recordsLost} answered calls without a record`,
          },
        ],
        notes: [
          `${during.filter((c) => c.answeredMs === null).length} of ${during.length} calls placed while all regions were down failed (expected: nothing could carry them)`,
        ],
      };
    }),
};
