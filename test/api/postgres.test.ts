/**
 * The API on the real PostgreSQL (127.0.0.1:5432, trust, user postgres), in a database of its own that is
 * dropped afterwards: register, fail over, read the history and calls back through REST.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDatabase, type TestDatabase } from '../store/databases';
import { ALICE, P, call, eventually, startApi, type TestApi } from './harness';

let db: TestDatabase;
let api: TestApi;
beforeAll(async () => {
  db = await postgresDatabase();
  api = await startApi({ storeUrl: db.url });
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('the REST API on PostgreSQL', () => {
  it('records regions, failovers and calls that the API reads back', async () => {
    expect(api.store.dialect).toBe('postgres');
    await eventually(async () => api.geo.getActiveRegion()?.name, 'an active region');
    const reg = await call(api.app, 'POST', `${P}/region`, {
      body: { name: 'eu-west-1', trunk_id: 'trunk-eu-west', sip_server: '127.0.0.1:15063', priority: 3 },
    });
    expect(reg.statusCode).toBe(201);
    expect(await db.sql('SELECT name, origin FROM geo_regions WHERE name = $1', ['eu-west-1'])).toEqual([
      { name: 'eu-west-1', origin: 'api' },
    ]);

    const fo = await call(api.app, 'POST', `${P}/failover`, {
      token: ALICE,
      body: { target_region: 'eu-west-1', reason: 'Planned maintenance' },
    });
    expect(fo.statusCode).toBe(200);
    const history = (await call(api.app, 'GET', `${P}/failover-history?limit=5`)).json();
    expect(history.failovers[0]).toMatchObject({
      from_region: 'us-east-1',
      to_region: 'eu-west-1',
      automatic: false,
      initiated_by: 'alice',
    });
    const rows = await db.sql('SELECT to_region, initiated_by FROM geo_failover_history');
    expect(rows).toEqual([{ to_region: 'eu-west-1', initiated_by: 'alice' }]);

    await api.store.recordCalls([
      {
        call_id: 'pg-1@pbx',
        direction: 'outbound',
        from_uri: 'sip:100@pbx',
        to_uri: 'sip:200@trunk',
        region: 'eu-west-1',
        started_at: new Date(),
        final_status: 200,
      },
    ]);
    const calls = (await call(api.app, 'GET', '/api/calls?region=eu-west-1')).json();
    expect(calls.calls.map((c: { call_id: string }) => c.call_id)).toEqual(['pg-1@pbx']);
  });
});
