/**
 * Each example of the guide's Python API, run in TypeScript against the real service, on SQLite and on
 * PostgreSQL. Health comes from the guide's own kind of custom check (add_health_check_method), answered
 * per region by the test, so the examples need no provider on the network.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HealthState } from '../../src/model/health-state';
import type { GeographicRedundancy } from '../../src/geo/service';
import type { TestDatabase } from '../store/databases';
import { CONTROLLED_HEALTH, configOf, newDatabase, openService, until, type Dialect } from './harness';

const REGIONS = [
  {
    name: 'us-east-1',
    trunk_id: 'trunk-us-east',
    sip_server: 'sip.us-east.provider.com',
    priority: 1,
    location: 'Virginia, USA',
  },
  {
    name: 'us-west-1',
    trunk_id: 'trunk-us-west',
    sip_server: 'sip.us-west.provider.com',
    priority: 2,
    location: 'California, USA',
  },
  {
    name: 'eu-west-1',
    trunk_id: 'trunk-eu-west',
    sip_server: 'sip.eu-west.provider.com',
    priority: 3,
    location: 'Ireland, EU',
  },
];

describe.each<Dialect>(['sqlite', 'postgres'])('the guide examples on %s', (dialect) => {
  let db: TestDatabase | undefined;
  let geo: GeographicRedundancy | undefined;
  let health: Map<string, boolean>;

  afterEach(async () => {
    await geo?.stop();
    geo = undefined;
    await db?.drop();
    db = undefined;
  });

  async function setUp(extra: string[] = []): Promise<GeographicRedundancy> {
    db = await newDatabase(dialect);
    health = new Map();
    geo = await openService({
      config: configOf(db.url, [...CONTROLLED_HEALTH, ...extra]),
      controlled: health,
    });
    return geo;
  }

  async function registerAll(g: GeographicRedundancy): Promise<void> {
    await g.registerRegion({ ...REGIONS[0]!, capabilities: ['voice', 'sms', 'fax'] });
    for (const r of REGIONS.slice(1)) await g.registerRegion(r);
  }

  it('register_region, get_active_region, get_region_health (HealthState.HEALTHY)', async () => {
    const g = await setUp();
    const info = await g.registerRegion({ ...REGIONS[0]!, capabilities: ['voice', 'sms', 'fax'] });
    expect(info).toMatchObject({
      name: 'us-east-1',
      trunk_id: 'trunk-us-east',
      priority: 1,
      origin: 'api',
      capabilities: ['voice', 'sms', 'fax'],
    });
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    const active = g.getActiveRegion()!;
    expect(active).toMatchObject({
      name: 'us-east-1',
      trunk_id: 'trunk-us-east',
      priority: 1,
      health_state: 'healthy',
    });
    expect(Date.parse(active.active_since)).not.toBeNaN();
    await until(() => g.getRegionHealth('us-east-1').last_check !== null, 'a first probe');
    const h = g.getRegionHealth('us-east-1');
    expect(h.state).toBe(HealthState.HEALTHY);
    expect(h.checks.map((c) => c.method)).toEqual(['custom']);
    await expect(g.registerRegion(REGIONS[0]!)).rejects.toMatchObject({
      code: 'GEO_REGION_EXISTS',
      http: 409,
    });
    await expect(g.registerRegion({ ...REGIONS[1]!, priority: -1 })).rejects.toMatchObject({
      code: 'GEO_BAD_REGION',
      http: 400,
    });
    expect(() => g.getRegionHealth('nowhere')).toThrow(
      expect.objectContaining({ code: 'GEO_UNKNOWN_REGION', http: 404 }),
    );
  }, 30_000);

  it('manual_failover and get_failover_history', async () => {
    const g = await setUp();
    await registerAll(g);
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    const result = await g.manualFailover({
      target_region: 'us-west-1',
      reason: 'Planned maintenance',
      initiated_by: 'ops',
    });
    expect(result).toMatchObject({ success: true, from_region: 'us-east-1', to_region: 'us-west-1' });
    expect(g.getActiveRegion()?.name).toBe('us-west-1');
    const history = await g.getFailoverHistory();
    expect(history[0]).toMatchObject({
      from_region: 'us-east-1',
      to_region: 'us-west-1',
      automatic: false,
      initiated_by: 'ops',
    });
    expect(history[0]!.reason).toContain('Planned maintenance');
    // The manual choice holds: us-east-1 is healthy but has not failed and recovered since.
    await new Promise((r) => setTimeout(r, 300));
    expect(g.getActiveRegion()?.name).toBe('us-west-1');
    await expect(g.manualFailover({ target_region: 'mars-1' })).rejects.toMatchObject({ http: 404 });
    await expect(g.manualFailover({ target_region: 'us-west-1' })).rejects.toMatchObject({ http: 409 });
  }, 30_000);

  it('manual failover to a DOWN region is 409 without force and done with it', async () => {
    const g = await setUp();
    await registerAll(g);
    health.set('eu-west-1', false);
    await until(() => g.getRegionHealth('eu-west-1').state === HealthState.DOWN, 'eu-west-1 DOWN');
    await expect(g.manualFailover({ target_region: 'eu-west-1' })).rejects.toMatchObject({
      code: 'FAILOVER_TARGET_NOT_ELIGIBLE',
      http: 409,
    });
    const forced = await g.manualFailover({ target_region: 'eu-west-1', force: true, reason: 'drill' });
    expect(forced.success).toBe(true);
    expect(forced.reason).toContain('forced');
  }, 30_000);

  it('configure_health_check and add_health_check_method(custom, fn)', async () => {
    const g = await setUp();
    await registerAll(g);
    const seen: string[] = [];
    g.addHealthCheckMethod('custom', (region) => {
      seen.push(region.sip_server);
      return region.name !== 'eu-west-1';
    });
    const inForce = await g.configureHealthCheck({
      interval: 0.1,
      timeout: 10,
      retry_count: 3,
      check_methods: ['custom'],
    });
    expect(inForce).toMatchObject({ interval: 0.1, timeout: 10, retry_count: 3, check_methods: ['custom'] });
    await until(
      () => g.getRegionHealth('eu-west-1').state === HealthState.DOWN,
      'eu-west-1 DOWN by the custom check',
    );
    expect(seen).toContain('sip.us-east.provider.com');
    expect(g.getRegionHealth('eu-west-1').reason).toContain('3 consecutive custom failures');
    await expect(g.configureHealthCheck({ check_methods: ['carrier_pigeon'] })).rejects.toMatchObject({
      code: 'CHECK_UNKNOWN_METHOD',
    });
    await expect(g.configureHealthCheck({ interval: -1 })).rejects.toMatchObject({
      code: 'GEO_BAD_SETTING',
      http: 400,
    });
  }, 30_000);

  it('configure_failover: automatic failover after min_failure_duration / failover_delay, recorded with reason and duration_ms', async () => {
    const g = await setUp();
    await registerAll(g);
    expect(
      await g.configureFailover({ automatic: true, min_failure_duration: 60, failover_delay: 0 }),
    ).toEqual({
      automatic: true,
      min_failure_duration: 60,
      failover_delay: 0,
    });
    // 60 s is now a real minimum before DOWN (tested in virtual time in test/health/decide-health.test.ts);
    // 1 s keeps this wall-clock run short while still going through it.
    await g.configureFailover({ min_failure_duration: 1 });
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    health.set('us-east-1', false);
    await until(() => g.getActiveRegion()?.name === 'us-west-1', 'failover to us-west-1');
    // The switch reaches live state (and so the call path) before its history row is written.
    await until(async () => (await g.getFailoverHistory(1)).length === 1, 'the history row');
    const [row] = await g.getFailoverHistory(1);
    expect(row).toMatchObject({
      from_region: 'us-east-1',
      to_region: 'us-west-1',
      automatic: true,
      initiated_by: 'geored',
    });
    expect(row!.reason).toContain('us-east-1 is DOWN');
    // DOWN came through the minimum, and the region's reason says so.
    expect(g.getRegionHealth('us-east-1').reason).toContain(
      'failing continuously for min_failure_duration (1 s) or more',
    );
    expect(row!.duration_ms).toBeGreaterThanOrEqual(1000);
  }, 30_000);

  it('schedule_failover switches at the start and returns at the end', async () => {
    const g = await setUp();
    await registerAll(g);
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    const start = new Date(Date.now() + 400).toISOString();
    const s = await g.scheduleFailover({
      target_region: 'us-west-1',
      start_time: start,
      duration: 1,
      reason: 'Planned maintenance',
    });
    expect(s).toMatchObject({
      target_region: 'us-west-1',
      duration: 1,
      status: 'pending',
      reason: 'Planned maintenance',
    });
    await until(() => g.getActiveRegion()?.name === 'us-west-1', 'the scheduled switch');
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'the return at the end');
    await until(async () => (await g.getFailoverHistory(2)).length === 2, 'both history rows');
    const history = await g.getFailoverHistory(2);
    expect(history.map((h) => [h.from_region, h.to_region, h.initiated_by])).toEqual([
      ['us-west-1', 'us-east-1', `schedule:${s.id}`],
      ['us-east-1', 'us-west-1', `schedule:${s.id}`],
    ]);
    await until(
      async () => (await g.listScheduledFailovers())[0]?.status === 'completed',
      'the schedule completed',
    );
    await expect(g.cancelScheduledFailover(s.id)).rejects.toMatchObject({
      code: 'GEO_SCHEDULED_FAILOVER_OVER',
      http: 409,
    });
    await expect(g.cancelScheduledFailover(99_999)).rejects.toMatchObject({ http: 404 });
  }, 30_000);

  it('configure_failback with automatic=False: a pending approval, approved → failback', async () => {
    const g = await setUp();
    await registerAll(g);
    expect(
      await g.configureFailback({ enabled: true, delay: 0.5, health_threshold: 0.5, automatic: false }),
    ).toEqual({
      enabled: true,
      delay: 0.5,
      health_threshold: 0.5,
      automatic: false,
    });
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    health.set('us-east-1', false);
    await until(() => g.getActiveRegion()?.name === 'us-west-1', 'failover');
    health.set('us-east-1', true);
    await until(async () => (await g.listPendingFailbacks()).length > 0, 'a failback approval request');
    const [pending] = await g.listPendingFailbacks();
    expect(pending).toMatchObject({ from_region: 'us-west-1', to_region: 'us-east-1' });
    expect(pending!.reason).toContain("awaits an operator's approval");
    // Asked once, not every tick.
    await new Promise((r) => setTimeout(r, 300));
    expect(await g.listPendingFailbacks()).toHaveLength(1);
    expect(g.getActiveRegion()?.name).toBe('us-west-1');
    const done = await g.approveFailback(pending!.id, 'alice');
    expect(done).toMatchObject({ success: true, from_region: 'us-west-1', to_region: 'us-east-1' });
    expect(g.getActiveRegion()?.name).toBe('us-east-1');
    const [row] = await g.getFailoverHistory(1);
    expect(row).toMatchObject({ to_region: 'us-east-1', automatic: false, initiated_by: 'alice' });
    await expect(g.approveFailback(pending!.id, 'bob')).rejects.toMatchObject({
      code: 'GEO_FAILBACK_DECIDED',
      http: 409,
    });
  }, 30_000);

  it('test_failover(dry_run=True) returns the plan and changes nothing', async () => {
    const g = await setUp();
    await registerAll(g);
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    await until(() => g.getRegionHealth('us-west-1').score !== null, 'a score for us-west-1');
    const plan = await g.testFailover('us-east-1', 'us-west-1', true);
    expect(plan.ok, plan.reason).toBe(true);
    expect(plan).toMatchObject({ from_region: 'us-east-1', to_region: 'us-west-1', dry_run: true, ok: true });
    expect(plan.steps[0]).toContain('make us-west-1 the active region');
    expect(plan.checks.find((c) => c.name === 'target-eligible')?.ok).toBe(true);
    expect(g.getActiveRegion()?.name).toBe('us-east-1');
    expect(await g.getFailoverHistory()).toHaveLength(0);
    const bad = await g.testFailover('us-west-1', 'us-east-1');
    expect(bad.ok).toBe(false);
    expect(bad.reason).toContain('the active region is us-east-1');
  }, 30_000);

  it('get_region_metrics: uptime, latency, calls, failovers from the records', async () => {
    const g = await setUp();
    await registerAll(g);
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    await g.manualFailover({ target_region: 'us-west-1', reason: 'drill' });
    await g.store.recordCalls([
      {
        call_id: 'c1',
        direction: 'outbound',
        from_uri: 'sip:a@pbx',
        to_uri: 'sip:b@x',
        region: 'us-west-1',
        started_at: new Date(),
      },
      {
        call_id: 'c2',
        direction: 'outbound',
        from_uri: 'sip:a@pbx',
        to_uri: 'sip:c@x',
        region: 'us-west-1',
        started_at: new Date(),
      },
    ]);
    await until(
      () => g.getRegionHealth('us-west-1').checks.some((c) => c.success),
      'a good probe of us-west-1',
    );
    health.set('us-west-1', false);
    await until(() => g.getRegionHealth('us-west-1').state !== HealthState.HEALTHY, 'us-west-1 failing');
    const m = await g.getRegionMetrics('us-west-1');
    expect(Object.keys(m).sort()).toEqual([
      'average_latency_ms',
      'calls_handled',
      'failover_count',
      'last_failover',
      'uptime_percentage',
    ]);
    expect(m.calls_handled).toBe(2);
    expect(m.failover_count).toBeGreaterThanOrEqual(1);
    expect(m.last_failover).not.toBeNull();
    expect(m.uptime_percentage).toBeGreaterThan(0);
    expect(m.uptime_percentage).toBeLessThan(100);
    expect(m.average_latency_ms).toBeGreaterThanOrEqual(0);
  }, 30_000);

  it('enable_geo_load_balancing(proximity, weights) and configure_time_based_routing', async () => {
    const g = await setUp();
    await registerAll(g);
    const lb = await g.enableGeoLoadBalancing({
      strategy: 'proximity',
      weights: { 'us-east-1': 50, 'us-west-1': 30, 'eu-west-1': 20 },
    });
    expect(lb).toMatchObject({
      strategy: 'proximity',
      weights: { 'us-east-1': 50, 'us-west-1': 30, 'eu-west-1': 20 },
    });
    const firsts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const d = g.routeCall({ number: null, sourceAddress: null });
      firsts.set(d.order[0]!, (firsts.get(d.order[0]!) ?? 0) + 1);
    }
    // Shares converge to the weights (binomial spread at n=2000 is about ±3 points).
    expect(firsts.get('us-east-1')! / 2000).toBeGreaterThan(0.4);
    expect(firsts.get('eu-west-1')! / 2000).toBeLessThan(0.3);
    await expect(
      g.enableGeoLoadBalancing({ strategy: 'proximity', weights: { 'ap-south-1': 5 } }),
    ).rejects.toMatchObject({ http: 400 });

    const tb = await g.configureTimeBasedRouting({
      '00:00-08:00': 'eu-west-1',
      '08:00-17:00': 'us-east-1',
      '17:00-24:00': 'us-west-1',
    });
    expect(tb.strategy).toBe('time_of_day');
    const at = (hhmm: string) => Date.parse(`2025-01-15T${hhmm}:00Z`);
    expect(g.routeCall({ number: null, sourceAddress: null }, at('03:00')).order[0]).toBe('eu-west-1');
    expect(g.routeCall({ number: null, sourceAddress: null }, at('12:00')).order[0]).toBe('us-east-1');
    expect(g.routeCall({ number: null, sourceAddress: null }, at('23:59')).order[0]).toBe('us-west-1');
    await expect(g.configureTimeBasedRouting({ '25:00-26:00': 'us-east-1' })).rejects.toMatchObject({
      code: 'ROUTING_BAD_TIME_RANGE',
    });
  }, 30_000);
});
