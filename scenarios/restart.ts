/**
 * 8. geored SIGKILLed in the middle of a failover and restarted on the same config, ports and store.
 * Before the kill there is state worth keeping: a failover in the history (region-1 blackholed, then back),
 * the failback to region-1 awaiting an operator's approval, a failover scheduled for later, and a simulated
 * failure of region-3. Then the active region (region-2) is blackholed and geored is killed the moment it
 * sees region-2 failing (before or while it switches), and started again.
 */
import { settleRecords, withWorld } from './lib/common';
import { callsFor, measure, type Invariant, type Scenario } from './lib/measure';
import { startPbxLoad } from './lib/pbx';
import { FAST_HEALTH, GEO, sleep, until, type FailoverRow } from './lib/world';

interface Kept {
  history: FailoverRow[];
  scheduled: Array<{ id: number; target_region: string; status: string }>;
  pending: Array<{ id: number; from_region: string; to_region: string }>;
  simulatedUntil: string | null;
}

export const restart: Scenario = {
  name: 'sigkill-restart',
  title: 'geored SIGKILLed mid-failover and restarted',
  invariant:
    'history, scheduled failovers, pending approvals and simulations survive; calls placed once it is back all set up; no answered call loses its record',
  run: (mode) =>
    withWorld(
      {
        health: FAST_HEALTH,
        failback: { enabled: true, delay: 1, health_threshold: 0, automatic: false },
      },
      async (world) => {
        const kept = async (): Promise<Kept> => ({
          history: await world.history(),
          scheduled: (
            await world.get<{ scheduled_failovers: Kept['scheduled'] }>(`${GEO}/scheduled-failovers`)
          ).scheduled_failovers,
          pending: (await world.get<{ pending: Kept['pending'] }>(`${GEO}/failback/pending`)).pending,
          simulatedUntil:
            (await world.get<{ simulated_until: string | null }>(`${GEO}/regions/region-3/health`))
              .simulated_until ?? null,
        });
        // State worth keeping.
        const r1 = world.region('region-1').relay;
        r1.set({ blackhole: true });
        await until(async () => (await world.active()) === 'region-2', 'failover to region-2');
        r1.set({});
        await until(
          async () => (await kept()).pending.length > 0,
          'a failback to region-1 awaiting approval',
        );
        const sched = await world.request('POST', `${GEO}/scheduled-failovers`, {
          target_region: 'region-3',
          start_time: new Date(Date.now() + 3_600_000).toISOString(),
          duration: 600,
          reason: 'scenario sigkill-restart: maintenance later',
        });
        const sim = await world.request('POST', `${GEO}/simulate-failure`, {
          region: 'region-3',
          duration: 3600,
        });
        const before = await kept();

        const { calls, rate } = callsFor(mode);
        const load = await startPbxLoad({ target: world.sipTarget, calls: calls * 2, rate, timeoutS: 180 });
        await sleep(1500);
        const faultStart = Date.now();
        world.region('region-2').relay.set({ blackhole: true });
        await until(
          () =>
            world.geored
              .logs()
              .some(
                (l) => l['region'] === 'region-2' && typeof l['to'] === 'string' && l['to'] !== 'healthy',
              ),
          'region-2 failing',
        );
        world.keepLogs();
        const killedAt = Date.now();
        const { downMs } = await world.restart('SIGKILL');
        const backAt = Date.now();
        // region-2 back once geored is, so the calls it held before the kill can end.
        await sleep(1000);
        world.region('region-2').relay.set({});
        const run = await load.done;
        await settleRecords(world, run);
        const after = await kept();
        const m = await measure(world, {
          run,
          faultStart,
          faultEnd: backAt,
          faultedRegions: ['region-1', 'region-2'],
          caught: 'in-window',
        });
        const placedAfter = run.calls.filter((c) => run.epochMs + c.startMs > backAt);
        const failedAfter = placedAfter.filter((c) => c.answeredMs === null).length;
        const answeredBeforeKill = run.calls.filter(
          (c) => c.answeredMs !== null && run.epochMs + c.answeredMs < killedAt,
        ).length;
        const ids = (xs: Array<{ id: number }>) => xs.map((x) => x.id).sort();
        const invariants: Invariant[] = [
          {
            statement: 'the setup before the kill worked (schedule and simulation accepted)',
            holds: sched.status < 300 && sim.status < 300 && before.simulatedUntil !== null,
            detail: `schedule ${sched.status}, simulation ${sim.status}`,
          },
          {
            statement: 'every failover in the history before the kill is there after it',
            holds: before.history.every((h) =>
              after.history.some((a) => a.occurred_at === h.occurred_at && a.to_region === h.to_region),
            ),
            detail: `${before.history.length} rows before, ${after.history.length} after`,
          },
          {
            statement: 'the scheduled failover is still pending',
            holds:
              JSON.stringify(ids(before.scheduled)) === JSON.stringify(ids(after.scheduled)) &&
              after.scheduled.every((s) => s.status === 'pending'),
            detail: `before ${JSON.stringify(before.scheduled.map((s) => s.status))}, after ${JSON.stringify(after.scheduled.map((s) => s.status))}`,
          },
          {
            statement: 'the failback awaiting approval still awaits it',
            holds: before.pending.every((p) => after.pending.some((a) => a.id === p.id)),
            detail: `pending before ${JSON.stringify(ids(before.pending))}, after ${JSON.stringify(ids(after.pending))}`,
          },
          {
            statement: 'the simulated failure of region-3 is still in force',
            holds: after.simulatedUntil === before.simulatedUntil,
            detail: `until ${String(before.simulatedUntil)} before, ${String(after.simulatedUntil)} after`,
          },
          {
            statement: 'every call placed once geored was back set up',
            holds: placedAfter.length > 0 && failedAfter === 0,
            detail: `${failedAfter} of ${placedAfter.length} failed`,
          },
          {
            statement: 'no answered call lost its record',
            holds: m.recordsLost === 0,
            detail: `${m.recordsLost} answered calls without a record (${answeredBeforeKill} answered before the kill)`,
          },
        ];
        return {
          name: restart.name,
          title: restart.title,
          mode,
          measured: m,
          invariants,
          notes: [
            `geored was down ${downMs} ms (SIGKILL to /readyz 200 again); active region after the restart: ${String(await world.active())}`,
            'Trunk registrations across the restart are not exercised here (the regions are IP-authenticated).',
          ],
        };
      },
    ),
};
