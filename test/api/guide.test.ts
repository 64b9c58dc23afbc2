/**
 * The guide's REST endpoints, with its exact paths and JSON shapes, on the real service and a real store,
 * including its disaster-recovery drill (simulate-failure → automatic failover → end-simulation).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, P, call, eventually, sorted, startApi, type TestApi } from './harness';

let api: TestApi;
beforeEach(async () => {
  api = await startApi();
});
afterEach(async () => {
  await api.close();
});

const activeName = async (): Promise<string | undefined> => {
  const r = await call(api.app, 'GET', `${P}/active-region`);
  return r.statusCode === 200 ? (r.json() as { name: string }).name : undefined;
};

describe('the guide REST API', () => {
  it('POST /region registers the guide example and answers 201 with the region', async () => {
    const body = {
      name: 'eu-west-1',
      trunk_id: 'trunk-eu-west',
      sip_server: '127.0.0.1:15063',
      priority: 3,
      location: 'Ireland, EU',
      capabilities: ['voice', 'sms'],
    };
    const r = await call(api.app, 'POST', `${P}/region`, { body });
    expect(r.statusCode).toBe(201);
    const region = r.json();
    expect(region).toMatchObject({ ...body, origin: 'api', health_state: 'healthy', is_active: false });
    expect(sorted(region)).toEqual(
      [
        'capabilities',
        'health_state',
        'http_check_url',
        'is_active',
        'latitude',
        'location',
        'longitude',
        'name',
        'origin',
        'priority',
        'sip_server',
        'timezone',
        'trunk_id',
        'weight',
      ].sort(),
    );
    // It is recorded: the store has it, and it comes back in the list.
    expect((await api.store.getRegion('eu-west-1'))?.origin).toBe('api');
    const list = (await call(api.app, 'GET', `${P}/regions`)).json() as { regions: { name: string }[] };
    expect(list.regions.map((x) => x.name)).toEqual(['us-east-1', 'us-west-1', 'eu-west-1']);
  });

  it('POST /region with a name already taken is 409', async () => {
    const r = await call(api.app, 'POST', `${P}/region`, {
      body: { name: 'us-east-1', trunk_id: 't', sip_server: '127.0.0.1:15070', priority: 9 },
    });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toEqual({
      error: { code: 'GEO_REGION_EXISTS', message: expect.stringContaining('us-east-1') },
    });
  });

  it("GET /active-region answers the guide's fields, and (issue 10) the loop's last decision", async () => {
    const name = await eventually(activeName, 'an active region');
    expect(name).toBe('us-east-1');
    const body = (await call(api.app, 'GET', `${P}/active-region`)).json();
    expect(sorted(body)).toEqual([
      'active_since',
      'health_state',
      'last_decision',
      'name',
      'priority',
      'trunk_id',
    ]);
    expect(body).toMatchObject({
      name: 'us-east-1',
      trunk_id: 'trunk-us-east',
      priority: 1,
      health_state: 'healthy',
    });
    expect(new Date(body.active_since).toISOString()).toBe(body.active_since);
  });

  it('GET /regions answers exactly the guide fields for every region', async () => {
    await eventually(activeName, 'an active region');
    const body = (await call(api.app, 'GET', `${P}/regions`)).json();
    expect(Object.keys(body)).toEqual(['regions']);
    expect(body.regions).toHaveLength(2);
    for (const r of body.regions) {
      expect(sorted(r)).toEqual(['health_state', 'is_active', 'last_check', 'name', 'priority']);
    }
    expect(body.regions.map((r: { name: string; is_active: boolean }) => [r.name, r.is_active])).toEqual([
      ['us-east-1', true],
      ['us-west-1', false],
    ]);
  });

  it('POST /failover switches, records the token name as initiated_by, and shows in the history', async () => {
    await eventually(activeName, 'an active region');
    const r = await call(api.app, 'POST', `${P}/failover`, {
      token: ALICE,
      body: { target_region: 'us-west-1', reason: 'Planned maintenance' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ success: true, from_region: 'us-east-1', to_region: 'us-west-1' });
    expect(await activeName()).toBe('us-west-1');

    const hist = await call(api.app, 'GET', `${P}/failover-history?limit=10`);
    expect(hist.statusCode).toBe(200);
    const { failovers } = hist.json();
    expect(failovers).toHaveLength(1);
    // The guide's five fields, plus the table's initiated_by and duration_ms.
    expect(sorted(failovers[0])).toEqual(
      [
        'automatic',
        'duration_ms',
        'from_region',
        'initiated_by',
        'occurred_at',
        'reason',
        'to_region',
      ].sort(),
    );
    expect(failovers[0]).toMatchObject({
      from_region: 'us-east-1',
      to_region: 'us-west-1',
      automatic: false,
      initiated_by: 'alice',
    });
    expect(failovers[0].reason).toContain('Planned maintenance');
    expect((await api.store.listFailovers({ limit: 10 }))[0]?.initiated_by).toBe('alice');
  });

  it('POST /failover to an unknown region is 404, to the active one 409', async () => {
    await eventually(activeName, 'an active region');
    const unknown = await call(api.app, 'POST', `${P}/failover`, { body: { target_region: 'mars-1' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('FAILOVER_UNKNOWN_REGION');
    const same = await call(api.app, 'POST', `${P}/failover`, { body: { target_region: 'us-east-1' } });
    expect(same.statusCode).toBe(409);
    expect(same.json().error.code).toBe('FAILOVER_ALREADY_ACTIVE');
  });

  it('POST /failover to a DOWN region is 409 without force and switches with force', async () => {
    await eventually(activeName, 'an active region');
    const sim = await call(api.app, 'POST', `${P}/simulate-failure`, {
      body: { region: 'us-west-1', duration: 300 },
    });
    expect(sim.statusCode).toBe(200);
    await eventually(async () => {
      const h = (await call(api.app, 'GET', `${P}/regions/us-west-1/health`)).json();
      return h.state === 'down' ? true : undefined;
    }, 'us-west-1 DOWN');
    const refused = await call(api.app, 'POST', `${P}/failover`, { body: { target_region: 'us-west-1' } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('FAILOVER_TARGET_NOT_ELIGIBLE');
    expect(await activeName()).toBe('us-east-1');
    const forced = await call(api.app, 'POST', `${P}/failover`, {
      body: { target_region: 'us-west-1', reason: 'drill', force: true },
    });
    expect(forced.statusCode).toBe(200);
    expect(forced.json().to_region).toBe('us-west-1');
  });

  it('runs the DR drill: simulate-failure, observe the automatic failover, end-simulation', async () => {
    await eventually(activeName, 'an active region');
    const sim = await call(api.app, 'POST', `${P}/simulate-failure`, {
      body: { region: 'us-east-1', duration: 300 },
    });
    expect(sim.statusCode).toBe(200);
    expect(sim.json()).toEqual({ region: 'us-east-1', until: expect.any(String) });

    await eventually(
      async () => ((await activeName()) === 'us-west-1' ? true : undefined),
      'failover to us-west-1',
    );
    const hist = (await call(api.app, 'GET', `${P}/failover-history?limit=1`)).json();
    expect(hist.failovers[0]).toMatchObject({
      from_region: 'us-east-1',
      to_region: 'us-west-1',
      automatic: true,
    });

    const health = (await call(api.app, 'GET', `${P}/regions/us-east-1/health`)).json();
    expect(health.state).toBe('down');
    expect(health.simulated_until).toBe(sim.json().until);

    // The guide posts end-simulation with no body at all.
    const end = await call(api.app, 'POST', `${P}/end-simulation`);
    expect(end.statusCode).toBe(200);
    expect(end.json()).toEqual({ ended: [{ region: 'us-east-1', until: expect.any(String) }] });
    const after = (await call(api.app, 'GET', `${P}/regions/us-east-1/health`)).json();
    expect(after.simulated_until).toBeNull();
  });

  it('end-simulation for one region ends only that one; simulate-failure of an unknown region is 404', async () => {
    await call(api.app, 'POST', `${P}/simulate-failure`, { body: { region: 'us-east-1', duration: 60 } });
    await call(api.app, 'POST', `${P}/simulate-failure`, { body: { region: 'us-west-1', duration: 60 } });
    const end = await call(api.app, 'POST', `${P}/end-simulation`, { body: { region: 'us-west-1' } });
    expect(end.json().ended.map((s: { region: string }) => s.region)).toEqual(['us-west-1']);
    const rest = await call(api.app, 'POST', `${P}/end-simulation`, { body: {} });
    expect(rest.json().ended.map((s: { region: string }) => s.region)).toEqual(['us-east-1']);
    const unknown = await call(api.app, 'POST', `${P}/simulate-failure`, {
      body: { region: 'mars-1', duration: 5 },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('GET /active-region is a 404 JSON error while no region exists, and 200 once one is registered', async () => {
    const empty = await startApi({ noRegions: true });
    try {
      const none = await call(empty.app, 'GET', `${P}/active-region`);
      expect(none.statusCode).toBe(404);
      expect(none.json()).toEqual({ error: { code: 'API_NO_ACTIVE_REGION', message: expect.any(String) } });
      expect((await call(empty.app, 'GET', `${P}/regions`)).json()).toEqual({ regions: [] });
      const body = {
        name: 'us-east-1',
        trunk_id: 'trunk-us-east',
        sip_server: '127.0.0.1:15061',
        priority: 1,
      };
      expect((await call(empty.app, 'POST', `${P}/region`, { body })).statusCode).toBe(201);
      const active = await eventually(async () => {
        const r = await call(empty.app, 'GET', `${P}/active-region`);
        return r.statusCode === 200 ? r.json() : undefined;
      }, 'the registered region to become active');
      expect(active).toMatchObject({ name: 'us-east-1', trunk_id: 'trunk-us-east', priority: 1 });
    } finally {
      await empty.close();
    }
  });
});
