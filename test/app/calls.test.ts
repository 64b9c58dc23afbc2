/**
 * Calls through the real `geored serve`: a sipp PBX places calls to geored, which routes them to sipp
 * regions configured in its file, with per-call failover when a region is blackholed (SIGSTOP) or answers
 * 503, and records every call (GET /api/calls) and its metrics (/metrics).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSipp } from '../helpers/sipp';
import {
  FAST_HEALTH,
  TOKEN,
  GEO,
  activeRegion,
  calls,
  get,
  metricSum,
  regionLines,
  runUac,
  startGeored,
  stopEverything,
  until,
} from './harness';

afterEach(stopEverything);

/**
 * Two sipp regions behind geored. `steady` is for tests that expect no failover at all: probes and the
 * provisional timeout get room, so a loaded CI machine that answers slowly is not taken for an outage.
 */
async function twoRegions(eastScenario: string, steady = false) {
  const east = await startSipp({ scenario: eastScenario });
  const west = await startSipp({ scenario: 'region-uas.xml' });
  const geored = await startGeored(
    [
      steady ? '    health_check: { interval: 1, timeout: 3, retry_count: 3 }' : FAST_HEALTH,
      '    regions:',
      ...regionLines('us-east-1', 1, east.port),
      ...regionLines('us-west-1', 2, west.port),
    ],
    steady ? ['proxy: { provisional_timeout_ms: 5000 }'] : [],
  );
  return { east, west, geored };
}

describe('calls through geored serve', () => {
  it('50 calls at 10/s complete through geored, are listed with their region, and show in /metrics', async () => {
    const { geored } = await twoRegions('region-uas.xml', true);
    await until(async () => (await activeRegion(geored)) === 'us-east-1', 'us-east-1 active');
    const run = await runUac('pbx-uac.xml', geored.sipPort, 50, 10);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(50);
    expect(run.failed).toBe(0);

    await until(
      async () => (await calls(geored)).filter((c) => c.ended_at !== null).length === 50,
      '50 ended call records',
    );
    const rows = await calls(geored);
    expect(rows).toHaveLength(50);
    for (const r of rows) {
      expect(r.direction).toBe('outbound');
      expect(r.region).toBe('us-east-1');
      expect(r.final_status).toBe(200);
      expect(r.attempts.map((a) => [a.region, a.status])).toEqual([['us-east-1', 200]]);
      // Each record keeps why it was routed so: the routing decision's own sentence.
      expect(r.routing_reason).toMatch(/^Priority routing: us-east-1 first/);
    }
    expect(await calls(geored, 'region=us-west-1')).toHaveLength(0);
    const metrics = (await get(geored, `${GEO}/regions/us-east-1/metrics`)) as { calls_handled: number };
    expect(metrics.calls_handled).toBe(50);

    // (f) the call path's metrics, scraped from the process.
    const text = await get<string>(geored, '/metrics');
    expect(metricSum(text, 'geored_calls_total', { region: 'us-east-1' })).toBe(50);
    expect(metricSum(text, 'geored_proxy_added_latency_seconds_count')).toBeGreaterThanOrEqual(100);
    expect(metricSum(text, 'geored_sip_messages_in_total', { value: 'INVITE' })).toBeGreaterThanOrEqual(50);
    expect(await geored.stop()).toBe(0);
  }, 90_000);

  it('a region blackholed (SIGSTOP) during 20 calls/s for 6 s: zero failed setups, and the active region changes', async () => {
    const { east, geored } = await twoRegions('region-uas.xml');
    await until(async () => (await activeRegion(geored)) === 'us-east-1', 'us-east-1 active');
    const load = runUac('pbx-uac.xml', geored.sipPort, 120, 20);
    await new Promise((r) => setTimeout(r, 2000));
    east.pause();
    await until(async () => (await activeRegion(geored)) === 'us-west-1', 'failover to us-west-1', 10_000);
    // Back before the load ends, so calls it carried before the outage can end with their BYE.
    east.resume();
    const run = await load;
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(120);
    expect(run.failed).toBe(0);
    const history = (
      await get<{ failovers: Array<Record<string, unknown>> }>(geored, `${GEO}/failover-history`)
    ).failovers;
    expect(history[0]).toMatchObject({ from_region: 'us-east-1', to_region: 'us-west-1', automatic: true });
    await until(
      async () => (await calls(geored)).filter((c) => c.final_status !== null).length === 120,
      '120 settled call records',
    );
    const rows = await calls(geored);
    expect(rows.every((r) => r.final_status === 200)).toBe(true);
    // Some calls were caught in the outage and moved to us-west-1 within their own transaction.
    expect(
      rows.some(
        (r) => r.region === 'us-west-1' && r.attempts[0]?.region === 'us-east-1' && r.attempts.length === 2,
      ),
    ).toBe(true);
  }, 120_000);

  it('a region answering 503: zero failed setups, every call carried by the next region', async () => {
    const { geored } = await twoRegions('region-503.xml');
    const run = await runUac('pbx-uac.xml', geored.sipPort, 30, 10);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(30);
    expect(run.failed).toBe(0);
    await until(
      async () => (await calls(geored)).filter((c) => c.final_status !== null).length === 30,
      '30 settled call records',
    );
    const rows = await calls(geored);
    for (const r of rows) {
      expect(r.final_status).toBe(200);
      expect(r.region).toBe('us-west-1');
    }
    // The 503s are passive health signals: enough of them in a row take us-east-1 out of first place.
    expect(rows.some((r) => r.attempts[0]?.region === 'us-east-1' && r.attempts[0]?.status === 503)).toBe(
      true,
    );
  }, 90_000);

  it('a region added through the REST API carries calls without a restart', async () => {
    const west = await startSipp({ scenario: 'region-uas.xml' });
    const geored = await startGeored([FAST_HEALTH]);
    const res = await fetch(`${geored.apiUrl}${GEO}/region`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'us-west-1',
        trunk_id: 'trunk-us-west',
        sip_server: `127.0.0.1:${west.port}`,
        priority: 1,
      }),
    });
    expect(res.status, await res.text()).toBeLessThan(300);
    await until(async () => (await activeRegion(geored).catch(() => '')) === 'us-west-1', 'us-west-1 active');
    const run = await runUac('pbx-uac.xml', geored.sipPort, 5, 5);
    expect(run.code, run.output).toBe(0);
    await until(async () => (await calls(geored)).length === 5, '5 call records');
    expect((await calls(geored)).every((r) => r.region === 'us-west-1')).toBe(true);
  }, 90_000);
});
