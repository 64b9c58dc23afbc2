/**
 * 10a. TCP region whose connection is reset: region-1 (active) is reached over TCP through a relay that
 * sends RST on every open connection, three times half a second apart, under the load. geored must open a
 * new connection; calls caught on the reset one move on within their own transaction.
 */
import { settleRecords, withWorld } from './lib/common';
import { callsFor, coreInvariants, measure, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { sleep } from './lib/world';

export const tcpReset: Scenario = {
  name: 'tcp-reset',
  title: 'TCP region whose connections are reset (RST), three times',
  invariant: 'zero failed setups, zero false failovers, no record lost; new calls reach region-1 again',
  run: (mode) =>
    withWorld(
      {
        health: { interval: 0.5, timeout: 1, retry_count: 3, jitter: 0 },
        regions: [{ transport: 'tcp' }, {}, {}],
      },
      async (world) => {
        const { calls, rate } = callsFor(mode);
        const load = await startPbxLoad({ target: world.sipTarget, calls: calls * 2, rate, timeoutS: 120 });
        await sleep(1500);
        const faultStart = Date.now();
        const relay = world.region('region-1').tcpRelay!;
        const resets: number[] = [];
        for (let k = 0; k < 3; k++) {
          resets.push(relay.resetAll());
          await sleep(500);
        }
        const faultEnd = Date.now();
        const run = await load.done;
        await settleRecords(world, run);
        const records = await world.callRecords();
        const m = await measure(world, {
          run,
          faultStart,
          faultEnd,
          faultedRegions: [],
          watchedRegion: 'region-1',
          caught: 'in-window',
          records,
        });
        const lateOn1 = records.filter(
          (r) => Date.parse(r.started_at) > faultEnd + 1000 && r.region === 'region-1',
        ).length;
        const late = records.filter((r) => Date.parse(r.started_at) > faultEnd + 1000).length;
        return {
          name: tcpReset.name,
          title: tcpReset.title,
          mode,
          measured: m,
          invariants: [
            ...coreInvariants(m),
            {
              statement: 'each reset hit open connections (the fault was real)',
              holds: resets.every((n) => n > 0),
              detail: `connections reset: ${resets.join(', ')}`,
            },
            {
              statement: 'calls placed after the resets reach region-1 again',
              holds: late > 0 && lateOn1 === late,
              detail: `${lateOn1} of ${late} on region-1`,
            },
          ],
          notes: [
            `${records.filter((r) => r.attempts.some((a) => a.outcome === 'transport-error')).length} calls saw a transport error on an attempt`,
          ],
        };
      },
    ),
};
