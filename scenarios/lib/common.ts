/** Steps every scenario shares: a world started and always stopped, a load, the records settled. */
import type { GeoredProcess } from '../../test/helpers/geored-process';
import type { PbxRun } from './pbx';
import { World, until, type WorldOptions } from './world';

/** Starts a world, waits for region-1 to be active, runs `body`, and always stops everything. */
export async function withWorld<T>(opts: WorldOptions, body: (w: World) => Promise<T>): Promise<T> {
  const world = await World.start(opts);
  try {
    await until(async () => (await world.active()) === 'region-1', 'region-1 active at start-up', 30_000);
    const result = await body(world);
    // geored must never go away on its own (a store or Redis outage included): a death fails the run.
    if (world.deaths.length > 0) throw new Error(world.deaths.join('\n'));
    return result;
  } finally {
    await world.stop();
  }
}

/**
 * Waits (bounded) until every call the PBX saw answered has a call record that ended, so records are
 * counted once geored had its chance to write them; a record still missing after the bound counts as lost.
 */
export async function settleRecords(
  world: World,
  run: PbxRun,
  boundMs = 10_000,
  on: GeoredProcess = world.geored,
): Promise<void> {
  const answered = new Set(run.calls.filter((c) => c.answeredMs !== null).map((c) => c.callId));
  try {
    await until(
      async () => {
        const rows = await world.callRecords(on);
        let n = 0;
        for (const r of rows) if (answered.has(r.call_id) && r.final_status !== null) n++;
        return n >= answered.size;
      },
      'every answered call recorded',
      boundMs,
    );
  } catch {
    // Counted as lost by measure().
  }
}
