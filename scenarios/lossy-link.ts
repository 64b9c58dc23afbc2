/**
 * 3. Lossy link: 20 % of datagrams dropped each way between geored and the active region (the seeded
 * relay), for the whole fault window. SIP's retransmissions should absorb it: nothing may fail over.
 * Probes get a timeout that spans OPTIONS retransmissions (interval 1, timeout 4, retry_count 3); the fast
 * profile's 250 ms timeout is shorter than SIP's T1 (500 ms), so under loss it cannot tell loss from death.
 * Why 4 s and not 2: an OPTIONS is sent at 0, 0.5, 1.5 and 3.5 s (Timer E), and a round trip through 20 %
 * loss each way gets through with probability 0.64. Within 2 s a probe has three tries and fails with
 * probability 0.36³ ≈ 4.7 %, and three failed probes in a row (DOWN) came once in a full CI run: a false
 * failover. Within 4 s it has four (0.36⁴ ≈ 1.7 %), and three in a row are about twenty times rarer. On a
 * lossy link that is the setting to choose: detection of a real outage takes 3 × 4 s instead of 3 × 2 s.
 */
import { settleRecords, withWorld } from './lib/common';
import { callsFor, coreInvariants, measure, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { sleep } from './lib/world';

export const lossyLink: Scenario = {
  name: 'lossy-link',
  title: '20 % loss each way to the active region (interval 1, timeout 4, retry_count 3)',
  invariant: 'zero false failovers, zero failed setups, no record lost',
  run: (mode) =>
    withWorld({ health: { interval: 1, timeout: 4, retry_count: 3, jitter: 0 } }, async (world) => {
      const { calls, rate } = callsFor(mode);
      const load = await startPbxLoad({ target: world.sipTarget, calls, rate, timeoutS: 180 });
      await sleep(1000);
      const faultStart = Date.now();
      const relay = world.region('region-1').relay;
      relay.set({ lossToRegion: 0.2, lossFromRegion: 0.2 });
      const run = await load.done;
      const faultEnd = Date.now();
      relay.set({});
      await settleRecords(world, run);
      const m = await measure(world, {
        run,
        faultStart,
        faultEnd,
        faultedRegions: [],
        watchedRegion: 'region-1',
        caught: 'in-window',
      });
      const records = await world.callRecords();
      const movedPerCall = records.filter((r) => r.attempts.length > 1).length;
      return {
        name: lossyLink.name,
        title: lossyLink.title,
        mode,
        measured: m,
        invariants: coreInvariants(m),
        notes: [
          `relay: ${relay.stats.dropped} datagrams dropped, ${relay.stats.forwarded} forwarded (seed 12)`,
          `${movedPerCall} calls moved to another region within their own transaction (no provisional answer within provisional_timeout_ms)`,
        ],
      };
    }),
};
