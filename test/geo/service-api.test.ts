/**
 * The rest of the TypeScript API: the process-wide instance, region update and removal, TTL pushes,
 * passive call outcomes, events and routeCall.
 */
import { existsSync } from 'node:fs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { GeographicRedundancy } from '../../src/geo/service';
import { getGeographicRedundancy, resetGeographicRedundancy } from '../../src/geo/singleton';
import { HealthState } from '../../src/model/health-state';
import type { GeoEvent } from '../../src/geo/types';
import type { TestDatabase } from '../store/databases';
import { CONTROLLED_HEALTH, configOf, newDatabase, openService, until } from './harness';

let db: TestDatabase | undefined;
let geo: GeographicRedundancy | undefined;

afterEach(async () => {
  await geo?.stop();
  geo = undefined;
  await resetGeographicRedundancy();
  await db?.drop();
  db = undefined;
});

const WEST = {
  name: 'us-west-1',
  trunk_id: 'trunk-us-west',
  sip_server: 'sip.us-west.provider.com',
  priority: 2,
};
const EAST = {
  name: 'us-east-1',
  trunk_id: 'trunk-us-east',
  sip_server: 'sip.us-east.provider.com',
  priority: 1,
};

describe('getGeographicRedundancy', () => {
  it('is one started instance per process; memoryStore keeps records in memory', async () => {
    db = await newDatabase('sqlite');
    const config = configOf(db.url, CONTROLLED_HEALTH);
    const first = await getGeographicRedundancy(config, {
      memoryStore: true,
      logger: pino({ level: 'silent' }),
    });
    const again = await getGeographicRedundancy();
    expect(again).toBe(first);
    expect(first.status).toBe('running');
    expect(first.store.url).toBe('sqlite::memory:');
    await first.registerRegion(EAST);
    expect(first.getRegion('us-east-1')?.origin).toBe('api');
    // Nothing reached the configured file.
    expect(existsSync(db.url.slice('sqlite:'.length))).toBe(false);
    await resetGeographicRedundancy();
    expect(first.status).toBe('stopped');
  }, 30_000);
});

