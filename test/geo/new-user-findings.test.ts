/**
 * What a new user of the guide found (issue 7), each against a real service on a real store: the
 * geo_regions table follows live state, `enabled: false` stops probes and failover, a scheduled window in
 * the past is refused, test_failover plans what it would do, settings reads never write, and active_since
 * survives a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GeoredError } from '../../src/errors/catalogue';
import { parseConfig } from '../../src/config';
import type { GeographicRedundancy } from '../../src/geo/service';
import { SETTINGS_KEY } from '../../src/geo/settings';
import { HealthState } from '../../src/model/health-state';
import { ADMIN, call, P, READER, startApi, type TestApi } from '../api/harness';
import type { TestDatabase } from '../store/databases';
import {
  CONTROLLED_HEALTH,
  TWO_REGIONS as REGIONS,
  configOf,
  newDatabase,
  openService,
  until,
  type Dialect,
} from './harness';

function thrown(fn: () => unknown): Promise<GeoredError> {
  return Promise.resolve()
    .then(fn)
    .then(
      () => {
        throw new Error('expected an error');
      },
      (e: unknown) => {
        if (e instanceof GeoredError) return e;
        throw e;
      },
    );
}

describe.each<Dialect>(['sqlite', 'postgres'])('new-user findings on %s', (dialect) => {
  let db: TestDatabase | undefined;
  const open: GeographicRedundancy[] = [];

  afterEach(async () => {
    for (const s of open.splice(0)) await s.stop();
    await db?.drop();
    db = undefined;
  });

  async function boot(
    health = new Map<string, boolean>(),
    geoLines = REGIONS,
  ): Promise<GeographicRedundancy> {
    db ??= await newDatabase(dialect);
    const s = await openService({
      config: configOf(db.url, [...CONTROLLED_HEALTH, ...geoLines]),
      controlled: health,
    });
    open.push(s);
    return s;
  }

  /** geo_regions as an external tool reads it (the guide's schema). */
  async function table(): Promise<Record<string, { health_state: unknown; is_active: boolean }>> {
    const rows = (await db!.sql(
      'SELECT name, health_state, is_active FROM geo_regions ORDER BY name',
    )) as Array<{
      name: string;
      health_state: unknown;
      is_active: unknown;
    }>;
    return Object.fromEntries(
      rows.map((r) => [
        r.name,
        { health_state: r.health_state, is_active: r.is_active === true || r.is_active === 1 },
      ]),
    );
  }

  it('geo_regions.health_state and is_active follow the live state, also for a region whose state never changed', async () => {
    const health = new Map<string, boolean>();
    const geo = await boot(health);
    await until(() => geo.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    await until(
      async () =>
        JSON.stringify(await table()) ===
        JSON.stringify({
          'us-east-1': { health_state: 'healthy', is_active: true },
          'us-west-1': { health_state: 'healthy', is_active: false },
        }),
      'the table to show both regions HEALTHY and us-east-1 active',
    );
    health.set('us-east-1', false);
    await until(() => geo.getActiveRegion()?.name === 'us-west-1', 'failover to us-west-1');
    await until(
      async () =>
        JSON.stringify(await table()) ===
        JSON.stringify({
          'us-east-1': { health_state: 'down', is_active: false },
          'us-west-1': { health_state: 'healthy', is_active: true },
        }),
      'the table to follow the failover',
    );
    // A region added through the API has a row that says what the API says, before any state change.
    await geo.registerRegion({
      name: 'eu-west-1',
      trunk_id: 't-eu',
      sip_server: 'sip.eu.provider.com',
      priority: 3,
    });
    await until(async () => (await table())['eu-west-1']?.health_state === 'healthy', 'the API region row');
    expect((await table())['eu-west-1']?.is_active).toBe(false);
  }, 60_000);

  it('active_since survives a restart', async () => {
    const first = await boot();
    await until(() => first.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    const since = first.getActiveRegion()!.active_since;
    await first.stop();
    open.splice(open.indexOf(first), 1);
    await new Promise((r) => setTimeout(r, 20)); // so a reset to the restart time could not look equal
    const second = await boot();
    await until(() => second.getActiveRegion()?.name === 'us-east-1', 'us-east-1 restored');
    expect(second.getActiveRegion()!.active_since).toBe(since);
  }, 60_000);

  it('refuses a scheduled failover whose window is entirely in the past, and records nothing', async () => {
    const geo = await boot();
    await until(() => geo.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    const start = new Date(Date.now() - 3_600_000).toISOString();
    const e = await thrown(() =>
      geo.scheduleFailover({ target_region: 'us-west-1', start_time: start, duration: 60 }),
    );
    expect(e.code).toBe('GEO_SCHEDULED_FAILOVER_IN_PAST');
    expect(e.params['setting']).toBe('start_time');
    expect(e.message).toMatch(
      new RegExp(
        `^start_time: the window ${start.replace(/[.]/g, '\\.')} \\+ 60 s ended at .+, before now \\(.+\\); schedule a window that ends in the future$`,
      ),
    );
    expect(await geo.listScheduledFailovers()).toEqual([]);
    expect(geo.getActiveRegion()?.name).toBe('us-east-1');
    // A window that started in the past but is still running is accepted (it is in force now).
    const running = await geo.scheduleFailover({
      target_region: 'us-west-1',
      start_time: new Date(Date.now() - 1_000).toISOString(),
      duration: 3600,
    });
    expect(running.status).toMatch(/pending|active/);
  }, 60_000);

  it('test_failover to the region already active plans nothing to switch', async () => {
    const geo = await boot();
    await until(() => geo.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    const plan = await geo.testFailover('us-west-1', 'us-east-1');
    expect(plan.ok).toBe(false);
    expect(plan.steps).toEqual([
      'nothing to switch: us-east-1 is already the active region, and new calls keep going to it',
    ]);
    expect(plan.reason).toContain('us-east-1 is already the active region');
    expect(plan.checks.find((c) => c.name === 'target-not-active')).toEqual({
      name: 'target-not-active',
      ok: false,
      detail: 'us-east-1 is already the active region',
    });
  }, 60_000);

  it('with enabled: false, probes nothing, fails over never, and routes by priority alone', async () => {
    db = await newDatabase(dialect);
    const probes = { on: 0, off: 0 };
    const on = await openService({
      config: configOf(db.url, [...CONTROLLED_HEALTH, ...REGIONS]),
      controlled: new Map(),
      onProbe: () => probes.on++,
      keyPrefix: 'on',
    });
    open.push(on);
    const off = await openService({
      config: parseConfig(
        [
          'features:',
          '  geographic_redundancy:',
          '    enabled: false',
          ...CONTROLLED_HEALTH,
          ...REGIONS,
          'server:',
          `  store: "${db.url}"`,
          '',
        ].join('\n'),
        'disabled.yml',
        {},
      ),
      controlled: new Map([['us-east-1', false]]),
      onProbe: () => probes.off++,
      keyPrefix: 'off',
    });
    open.push(off);
    // The enabled service beside it probes many times in the same while; the disabled one never.
    await until(() => probes.on >= 10, 'the enabled service to probe');
    expect(probes.off).toBe(0);
    expect(off.getActiveRegion()).toBeNull();
    // Failed calls mark nothing down: no health is kept.
    for (let i = 0; i < 10; i++) off.reportCallOutcome('us-east-1', 'timeout');
    expect(off.getRegionHealth('us-east-1').state).toBe(HealthState.HEALTHY);
    expect(off.routeCall({ number: null, sourceAddress: '127.0.0.1' })).toEqual({
      order: ['us-east-1', 'us-west-1'],
      reason: 'Geographic redundancy is disabled: Priority routing: us-east-1 first by priority',
    });
    const e = await thrown(() => off.manualFailover({ target_region: 'us-west-1' }));
    expect(e.code).toBe('GEO_DISABLED');
    expect(e.message).toBe(
      'geographic redundancy is disabled (features.geographic_redundancy.enabled: false in disabled.yml): ' +
        'manual_failover is not done; calls go to regions by priority alone',
    );
    expect((await thrown(() => off.simulateFailure('us-east-1', 10))).code).toBe('GEO_DISABLED');
    expect((await thrown(() => off.testFailover('us-east-1', 'us-west-1', false))).code).toBe('GEO_DISABLED');
    expect(await off.getFailoverHistory()).toEqual([]);
  }, 60_000);
});

describe('settings reads never write', () => {
  let api: TestApi | undefined;

  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('GET /health-check, /failover-config and /failback-config with a read-only token write nothing and log no change', async () => {
    api = await startApi();
    const before = await api.store.kvGet(SETTINGS_KEY);
    const linesBefore = api.logs.length;
    for (const path of ['/health-check', '/failover-config', '/failback-config']) {
      const r = await call(api.app, 'GET', `${P}${path}`, { token: READER });
      expect(r.statusCode, path).toBe(200);
    }
    expect(await api.store.kvGet(SETTINGS_KEY)).toEqual(before);
    const logged = api.logs.slice(linesBefore).join('');
    expect(logged).not.toContain('settings changed');
    // The answers are the settings in force, the same the PUT would answer.
    const fo = await call(api.app, 'GET', `${P}/failover-config`, { token: READER });
    // The guide's fields as the TypeScript API reads them, plus where each comes from (issue 10).
    expect(fo.json()).toMatchObject(api.geo.failoverInForce());
    expect(fo.json()).toEqual(api.geo.settingsInForce('failover'));
    // So does an empty change through the TypeScript API: a read.
    await api.geo.configureFailover({});
    expect(await api.store.kvGet(SETTINGS_KEY)).toEqual(before);
    // A real change still writes and logs.
    const put = await call(api.app, 'PUT', `${P}/failover-config`, {
      token: ADMIN,
      body: { failover_delay: 7 },
    });
    expect(put.statusCode).toBe(200);
    expect(await api.store.kvGet(SETTINGS_KEY)).toMatchObject({ failover: { failover_delay: 7 } });
    expect(api.logs.join('')).toContain('settings changed');
  }, 60_000);

  it('POST /scheduled-failovers with a window in the past answers 400 naming start_time', async () => {
    api = await startApi();
    const r = await call(api.app, 'POST', `${P}/scheduled-failovers`, {
      body: { target_region: 'us-west-1', start_time: '2020-01-20T02:00:00Z', duration: 3600 },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'GEO_SCHEDULED_FAILOVER_IN_PAST', field: 'start_time' });
    expect((await call(api.app, 'GET', `${P}/scheduled-failovers`)).json()).toEqual({
      scheduled_failovers: [],
    });
  }, 60_000);
});
