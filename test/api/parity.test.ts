/**
 * The rest of the TypeScript API over REST: region read/update/removal, health, metrics, settings,
 * scheduled failovers, failback approval, test-failover, TTL pushes and routing — real service, real store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, P, call, eventually, sorted, startApi, type TestApi } from './harness';

let api: TestApi;
beforeEach(async () => {
  api = await startApi();
  await eventually(async () => api.geo.getActiveRegion()?.name, 'an active region');
});
afterEach(async () => {
  await api.close();
});

const apiRegion = {
  name: 'eu-west-1',
  trunk_id: 'trunk-eu-west',
  sip_server: '127.0.0.1:15063',
  priority: 3,
};

describe('regions', () => {
  it('GET /regions/{name} answers the region; an unknown name is 404', async () => {
    const r = await call(api.app, 'GET', `${P}/regions/us-west-1`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      name: 'us-west-1',
      trunk_id: 'trunk-us-west',
      origin: 'config',
      is_active: false,
    });
    const missing = await call(api.app, 'GET', `${P}/regions/mars-1`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: { code: 'API_UNKNOWN_REGION', message: 'no region named mars-1' },
    });
  });

  it('PATCH changes an API region and records it; a config region is 409, an unknown one 404', async () => {
    await call(api.app, 'POST', `${P}/region`, { body: apiRegion });
    const r = await call(api.app, 'PATCH', `${P}/regions/eu-west-1`, {
      body: { priority: 7, location: 'Dublin' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ name: 'eu-west-1', priority: 7, location: 'Dublin' });
    expect((await api.store.getRegion('eu-west-1'))?.priority).toBe(7);

    const fromFile = await call(api.app, 'PATCH', `${P}/regions/us-east-1`, { body: { priority: 9 } });
    expect(fromFile.statusCode).toBe(409);
    expect(fromFile.json().error.code).toBe('GEO_REGION_FROM_CONFIG');
    const unknown = await call(api.app, 'PATCH', `${P}/regions/mars-1`, { body: { priority: 9 } });
    expect(unknown.statusCode).toBe(404);
    // The service's own checks name the field too (a sip_server the schema lets through).
    const bad = await call(api.app, 'PATCH', `${P}/regions/eu-west-1`, { body: { sip_server: 'sip:' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'GEO_BAD_REGION', field: 'sip_server' });
  });

  it('DELETE removes an API region (204) from the service and the store; a config region is 409', async () => {
    await call(api.app, 'POST', `${P}/region`, { body: apiRegion });
    const r = await call(api.app, 'DELETE', `${P}/regions/eu-west-1`);
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect((await call(api.app, 'GET', `${P}/regions/eu-west-1`)).statusCode).toBe(404);
    expect(await api.store.getRegion('eu-west-1')).toBeNull();
    expect((await call(api.app, 'DELETE', `${P}/regions/us-east-1`)).statusCode).toBe(409);
    expect((await call(api.app, 'DELETE', `${P}/regions/eu-west-1`)).statusCode).toBe(404);
  });

  it('GET /regions/{name}/health answers the state, its reason and checks; unknown is 404', async () => {
    const r = await call(api.app, 'GET', `${P}/regions/us-east-1/health`);
    expect(r.statusCode).toBe(200);
    expect(sorted(r.json())).toEqual(
      [
        'checks',
        'first_failure_at',
        'healthy_since',
        'last_check',
        'reason',
        'region',
        'registration',
        'score',
        'simulated_until',
        'state',
        'state_since',
        'views',
        'quorum',
      ].sort(),
    );
    expect(r.json()).toMatchObject({ region: 'us-east-1', state: 'healthy' });
    // One instance (memory live state): its own view, a quorum of 1 that changes nothing.
    await eventually(async () => {
      const h = (await call(api.app, 'GET', `${P}/regions/us-east-1/health`)).json();
      return h.views.length === 1 && h.views[0].checked_at !== null ? true : undefined;
    }, 'this instance view of us-east-1 after its first probe');
    const h = (await call(api.app, 'GET', `${P}/regions/us-east-1/health`)).json();
    expect(h.views).toEqual([
      {
        instance: api.geo.live.instanceId,
        state: 'healthy',
        reason: expect.any(String),
        checked_at: expect.any(String),
        counted: true,
      },
    ]);
    expect(h.quorum).toMatchObject({
      setting: 'majority',
      required: 1,
      fresh: 1,
      state: 'healthy',
      shared: false,
    });
    expect((await call(api.app, 'GET', `${P}/regions/mars-1/health`)).statusCode).toBe(404);
  });

  it('GET /regions/{name}/metrics answers exactly the guide fields and counts failovers', async () => {
    await call(api.app, 'POST', `${P}/failover`, { body: { target_region: 'us-west-1', reason: 'metrics' } });
    const r = await call(api.app, 'GET', `${P}/regions/us-west-1/metrics`);
    expect(r.statusCode).toBe(200);
    const m = r.json();
    expect(sorted(m)).toEqual(
      ['average_latency_ms', 'calls_handled', 'failover_count', 'last_failover', 'uptime_percentage'].sort(),
    );
    expect(m.failover_count).toBe(1);
    expect(m.calls_handled).toBe(0);
    expect(m.last_failover).toBe((await api.store.lastFailover('us-west-1'))?.occurred_at);
    expect((await call(api.app, 'GET', `${P}/regions/mars-1/metrics`)).statusCode).toBe(404);
  });

  it('POST /regions/{name}/checks/{check} takes a TTL push (204); an unknown check or region is 404', async () => {
    const ok = await call(api.app, 'POST', `${P}/regions/us-east-1/checks/pushed`, {
      body: { status: 'warn', note: 'provider reports congestion' },
    });
    expect(ok.statusCode).toBe(204);
    expect(api.geo.checks.ttl.last('us-east-1', 'pushed')).toMatchObject({ status: 'warn' });
    const notTtl = await call(api.app, 'POST', `${P}/regions/us-east-1/checks/sip_options`, {
      body: { status: 'pass' },
    });
    expect(notTtl.statusCode).toBe(404);
    expect(notTtl.json().error.code).toBe('CHECK_NOT_TTL');
    const unknown = await call(api.app, 'POST', `${P}/regions/mars-1/checks/pushed`, {
      body: { status: 'pass' },
    });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('settings', () => {
  it('GET/PUT /health-check reads and changes configure_health_check, kept in the store', async () => {
    const before = (await call(api.app, 'GET', `${P}/health-check`)).json();
    expect(before).toMatchObject({ interval: 3600, timeout: 5, retry_count: 2, check_methods: ['pushed'] });
    expect(sorted(before)).toEqual(
      [
        'check_methods',
        'interval',
        'latency_warning_ms',
        'retry_count',
        'source',
        'success_threshold',
        'timeout',
      ].sort(),
    );
    // `source` (issue 10) names where each of the guide's fields comes from, and nothing else.
    expect(sorted(before.source)).toEqual(sorted(before).filter((k) => k !== 'source'));
    const r = await call(api.app, 'PUT', `${P}/health-check`, { body: { interval: 60, retry_count: 4 } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ interval: 60, retry_count: 4, timeout: 5 });
    expect((await call(api.app, 'GET', `${P}/health-check`)).json()).toMatchObject({
      interval: 60,
      retry_count: 4,
    });
    expect(await api.store.kvGet('geo.settings')).toMatchObject({
      health_check: { interval: 60, retry_count: 4 },
    });
    const unknownMethod = await call(api.app, 'PUT', `${P}/health-check`, {
      body: { check_methods: ['telepathy'] },
    });
    expect(unknownMethod.statusCode).toBe(400);
    expect(unknownMethod.json().error.code).toBe('CHECK_UNKNOWN_METHOD');
  });

  it('GET/PUT /failover-config and /failback-config', async () => {
    expect((await call(api.app, 'GET', `${P}/failover-config`)).json()).toMatchObject({ automatic: true });
    const fo = await call(api.app, 'PUT', `${P}/failover-config`, {
      body: { automatic: false, failover_delay: 5 },
    });
    expect(fo.json()).toEqual({ automatic: false, min_failure_duration: 0, failover_delay: 5 });
    expect((await call(api.app, 'GET', `${P}/failover-config`)).json()).toMatchObject({ automatic: false });

    expect((await call(api.app, 'GET', `${P}/failback-config`)).json()).toMatchObject({
      enabled: false,
      delay: 300,
    });
    const fb = await call(api.app, 'PUT', `${P}/failback-config`, {
      body: { enabled: true, delay: 300, health_threshold: 0.95, automatic: false },
    });
    expect(fb.statusCode).toBe(200);
    expect(fb.json()).toEqual({ enabled: true, delay: 300, health_threshold: 0.95, automatic: false });
  });

  it('PUT /load-balancing and /time-based-routing answer the routing in force', async () => {
    const lb = await call(api.app, 'PUT', `${P}/load-balancing`, {
      body: { strategy: 'proximity', weights: { 'us-east-1': 70, 'us-west-1': 30 } },
    });
    expect(lb.statusCode).toBe(200);
    expect(lb.json()).toMatchObject({ strategy: 'proximity', weights: { 'us-east-1': 70, 'us-west-1': 30 } });
    const unknown = await call(api.app, 'PUT', `${P}/load-balancing`, {
      body: { strategy: 'proximity', weights: { 'mars-1': 10 } },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'GEO_BAD_SETTING', field: 'routing.weights.mars-1' });

    const rules = { '00:00-08:00': 'us-west-1', '08:00-24:00': 'us-east-1' };
    const tb = await call(api.app, 'PUT', `${P}/time-based-routing`, {
      body: { rules, timezone: 'Europe/Dublin' },
    });
    expect(tb.statusCode).toBe(200);
    expect(tb.json()).toMatchObject({
      strategy: 'time_of_day',
      time_based: rules,
      timezone: 'Europe/Dublin',
    });
    const empty = await call(api.app, 'PUT', `${P}/time-based-routing`, {
      body: { rules: { '08:00-08:00': 'us-east-1' } },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('ROUTING_BAD_TIME_RANGE');
  });
});

describe('failover operations', () => {
  it('scheduled failovers: create (201, created_by the token), list, cancel, cancel again 409, unknown 404', async () => {
    const start = new Date(Date.now() + 3_600_000).toISOString();
    const r = await call(api.app, 'POST', `${P}/scheduled-failovers`, {
      token: ALICE,
      body: { target_region: 'us-west-1', start_time: start, duration: 3600, reason: 'Planned maintenance' },
    });
    expect(r.statusCode).toBe(201);
    const s = r.json();
    expect(s).toMatchObject({
      target_region: 'us-west-1',
      duration: 3600,
      status: 'pending',
      created_by: 'alice',
    });
    expect(Date.parse(s.start_time)).toBe(Date.parse(start));

    const list = (await call(api.app, 'GET', `${P}/scheduled-failovers`)).json();
    expect(list.scheduled_failovers.map((x: { id: number }) => x.id)).toEqual([s.id]);
    const cancel = await call(api.app, 'DELETE', `${P}/scheduled-failovers/${s.id}`);
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json().status).toBe('cancelled');
    expect((await call(api.app, 'DELETE', `${P}/scheduled-failovers/${s.id}`)).statusCode).toBe(409);
    expect((await call(api.app, 'DELETE', `${P}/scheduled-failovers/999`)).statusCode).toBe(404);
    const unknown = await call(api.app, 'POST', `${P}/scheduled-failovers`, {
      body: { target_region: 'mars-1', start_time: start, duration: 60 },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('failback approval: pending list, reject with the token name, decided twice 409, unknown 404', async () => {
    const row = await api.store.createFailbackApproval({
      from_region: 'us-west-1',
      to_region: 'us-east-1',
      reason: 'us-east-1 healthy again',
    });
    const pending = (await call(api.app, 'GET', `${P}/failback/pending`)).json();
    expect(pending).toEqual({
      pending: [
        {
          id: row.id,
          from_region: 'us-west-1',
          to_region: 'us-east-1',
          reason: 'us-east-1 healthy again',
          requested_at: row.requested_at,
        },
      ],
    });
    const rej = await call(api.app, 'POST', `${P}/failback/${row.id}/reject`, { token: ALICE });
    expect(rej.statusCode).toBe(200);
    expect(rej.json()).toMatchObject({ id: row.id, decision: 'rejected', decided_by: 'alice' });
    expect((await api.store.listFailbackApprovals({ pending: false }))[0]?.decided_by).toBe('alice');
    expect((await call(api.app, 'POST', `${P}/failback/${row.id}/approve`)).statusCode).toBe(409);
    expect((await call(api.app, 'POST', `${P}/failback/999/approve`)).statusCode).toBe(404);
    expect((await call(api.app, 'GET', `${P}/failback/pending`)).json()).toEqual({ pending: [] });
  });

  it('failback approval: approve records the decision and answers a failover result', async () => {
    await call(api.app, 'POST', `${P}/failover`, { body: { target_region: 'us-west-1' } });
    const row = await api.store.createFailbackApproval({ from_region: 'us-west-1', to_region: 'us-east-1' });
    const r = await call(api.app, 'POST', `${P}/failback/${row.id}/approve`, { token: ALICE });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      from_region: 'us-west-1',
      to_region: 'us-east-1',
      success: expect.any(Boolean),
    });
    const decided = (await api.store.listFailbackApprovals({ pending: false }))[0];
    expect(decided).toMatchObject({ id: row.id, decision: 'approved', decided_by: 'alice' });
  });

  it('POST /test-failover answers the plan and changes nothing (dry_run defaults to true)', async () => {
    const r = await call(api.app, 'POST', `${P}/test-failover`, {
      body: { from_region: 'us-east-1', to_region: 'us-west-1' },
    });
    expect(r.statusCode).toBe(200);
    const t = r.json();
    expect(sorted(t)).toEqual(['checks', 'dry_run', 'from_region', 'ok', 'reason', 'steps', 'to_region']);
    expect(t).toMatchObject({ from_region: 'us-east-1', to_region: 'us-west-1', dry_run: true });
    type Check = { name: string; ok: boolean };
    expect(t.ok).toBe(t.checks.every((c: Check) => c.ok));
    expect(t.checks.find((c: Check) => c.name === 'target-eligible')).toMatchObject({ ok: true });
    expect(t.steps.length).toBeGreaterThan(0);
    expect(api.geo.getActiveRegion()?.name).toBe('us-east-1');
    expect(await api.store.listFailovers({ limit: 10 })).toEqual([]);

    // A DOWN target fails the eligibility check.
    await call(api.app, 'POST', `${P}/simulate-failure`, { body: { region: 'us-west-1', duration: 60 } });
    await eventually(
      async () => (api.geo.getRegionHealth('us-west-1').state === 'down' ? true : undefined),
      'DOWN',
    );
    const down = await call(api.app, 'POST', `${P}/test-failover`, {
      body: { from_region: 'us-east-1', to_region: 'us-west-1', dry_run: true },
    });
    expect(down.json().ok).toBe(false);
    expect(down.json().checks.find((c: Check) => c.name === 'target-eligible')).toMatchObject({ ok: false });
  });
});
