/**
 * A restart loses nothing that was recorded: regions added through the API, history, settings, scheduled
 * failovers (which still switch and return), pending failback approvals, and the manual choice of region.
 * Also simulate-failure / end-simulation. Run on SQLite and PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GeographicRedundancy } from '../../src/geo/service';
import { HealthState } from '../../src/model/health-state';
import type { TestDatabase } from '../store/databases';
import { CONTROLLED_HEALTH, configOf, newDatabase, openService, until, type Dialect } from './harness';

const CONFIG_REGION = [
  '    regions:',
  '      - name: us-east-1',
  '        priority: 1',
  '        trunk_id: trunk-us-east',
  '        sip_server: sip.us-east.provider.com',
];

/** Adds the API region us-west-1 (priority 2) and waits for the config region us-east-1 to be active. */
async function addWestAndSettle(geo: GeographicRedundancy): Promise<void> {
  await geo.registerRegion({
    name: 'us-west-1',
    trunk_id: 'trunk-us-west',
    sip_server: 'sip.us-west.provider.com',
    priority: 2,
  });
  await until(() => geo.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
}

describe.each<Dialect>(['sqlite', 'postgres'])('restart and simulations on %s', (dialect) => {
  let db: TestDatabase | undefined;
  const open: GeographicRedundancy[] = [];

  afterEach(async () => {
    for (const s of open.splice(0)) await s.stop();
    await db?.drop();
    db = undefined;
  });

  async function boot(health: Map<string, boolean>): Promise<GeographicRedundancy> {
    db ??= await newDatabase(dialect);
    const s = await openService({
      config: configOf(db.url, [...CONTROLLED_HEALTH, ...CONFIG_REGION]),
      controlled: health,
    });
    open.push(s);
    return s;
  }

  it('keeps API regions, history, settings, the manual choice and pending approvals', async () => {
    const health = new Map<string, boolean>();
    const first = await boot(health);
    await first.registerRegion({
      name: 'us-west-1',
      trunk_id: 'trunk-us-west',
      sip_server: 'sip.us-west.provider.com',
      priority: 2,
      capabilities: ['voice'],
      weight: 3,
    });
    await first.registerRegion({
      name: 'eu-west-1',
      trunk_id: 'trunk-eu-west',
      sip_server: 'sip.eu-west.provider.com',
      priority: 3,
    });
    await first.configureFailover({ failover_delay: 0.1 });
    await first.configureFailback({ enabled: true, delay: 0.2, health_threshold: 0.5, automatic: false });
    await first.enableGeoLoadBalancing({
      strategy: 'proximity',
      weights: { 'us-east-1': 5, 'us-west-1': 1 },
    });
    await until(() => first.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    await first.manualFailover({ target_region: 'eu-west-1', reason: 'drill', initiated_by: 'ops' });
    await expect(first.removeRegion('us-east-1')).rejects.toMatchObject({
      code: 'GEO_REGION_FROM_CONFIG',
      http: 409,
    });
    await first.stop();

    const second = await boot(health);
    expect(second.listRegions().map((r) => [r.name, r.priority])).toEqual([
      ['us-east-1', 1],
      ['us-west-1', 2],
      ['eu-west-1', 3],
    ]);
    expect(second.getRegion('us-west-1')).toMatchObject({
      origin: 'api',
      capabilities: ['voice'],
      weight: 3,
    });
    expect(second.getRegion('us-east-1')?.origin).toBe('config');
    expect((await second.getFailoverHistory())[0]).toMatchObject({
      to_region: 'eu-west-1',
      initiated_by: 'ops',
    });
    expect(await second.configureFailover({})).toMatchObject({ failover_delay: 0.1 });
    expect(await second.configureFailback({})).toMatchObject({ enabled: true, automatic: false, delay: 0.2 });
    expect(second.geoConfig().routing).toMatchObject({
      strategy: 'proximity',
      weights: { 'us-east-1': 5, 'us-west-1': 1 },
    });
    // The operator's choice survives: us-east-1 has not failed and recovered since.
    await new Promise((r) => setTimeout(r, 300));
    expect(second.getActiveRegion()?.name).toBe('eu-west-1');

    // us-east-1 fails and recovers: a failback request, which must survive the next restart.
    health.set('us-east-1', false);
    await until(() => second.getRegionHealth('us-east-1').state === HealthState.DOWN, 'us-east-1 DOWN');
    health.set('us-east-1', true);
    await until(async () => (await second.listPendingFailbacks()).length === 1, 'a failback request');
    await second.stop();

    const third = await boot(health);
    const [pending] = await third.listPendingFailbacks();
    expect(pending).toMatchObject({ from_region: 'eu-west-1', to_region: 'us-east-1' });
    await until(() => third.getRegionHealth('us-east-1').healthy_since !== null, 'us-east-1 healthy again');
    await new Promise((r) => setTimeout(r, 300)); // failback delay
    const result = await third.approveFailback(pending!.id, 'alice');
    expect(result, result.reason).toMatchObject({ success: true, to_region: 'us-east-1' });
  }, 60_000);

  it('a scheduled failover survives a restart: it switches at the start and returns at the end', async () => {
    const health = new Map<string, boolean>();
    const first = await boot(health);
    await addWestAndSettle(first);
    const start = new Date(Date.now() + 1500).toISOString();
    const s = await first.scheduleFailover({
      target_region: 'us-west-1',
      start_time: start,
      duration: 1.5,
      reason: 'maintenance',
    });
    await first.stop();

    const second = await boot(health);
    expect((await second.listScheduledFailovers()).map((x) => [x.id, x.status])).toEqual([[s.id, 'pending']]);
    await until(() => second.getActiveRegion()?.name === 'us-west-1', 'the scheduled switch');
    await until(
      async () => (await second.listScheduledFailovers())[0]?.status === 'active',
      'the schedule active',
    );
    await until(() => second.getActiveRegion()?.name === 'us-east-1', 'the return at the end');
    await until(
      async () => (await second.listScheduledFailovers())[0]?.status === 'completed',
      'the schedule completed',
    );
  }, 60_000);

  it('a cancelled schedule in force returns to the normal choice at once', async () => {
    const health = new Map<string, boolean>();
    const geo = await boot(health);
    await addWestAndSettle(geo);
    const s = await geo.scheduleFailover({
      target_region: 'us-west-1',
      start_time: new Date().toISOString(),
      duration: 3600,
    });
    await until(() => geo.getActiveRegion()?.name === 'us-west-1', 'the scheduled switch');
    expect((await geo.cancelScheduledFailover(s.id)).status).toBe('cancelled');
    await until(() => geo.getActiveRegion()?.name === 'us-east-1', 'the return after cancel');
  }, 60_000);

  it('simulate-failure makes the region DOWN (failover), end-simulation shows its real state again', async () => {
    const health = new Map<string, boolean>();
    const geo = await boot(health);
    await addWestAndSettle(geo);
    const sim = await geo.simulateFailure('us-east-1', 300);
    expect(Date.parse(sim.until)).toBeGreaterThan(Date.now());
    await until(() => geo.getActiveRegion()?.name === 'us-west-1', 'failover on the simulated failure');
    const h = geo.getRegionHealth('us-east-1');
    expect(h.state).toBe(HealthState.DOWN);
    expect(h.reason).toContain('failure simulated until');
    expect(h.simulated_until).toBe(sim.until);
    const ended = await geo.endSimulation();
    expect(ended.map((e) => e.region)).toEqual(['us-east-1']);
    await until(() => geo.getRegionHealth('us-east-1').state === HealthState.HEALTHY, 'the real state again');
    expect(geo.getRegionHealth('us-east-1').simulated_until).toBeNull();
    await expect(geo.simulateFailure('nowhere', 10)).rejects.toMatchObject({ http: 404 });
    await expect(geo.simulateFailure('us-east-1', 0)).rejects.toMatchObject({ http: 400 });
  }, 60_000);

  it('a short simulation ends on its own', async () => {
    const geo = await boot(new Map());
    await until(() => geo.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    await geo.simulateFailure('us-east-1', 0.3);
    await until(() => geo.getRegionHealth('us-east-1').state === HealthState.DOWN, 'DOWN while simulated');
    await until(
      () => geo.getRegionHealth('us-east-1').state === HealthState.HEALTHY,
      'HEALTHY after the end',
    );
  }, 60_000);
});
