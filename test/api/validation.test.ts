/**
 * Every body, query and path parameter is validated by schema: bad input is a 400 JSON error that names
 * the field, and the service is not called at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldOf } from '../../src/api/errors';
import { ADMIN, P, call, startApi, type TestApi } from './harness';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const region = { name: 'eu-west-1', trunk_id: 'trunk-eu-west', sip_server: '127.0.0.1:15063', priority: 3 };

const CASES: ReadonlyArray<[string, 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', string, unknown, string]> = [
  ['priority as text (no coercion of bodies)', 'POST', '/region', { ...region, priority: '1' }, 'priority'],
  ['negative priority', 'POST', '/region', { ...region, priority: -1 }, 'priority'],
  ['fractional priority', 'POST', '/region', { ...region, priority: 1.5 }, 'priority'],
  ['missing trunk_id', 'POST', '/region', { name: 'x', sip_server: 'h', priority: 1 }, 'trunk_id'],
  ['unknown property', 'POST', '/region', { ...region, prioritty: 1 }, 'prioritty'],
  ['bad name', 'POST', '/region', { ...region, name: 'bad name!' }, 'name'],
  [
    'capability not a string',
    'POST',
    '/region',
    { ...region, capabilities: ['voice', 7] },
    'capabilities[1]',
  ],
  ['latitude out of range', 'POST', '/region', { ...region, latitude: 100, longitude: 0 }, 'latitude'],
  ['empty patch', 'PATCH', '/regions/us-east-1', {}, 'body'],
  ['patch renaming', 'PATCH', '/regions/us-east-1', { name: 'x' }, 'name'],
  ['missing target_region', 'POST', '/failover', { reason: 'x' }, 'target_region'],
  ['force not a boolean', 'POST', '/failover', { target_region: 'us-west-1', force: 'yes' }, 'force'],
  ['extra failover field', 'POST', '/failover', { target_region: 'us-west-1', by: 'me' }, 'by'],
  ['zero duration', 'POST', '/simulate-failure', { region: 'us-east-1', duration: 0 }, 'duration'],
  ['duration as text', 'POST', '/simulate-failure', { region: 'us-east-1', duration: '300' }, 'duration'],
  ['end-simulation extra field', 'POST', '/end-simulation', { all: true }, 'all'],
  [
    'test-failover dry_run text',
    'POST',
    '/test-failover',
    { from_region: 'a', to_region: 'b', dry_run: 'no' },
    'dry_run',
  ],
  [
    'schedule bad start_time',
    'POST',
    '/scheduled-failovers',
    { target_region: 'us-west-1', start_time: 'tomorrow', duration: 60 },
    'start_time',
  ],
  ['schedule id not a number', 'DELETE', '/scheduled-failovers/abc', undefined, 'id'],
  ['approve id zero', 'POST', '/failback/0/approve', undefined, 'id'],
  ['TTL status', 'POST', '/regions/us-east-1/checks/pushed', { status: 'ok' }, 'status'],
  ['interval negative', 'PUT', '/health-check', { interval: -1 }, 'interval'],
  ['retry_count zero', 'PUT', '/health-check', { retry_count: 0 }, 'retry_count'],
  ['empty health-check change', 'PUT', '/health-check', {}, 'body'],
  ['failover automatic text', 'PUT', '/failover-config', { automatic: 'true' }, 'automatic'],
  ['health_threshold above 1', 'PUT', '/failback-config', { health_threshold: 1.5 }, 'health_threshold'],
  ['strategy not in the enum', 'PUT', '/load-balancing', { strategy: 'random' }, 'strategy'],
  [
    'negative weight',
    'PUT',
    '/load-balancing',
    { strategy: 'proximity', weights: { 'us-east-1': -5 } },
    'weights.us-east-1',
  ],
  [
    'time range not HH:MM-HH:MM',
    'PUT',
    '/time-based-routing',
    { rules: { noon: 'us-east-1' } },
    'rules.noon',
  ],
  ['missing rules', 'PUT', '/time-based-routing', { timezone: 'UTC' }, 'rules'],
  ['region name in path', 'GET', '/regions/bad%20name', undefined, 'name'],
  ['history limit zero', 'GET', '/failover-history?limit=0', undefined, 'limit'],
  ['history limit text', 'GET', '/failover-history?limit=ten', undefined, 'limit'],
  ['unknown query parameter', 'GET', '/failover-history?limt=5', undefined, 'limt'],
];

describe('validation errors name the field', () => {
  for (const [what, method, path, body, field] of CASES) {
    it(`${method} ${path}: ${what} → 400 naming ${field}`, async () => {
      const r = await call(api.app, method, `${P}${path}`, body === undefined ? {} : { body });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toEqual({ error: { code: 'API_VALIDATION', message: expect.any(String), field } });
      if (field !== 'body') expect(r.json().error.message).toContain(field);
    });
  }

  it('GET /api/calls validates its filters', async () => {
    for (const [query, field] of [
      ['status=99', 'status'],
      ['since=yesterday', 'since'],
      ['limit=5000', 'limit'],
      ['region=a%20b', 'region'],
    ]) {
      const r = await call(api.app, 'GET', `/api/calls?${query}`);
      expect(r.statusCode, query).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'API_VALIDATION', field });
    }
  });

  it('an enum error lists the allowed values, in the words config.yml and the TypeScript API use', async () => {
    const r = await call(api.app, 'PUT', `${P}/load-balancing`, { body: { strategy: 'random' } });
    expect(r.json().error.message).toBe(
      'body strategy: found "random", expected one of priority, proximity, time_of_day',
    );
  });

  it('a rejected request changes nothing', async () => {
    await call(api.app, 'POST', `${P}/region`, { body: { ...region, priority: 'high' } });
    expect(api.geo.getRegion('eu-west-1')).toBeNull();
    expect(await api.store.getRegion('eu-west-1')).toBeNull();
  });

  it('a body that is not JSON is 400 API_BAD_JSON; another content type 415; a huge body 413', async () => {
    const bad = await api.app.inject({
      method: 'POST',
      url: `${P}/failover`,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      payload: '{"target_region": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'API_BAD_JSON', field: 'body' });

    const text = await api.app.inject({
      method: 'POST',
      url: `${P}/failover`,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'text/plain' },
      payload: 'target_region=us-west-1',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('API_UNSUPPORTED_MEDIA_TYPE');

    const huge = await call(api.app, 'POST', `${P}/failover`, {
      body: { target_region: 'us-west-1', reason: 'x'.repeat(100_000) },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('API_BODY_TOO_LARGE');
  });

  it('an unknown route is a 404 JSON error', async () => {
    const r = await call(api.app, 'GET', `${P}/nothing-here?x=1`);
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: { code: 'API_NOT_FOUND', message: `no route GET ${P}/nothing-here` } });
  });
});

describe('fieldOf', () => {
  it('maps ajv errors to dotted fields with array indices', () => {
    expect(fieldOf({ keyword: 'type', instancePath: '/a/0/b', params: {} }, 'body')).toBe('a[0].b');
    expect(
      fieldOf({ keyword: 'required', instancePath: '/weights', params: { missingProperty: 'x' } }, 'body'),
    ).toBe('weights.x');
    expect(fieldOf({ keyword: 'type', instancePath: '/a~1b', params: {} }, 'body')).toBe('a/b');
    expect(fieldOf({ keyword: 'type', instancePath: '', params: {} }, 'querystring')).toBe('querystring');
  });
});