describe('regions, TTL checks, call outcomes and events', () => {
  async function setUp(extra: string[] = []): Promise<GeographicRedundancy> {
    db = await newDatabase('sqlite');
    geo = await openService({
      config: configOf(db.url, [...CONTROLLED_HEALTH, ...extra]),
      controlled: new Map(),
    });
    return geo;
  }

  it('updateRegion changes an API region (persisted); removeRegion moves the active region away', async () => {
    const g = await setUp();
    await g.registerRegion(EAST);
    await g.registerRegion(WEST);
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    // Priority 0 is refused now, as config.yml refuses it (1 is the highest): test/validation/drift.test.ts.
    const updated = await g.updateRegion('us-west-1', { priority: 5, location: 'California, USA' });
    expect(updated).toMatchObject({ name: 'us-west-1', priority: 5, location: 'California, USA' });
    expect((await g.store.getRegion('us-west-1'))?.priority).toBe(5);
    await expect(g.updateRegion('us-west-1', { sip_server: 'sip:bad@x' })).rejects.toMatchObject({
      code: 'GEO_BAD_REGION',
      http: 400,
    });
    await expect(g.updateRegion('nowhere', { priority: 3 })).rejects.toMatchObject({ http: 404 });
    expect(await g.removeRegion('us-east-1')).toEqual({ removed: 'us-east-1' });
    await until(() => g.getActiveRegion()?.name === 'us-west-1', 'the remaining region active');
    expect(g.listRegions().map((r) => r.name)).toEqual(['us-west-1']);
    expect(await g.store.getRegion('us-east-1')).toBeNull();
  }, 30_000);

  it('a push to a check that is not a TTL check is refused', async () => {
    const g = await setUp([]);
    await g.configureHealthCheck({ check_methods: ['custom'] });
    await g.registerRegion(EAST);
    expect(() => g.pushTtlCheck('us-east-1', 'custom', 'pass')).toThrow(
      expect.objectContaining({ code: 'CHECK_NOT_TTL' }),
    );
  }, 30_000);

  it('TTL checks from the config file take pushes', async () => {
    db = await newDatabase('sqlite');
    geo = await openService({
      config: configOf(db.url, [
        ...CONTROLLED_HEALTH.filter((l) => !l.includes('jitter')),
        '      jitter: 0',
        '      check_methods: [provider_status]',
        '      custom_checks:',
        '        - { name: provider_status, type: ttl, ttl: 30 }',
        '    regions:',
        '      - { name: us-east-1, priority: 1, trunk_id: t1, sip_server: sip.us-east.provider.com }',
        '      - { name: us-west-1, priority: 2, trunk_id: t2, sip_server: sip.us-west.provider.com }',
      ]),
    });
    const g = geo;
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    expect(g.pushTtlCheck('us-east-1', 'provider_status', 'fail', 'provider says maintenance')).toEqual({
      region: 'us-east-1',
      check: 'provider_status',
      status: 'fail',
    });
    await until(
      () => g.getRegionHealth('us-east-1').state === HealthState.DOWN,
      'us-east-1 DOWN by its TTL push',
    );
    expect(g.getRegionHealth('us-east-1').reason).toContain('provider says maintenance');
    await until(() => g.getActiveRegion()?.name === 'us-west-1', 'failover on the pushed failure');
    expect(() => g.pushTtlCheck('mars-1', 'provider_status', 'pass')).toThrow(
      expect.objectContaining({ http: 404 }),
    );
  }, 30_000);

  it('failed calls reported by the call path mark the region DOWN and fail over; events are heard', async () => {
    const g = await setUp();
    const events: GeoEvent[] = [];
    g.on('state', (e) => events.push(e));
    g.on('failover', (e) => events.push(e));
    await g.registerRegion(EAST);
    await g.registerRegion(WEST);
    await until(() => g.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    expect(g.routeCall({ number: '+15551234567', sourceAddress: '127.0.0.1' }).order).toEqual([
      'us-east-1',
      'us-west-1',
    ]);
    // The custom check keeps passing: only the calls say the region is failing.
    for (let i = 0; i < 3; i++) g.reportCallOutcome('us-east-1', 'timeout');
    await until(() => g.getActiveRegion()?.name === 'us-west-1', 'failover on passive signals');
    expect(g.getRegionHealth('us-east-1').reason).toContain(
      'consecutive failed calls reported by the call path',
    );
    expect(
      events.find((e) => e.type === 'state' && e.region === 'us-east-1' && e.to === HealthState.DOWN),
    ).toBeDefined();
    expect(events.find((e) => e.type === 'failover')).toMatchObject({
      from_region: 'us-east-1',
      to_region: 'us-west-1',
      automatic: true,
    });
    expect(g.routeCall({ number: null, sourceAddress: null }).order[0]).toBe('us-west-1');
  }, 30_000);

  it('every probe is a geo_health_checks row, and the table is pruned to its retention bound', async () => {
    db = await newDatabase('sqlite');
    geo = await openService({
      config: configOf(db.url, [
        ...CONTROLLED_HEALTH,
        '      retention: { max_rows: 5, max_age_days: 30 }',
        '    regions:',
        '      - { name: us-east-1, priority: 1, trunk_id: t1, sip_server: sip.us-east.provider.com }',
      ]),
      controlled: new Map(),
    });
    const g = geo;
    let probes = 0;
    g.addHealthCheckMethod('custom', () => {
      probes++;
      return true;
    });
    await until(() => probes > 20, 'more probes than the retention bound');
    await until(async () => {
      const rows = await g.store.listHealthChecks({ region: 'us-east-1', limit: 100 });
      return rows.length > 0 && rows.length <= 5;
    }, 'the table pruned to 5 rows');
    const rows = await g.store.listHealthChecks({ region: 'us-east-1', limit: 100 });
    expect(rows.every((r) => r.check_method === 'custom' && r.success)).toBe(true);
  }, 30_000);
});
