/**
 * Settings changed through the API override the file until reset: each GET says where every setting in
 * force comes from (file, api or default), DELETE on the settings route (resetSettings in the TypeScript API)
 * puts the file's value back, and both the override and the reset survive a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeoredError } from '../../src/errors/catalogue';
import { ADMIN, P, READER, call, startApi, type TestApi } from './harness';

let dir: string;
let storeUrl: string;
let api: TestApi | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'geored-settings-source-'));
  storeUrl = `sqlite:${join(dir, 'geored.db')}`;
});
afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function restart(): Promise<TestApi> {
  await api?.close();
  api = await startApi({ storeUrl });
  return api;
}

async function get(path: string) {
  const r = await call(api!.app, 'GET', `${P}${path}`, { token: READER });
  expect(r.statusCode).toBe(200);
  return r.json();
}

describe('where each setting in force comes from, and the way back to the file', () => {
  it('GET answers the guide fields plus source; PUT makes a field api; DELETE ?fields puts the file back; a restart keeps both', async () => {
    await restart();
    // test/api/harness.ts's file writes interval 3600, timeout 5, retry_count 2 and check_methods [pushed].
    expect(await get('/health-check')).toEqual({
      interval: 3600,
      timeout: 5,
      retry_count: 2,
      check_methods: ['pushed'],
      success_threshold: 2,
      latency_warning_ms: 1000,
      source: {
        interval: 'file',
        timeout: 'file',
        retry_count: 'file',
        check_methods: 'file',
        success_threshold: 'default',
        latency_warning_ms: 'default',
      },
    });
    const put = await call(api!.app, 'PUT', `${P}/health-check`, {
      body: { interval: 60, success_threshold: 3 },
    });
    expect(put.statusCode).toBe(200);
    // The PUT answer stays the guide's shape.
    expect(put.json()).not.toHaveProperty('source');
    const changed = await get('/health-check');
    expect(changed).toMatchObject({ interval: 60, success_threshold: 3 });
    expect(changed.source).toMatchObject({ interval: 'api', success_threshold: 'api', timeout: 'file' });

    await restart();
    const afterRestart = await get('/health-check');
    expect(afterRestart).toMatchObject({ interval: 60, success_threshold: 3 });
    expect(afterRestart.source).toMatchObject({ interval: 'api', success_threshold: 'api' });

    const reset = await call(api!.app, 'DELETE', `${P}/health-check?fields=interval`);
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ interval: 3600, success_threshold: 3 });
    expect(reset.json().source).toMatchObject({ interval: 'file', success_threshold: 'api' });
    expect(await api!.store.kvGet('geo.settings')).toEqual({ health_check: { success_threshold: 3 } });
    expect(api!.geo.geoConfig().health_check.interval).toBe(3600);
    expect(api!.logs.join('')).toContain("settings reset to the file's values: health_check.interval");

    await restart();
    const afterReset = await get('/health-check');
    expect(afterReset).toMatchObject({ interval: 3600, success_threshold: 3 });
    expect(afterReset.source).toMatchObject({ interval: 'file', success_threshold: 'api' });

    // Without fields: every setting of the group goes back (here to geored's default, which the file left).
    const all = await call(api!.app, 'DELETE', `${P}/health-check`);
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ success_threshold: 2, source: { success_threshold: 'default' } });
    expect(await api!.store.kvGet('geo.settings')).toEqual({});
  });

  it('an unknown field name is a 400 naming it, and changes nothing; a read-only token cannot reset', async () => {
    await restart();
    await call(api!.app, 'PUT', `${P}/failover-config`, { body: { automatic: false } });
    const before = await api!.store.kvGet('geo.settings');
    const bad = await call(api!.app, 'DELETE', `${P}/failover-config?fields=automatic,bogus`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'GEO_BAD_SETTING', field: 'failover.bogus' });
    expect(bad.json().error.message).toContain('one of automatic, min_failure_duration, failover_delay');
    expect(await api!.store.kvGet('geo.settings')).toEqual(before);
    expect((await get('/failover-config')).source.automatic).toBe('api');

    const reader = await call(api!.app, 'DELETE', `${P}/failover-config`, { token: READER });
    expect(reader.statusCode).toBe(403);
    expect((await get('/failover-config')).automatic).toBe(false);

    const ok = await call(api!.app, 'DELETE', `${P}/failover-config?fields=automatic`, { token: ADMIN });
    expect(ok.json()).toEqual({
      automatic: true,
      min_failure_duration: 0,
      failover_delay: 0,
      source: { automatic: 'file', min_failure_duration: 'default', failover_delay: 'default' },
    });
  });

  it('routing: GET /routing says where the policy comes from; DELETE /routing returns to the file', async () => {
    await restart();
    expect((await get('/routing')).source).toEqual({
      strategy: 'default',
      weights: 'default',
      time_based: 'default',
      timezone: 'default',
    });
    await call(api!.app, 'PUT', `${P}/load-balancing`, {
      body: { strategy: 'proximity', weights: { 'us-east-1': 70, 'us-west-1': 30 } },
    });
    const lb = await get('/routing');
    expect(lb).toMatchObject({ strategy: 'proximity', weights: { 'us-east-1': 70, 'us-west-1': 30 } });
    expect(lb.source).toMatchObject({ strategy: 'api', weights: 'api', time_based: 'default' });
    const back = await call(api!.app, 'DELETE', `${P}/routing`);
    expect(back.json()).toMatchObject({ strategy: 'priority', weights: {}, source: { strategy: 'default' } });
  });

  it('alerts: GET /alerts says where each setting comes from; DELETE /alerts?fields resets them', async () => {
    await restart();
    expect((await get('/alerts')).source).toMatchObject({ email: 'default', dry_run: 'default' });
    const put = await call(api!.app, 'PUT', `${P}/alerts`, {
      body: { email: ['ops@company.com'], dry_run: true },
    });
    expect(put.statusCode).toBe(200);
    expect((await get('/alerts')).source).toMatchObject({ email: 'api', dry_run: 'api', sms: 'default' });

    await restart();
    expect(await get('/alerts')).toMatchObject({ email: ['ops@company.com'], dry_run: true });

    const bad = await call(api!.app, 'DELETE', `${P}/alerts?fields=email,colour`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'ALERTS_BAD_SETTING', field: 'colour' });
    expect((await get('/alerts')).email).toEqual(['ops@company.com']);

    const reset = await call(api!.app, 'DELETE', `${P}/alerts?fields=email`);
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({
      email: [],
      dry_run: true,
      source: { email: 'default', dry_run: 'api' },
    });
    expect(await api!.store.kvGet('alerts.settings')).toEqual({ dry_run: true });

    await restart();
    expect(await get('/alerts')).toMatchObject({ email: [], dry_run: true, source: { email: 'default' } });
    const all = await api!.geo.resetAlerts();
    expect(all).toMatchObject({ dry_run: false, source: { dry_run: 'default' } });
  });

  it('the TypeScript API: settingsInForce and resetSettings(group, fields?)', async () => {
    const geo = (await restart()).geo;
    await geo.configureFailback({ enabled: true, delay: 30 });
    expect(geo.settingsInForce('failback').source).toEqual({
      enabled: 'api',
      delay: 'api',
      health_threshold: 'default',
      automatic: 'default',
    });
    const r = await geo.resetSettings('failback', ['delay']);
    expect(r).toMatchObject({ enabled: true, delay: 300, source: { enabled: 'api', delay: 'default' } });
    await expect(geo.resetSettings('failback', ['nope'])).rejects.toSatisfy(
      (e: unknown) => e instanceof GeoredError && e.code === 'GEO_BAD_SETTING',
    );
    expect(geo.failbackInForce()).toMatchObject({ enabled: true, delay: 300 });
    // Resetting what the API never changed writes nothing.
    const before = await geo.store.kvGet('geo.settings');
    await geo.resetSettings('health_check');
    expect(await geo.store.kvGet('geo.settings')).toEqual(before);
  });
});
