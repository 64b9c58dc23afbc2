/**
 * 11. The store goes away: geored's PostgreSQL (a private cluster) stopped in the middle of the load and
 * started again. Calls must keep flowing, /readyz must say not ready (naming the store) while it is down,
 * and the call records of the outage must be written when it returns: none lost.
 */
import { settleRecords, withWorld } from './lib/common';
import { callsFor, coreInvariants, measure, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { PrivatePostgres } from './lib/private-postgres';
import { FAST_HEALTH, sleep } from './lib/world';

export const storeOutage: Scenario = {
  name: 'store-outage',
  title: "geored's PostgreSQL store stopped mid-run, then started again",
  invariant:
    'zero failed setups, zero false failovers, /readyz not ready while the store is down, no call record lost',
  run: async (mode) => {
    const pg = await PrivatePostgres.start();
    try {
      return await withWorld({ health: FAST_HEALTH, env: { GEORED_STORE: pg.url } }, async (world) => {
        const { calls, rate } = callsFor(mode);
        const load = await startPbxLoad({ target: world.sipTarget, calls: calls * 2, rate, timeoutS: 180 });
        await sleep(1500);
        const faultStart = Date.now();
        await pg.stopServer();
        const readyz: Array<{ status: number; body: string }> = [];
        const downFor = mode === 'full' ? 15_000 : 3000;
        const end = Date.now() + downFor;
        while (Date.now() < end) {
          const r = await world.request<unknown>('GET', '/readyz').catch(() => ({ status: 0, body: '' }));
          readyz.push({ status: r.status, body: JSON.stringify(r.body) });
          await sleep(250);
        }
        await pg.startServer();
        const faultEnd = Date.now();
        const run = await load.done;
        await settleRecords(world, run, 20_000);
        const m = await measure(world, {
          run,
          faultStart,
          faultEnd,
          faultedRegions: [],
          caught: 'in-window',
        });
        // Polls from 1 s into the outage on: the store's absence has had time to be noticed.
        const settled = readyz.slice(4);
        const notReady = settled.filter((r) => r.status === 503);
        const namesStore = notReady.filter((r) => /store|postgres|database/i.test(r.body));
        return {
          name: storeOutage.name,
          title: storeOutage.title,
          mode,
          measured: m,
          invariants: [
            ...coreInvariants(m),
            {
              statement: '/readyz answers 503 while the store is down',
              holds: settled.length > 0 && notReady.length === settled.length,
              detail: `${notReady.length} of ${settled.length} polls (from 1 s into the outage) answered 503; statuses seen: ${[...new Set(readyz.map((r) => r.status))].join(', ')}`,
            },
            {
              statement: '/readyz names the store as the reason',
              holds: notReady.length > 0 && namesStore.length === notReady.length,
              detail: `last body: ${readyz[readyz.length - 1]?.body ?? 'none'}`,
            },
          ],
          notes: [`store down for ${downFor} ms`],
        };
      });
    } finally {
      await pg.remove();
    }
  },
};
