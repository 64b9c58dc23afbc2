/**
 * 10b. TLS region with an expired certificate: region-1 (active) is reached over TLS through an edge whose
 * certificate, signed by the CA geored trusts, is rotated under the load to one that expired in 2020, and
 * its connections closed. Every new handshake fails with "certificate has expired": region-1 must go DOWN
 * (or DEGRADED) saying so, not as a generic timeout, and calls must move on to region-2 with no failed setup.
 */
import { settleRecords, withWorld } from './lib/common';
import { callsFor, coreInvariants, measure, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { sleep, until } from './lib/world';

const EXPIRED = /certificate has expired/i;

export const tlsExpired: Scenario = {
  name: 'tls-expired',
  title: 'TLS region whose certificate is rotated to an expired one (interval 0.5, timeout 1, retry_count 2)',
  invariant:
    'zero failed setups, no record lost; region-1 DOWN or DEGRADED with a reason naming the expired certificate; the active region moves',
  run: (mode) =>
    // A probe timeout (1 s) that spans a TLS handshake on a loaded machine: with the fast profile's 250 ms, a
    // probe can time out before the handshake fails. Only the first such probe then says just "no answer":
    // later ones name the last failed attempt (`last connection attempt: TLS handshake failed: certificate
    // has expired`), and failed calls name it too, so the reason says why whichever path sees it first.
    withWorld(
      {
        health: { interval: 0.5, timeout: 1, retry_count: 2, jitter: 0 },
        regions: [{ transport: 'tls' }, {}, {}],
      },
      async (world) => {
        const { calls, rate } = callsFor(mode);
        const load = await startPbxLoad({ target: world.sipTarget, calls: calls * 2, rate, timeoutS: 120 });
        await sleep(1500);
        const relay = world.region('region-1').tlsRelay!;
        const faultStart = Date.now();
        const closed = relay.expire();
        // Bounded wait for the verdict; what it says is the invariant, not how soon.
        let seen = { state: '', reason: '' };
        await until(
          async () => {
            seen = await world.regionState('region-1');
            return seen.state === 'down' || seen.state === 'degraded';
          },
          'region-1 down or degraded',
          30_000,
        ).catch(() => undefined);
        const run = await load.done;
        await settleRecords(world, run);
        const records = await world.callRecords();
        const m = await measure(world, {
          run,
          faultStart,
          faultedRegions: ['region-1'],
          watchedRegion: 'region-1',
          caught: 'in-window',
          records,
        });
        const history = await world.history();
        const moved = history.find(
          (h) => h.from_region === 'region-1' && Date.parse(h.occurred_at) >= faultStart,
        );
        // Every health change of region-1 from the fault on, as logged (and sent as events) with its reason.
        const changes = world
          .logs()
          .filter(
            (l) =>
              l['region'] === 'region-1' &&
              typeof l['to'] === 'string' &&
              typeof l['time'] === 'number' &&
              l['time'] >= faultStart,
          )
          .map((l) => `${String(l['to'])}: ${String(l['msg'])}`);
        const tlsErrors = records.filter((r) =>
          r.attempts.some((a) => a.region === 'region-1' && a.outcome === 'transport-error'),
        ).length;
        return {
          name: tlsExpired.name,
          title: tlsExpired.title,
          mode,
          measured: m,
          invariants: [
            ...coreInvariants(m),
            {
              statement:
                'the edge had connections to close when its certificate expired (the fault was real)',
              holds: closed > 0,
              detail: `${closed} connections closed`,
            },
            {
              statement: 'region-1 is DOWN or DEGRADED',
              holds: seen.state === 'down' || seen.state === 'degraded',
              detail: `region-1 ${seen.state}: ${seen.reason}`,
            },
            {
              statement: 'region-1 is said to fail because its certificate expired, not a generic timeout',
              holds: EXPIRED.test(seen.reason) || changes.some((c) => EXPIRED.test(c)),
              detail: changes.find((c) => EXPIRED.test(c)) ?? `state reason: ${seen.reason}`,
            },
            {
              statement: 'the active region moved away from region-1',
              holds: moved !== undefined,
              detail: moved ? `failover region-1 → ${moved.to_region}: ${moved.reason ?? ''}` : 'no failover',
            },
          ],
          notes: [
            `${tlsErrors} calls moved on from region-1 after a failed TLS handshake (transport error) within their own transaction`,
            `region-1 at the end: ${seen.state} (${seen.reason})`,
          ],
        };
      },
    ),
};
