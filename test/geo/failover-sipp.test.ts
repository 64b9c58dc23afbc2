/**
 * Automatic failover and failback against real SIP regions: sipp answering OPTIONS on loopback, probed with
 * sip_options through geored's SIP stack in the fast profile. SIGSTOP blackholes a region, SIGCONT brings
 * it back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GeographicRedundancy } from '../../src/geo/service';
import { HealthState } from '../../src/model/health-state';
import { stopAllSipp } from '../helpers/sipp';
import { twoSippRegions } from '../helpers/sipp-regions';
import type { TestDatabase } from '../store/databases';
import { FAST_HEALTH, configOf, newDatabase, openService, until } from './harness';

let db: TestDatabase | undefined;
const services: GeographicRedundancy[] = [];

afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  await stopAllSipp();
  await db?.drop();
  db = undefined;
});

async function start(lines: string[]): Promise<GeographicRedundancy> {
  db = await newDatabase('sqlite');
  const s = await openService({ config: configOf(db.url, [...FAST_HEALTH, ...lines]) });
  services.push(s);
  return s;
}

describe('automatic failover with sipp regions', () => {
  it('SIGSTOP the active region: failover recorded with reason and duration_ms; SIGCONT: failback after the delay', async () => {
    const { east, lines } = await twoSippRegions();
    const geo = await start(lines);
    await geo.configureFailback({ enabled: true, delay: 0.5, health_threshold: 0.5, automatic: true });
    await until(
      () => geo.getRegionHealth('us-east-1').checks.some((c) => c.success),
      'OPTIONS answered by us-east-1',
    );
    expect(geo.getActiveRegion()?.name).toBe('us-east-1');

    east.pause();
    const tookMs = await until(() => geo.getActiveRegion()?.name === 'us-west-1', 'failover to us-west-1');
    expect(geo.getRegionHealth('us-east-1').state).toBe(HealthState.DOWN);
    await until(async () => (await geo.getFailoverHistory(1)).length === 1, 'the history row');
    const [row] = await geo.getFailoverHistory(1);
    expect(row).toMatchObject({ from_region: 'us-east-1', to_region: 'us-west-1', automatic: true });
    expect(row!.reason).toMatch(/^us-east-1 is DOWN since .*, so failing over to us-west-1/);
    expect(geo.getRegionHealth('us-east-1').reason).toContain('consecutive sip_options failures');
    expect(row!.duration_ms).toBeGreaterThan(0);
    process.stdout.write(
      `failover seen ${Math.round(tookMs)} ms after SIGSTOP; duration_ms recorded ${row!.duration_ms}\n`,
    );

    east.resume();
    await until(() => geo.getActiveRegion()?.name === 'us-east-1', 'failback to us-east-1');
    await until(
      async () => (await geo.getFailoverHistory(1))[0]?.to_region === 'us-east-1',
      'the failback row',
    );
    const [back] = await geo.getFailoverHistory(1);
    expect(back).toMatchObject({ from_region: 'us-west-1', to_region: 'us-east-1', automatic: true });
    expect(back!.reason).toContain('failing back');
    // Every probe is a row in geo_health_checks (written in batches).
    await until(
      async () =>
        (await geo.store.listHealthChecks({ region: 'us-east-1', limit: 500 })).some((c) => !c.success),
      'a failed check row',
    );
    const rows = await geo.store.listHealthChecks({ region: 'us-east-1', limit: 500 });
    expect(rows.every((r) => r.check_method === 'sip_options')).toBe(true);
    expect(rows.some((r) => r.success)).toBe(true);
  }, 40_000);

  it('failback with automatic=false waits for approval; a rejected request is not asked again at once', async () => {
    const { east, lines } = await twoSippRegions();
    const geo = await start(lines);
    await geo.configureFailback({ enabled: true, delay: 0.3, health_threshold: 0.5, automatic: false });
    await until(() => geo.getRegionHealth('us-east-1').checks.some((c) => c.success), 'OPTIONS answered');
    east.pause();
    await until(() => geo.getActiveRegion()?.name === 'us-west-1', 'failover');
    east.resume();
    await until(async () => (await geo.listPendingFailbacks()).length === 1, 'a pending failback');
    const [req] = await geo.listPendingFailbacks();
    const rejected = await geo.rejectFailback(req!.id, 'bob');
    expect(rejected.decision).toBe('rejected');
    await new Promise((r) => setTimeout(r, 500));
    expect(await geo.listPendingFailbacks()).toHaveLength(0);
    expect(geo.getActiveRegion()?.name).toBe('us-west-1');
  }, 40_000);

  it('all regions down keeps the last active region and says so once', async () => {
    const { east, west, lines } = await twoSippRegions();
    const geo = await start(lines);
    const allDown: string[] = [];
    geo.on('all-down', (e) => allDown.push(e.reason));
    await until(() => geo.getRegionHealth('us-west-1').checks.some((c) => c.success), 'OPTIONS answered');
    east.pause();
    await until(() => geo.getActiveRegion()?.name === 'us-west-1', 'failover');
    west.pause();
    await until(() => allDown.length > 0, 'the all-down decision');
    await new Promise((r) => setTimeout(r, 500));
    expect(geo.getActiveRegion()?.name).toBe('us-west-1');
    expect(allDown).toHaveLength(1);
    expect(allDown[0]).toContain('ALL REGIONS ARE DOWN');
    const events = await geo.store.listEvents({ kind: 'all-regions-down', limit: 10 });
    expect(events).toHaveLength(1);
    expect(geo.routeCall({ number: null, sourceAddress: null }).order[0]).toBe('us-west-1');
    west.resume();
  }, 40_000);

  it('the flap guard suppresses a switch beyond max_switches and records it', async () => {
    const { east, west, lines } = await twoSippRegions();
    const geo = await start([
      ...lines,
      '    failover:',
      '      flap_guard: { max_switches: 1, window: 300 }',
    ]);
    await until(() => geo.getRegionHealth('us-west-1').checks.some((c) => c.success), 'OPTIONS answered');
    east.pause();
    await until(() => geo.getActiveRegion()?.name === 'us-west-1', 'the first (allowed) failover');
    east.resume();
    await until(() => geo.getRegionHealth('us-east-1').state === HealthState.HEALTHY, 'us-east-1 recovered');
    west.pause();
    await until(
      async () => (await geo.store.listEvents({ kind: 'switch-suppressed', limit: 5 })).length > 0,
      'a suppressed switch',
    );
    const [ev] = await geo.store.listEvents({ kind: 'switch-suppressed', limit: 5 });
    expect(ev!.reason).toContain('flap guard');
    expect(geo.getActiveRegion()?.name).toBe('us-west-1');
    west.resume();
  }, 40_000);
});
