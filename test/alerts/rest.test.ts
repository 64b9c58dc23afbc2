/**
 * The alerts REST API on a real service: GET/PUT .../alerts with the guide's configure_alerts body,
 * POST .../alerts/test answering per channel, GET .../alerts/deliveries newest first; errors are JSON
 * naming the field and change nothing; read-only tokens may read but not change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, P, READER, call, startApi, type TestApi } from '../api/harness';
import { ALERT_EVENTS } from '../../src/alerts/types';
import { startHttp } from './receivers';
import { newWebhookKey } from './receivers';

process.env.GEORED_TEST_REST_WHSEC = newWebhookKey();

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const GUIDE = {
  email: ['ops@company.com'],
  sms: ['+1555123456'],
  webhook: 'https://hooks.company.com/geo-redundancy',
  on_events: ['failover', 'region_down', 'region_degraded'],
};

describe('alerts REST API', () => {
  it("PUT takes the guide's body (dry_run), GET shows it, the test alert is recorded per channel, not sent", async () => {
    api = await startApi();
    const initial = await call(api.app, 'GET', `${P}/alerts`, { token: READER });
    expect(initial.statusCode).toBe(200);
    expect(initial.json()).toMatchObject({
      email: [],
      sms: [],
      webhook: null,
      dry_run: false,
      recent_decisions: [],
    });
    expect(initial.json().on_events).toEqual([...ALERT_EVENTS]);
    expect(initial.json().on_events).toContain('replication_lag');

    const put = await call(api.app, 'PUT', `${P}/alerts`, { body: { ...GUIDE, dry_run: true } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({
      ...GUIDE,
      dry_run: true,
      instance_name: api.geo.live.instanceId,
      repeat_interval: 3600,
      retry_attempts: 5,
      retry_initial_delay: 1,
      retry_max_delay: 60,
      delivery_timeout: 10,
      webhook_secret: null,
      smtp: null,
      sms_gateway: null,
      pagerduty: null,
      recent_decisions: [],
    });
    // GET answers what PUT did, plus where each setting comes from (issue 10).
    const { source, ...got } = (await call(api.app, 'GET', `${P}/alerts`)).json();
    expect(got).toEqual(put.json());
    expect(source).toMatchObject({
      email: 'api',
      sms: 'api',
      webhook: 'api',
      on_events: 'api',
      dry_run: 'api',
    });
    expect(source).toMatchObject({ instance_name: 'default', smtp: 'default', retry_attempts: 'default' });

    const test = await call(api.app, 'POST', `${P}/alerts/test`);
    expect(test.statusCode).toBe(200);
    expect(test.json()).toEqual({
      results: [
        {
          channel: 'email',
          target: 'ops@company.com',
          status: 'skipped',
          error: 'dry_run: recorded, not sent',
        },
        { channel: 'sms', target: '+1555123456', status: 'skipped', error: 'dry_run: recorded, not sent' },
        {
          channel: 'webhook',
          target: 'https://hooks.company.com/geo-redundancy',
          status: 'skipped',
          error: 'dry_run: recorded, not sent',
        },
      ],
    });
    const deliveries = await call(api.app, 'GET', `${P}/alerts/deliveries?limit=2`, { token: READER });
    expect(deliveries.statusCode).toBe(200);
    const rows = deliveries.json().deliveries as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(
        [
          'alert_id',
          'attempt',
          'attempted_at',
          'channel',
          'error',
          'event',
          'id',
          'region',
          'status',
          'target',
        ].sort(),
      );
      expect(r).toMatchObject({ event: 'test', status: 'dry_run', attempt: 1, error: null, region: null });
    }
    expect(rows.map((r) => r.channel)).toEqual(['webhook', 'sms']);
    const decisions = (await call(api.app, 'GET', `${P}/alerts`)).json().recent_decisions;
    expect(decisions[0]).toMatchObject({
      event: 'test',
      decision: 'send',
      reason: 'a test alert asked for through the API is always sent',
    });
  });

  it('a drill through the API is alerted: drill_started and drill_ended reach a signed webhook', async () => {
    api = await startApi();
    const hook = await startHttp(() => 200);
    try {
      const put = await call(api.app, 'PUT', `${P}/alerts`, {
        body: {
          webhook: `${hook.url}/h`,
          webhook_secret: 'env:GEORED_TEST_REST_WHSEC',
          on_events: ['drill_started', 'drill_ended'],
        },
      });
      expect(put.statusCode).toBe(200);
      expect(put.json().webhook_secret).toBe('env:GEORED_TEST_REST_WHSEC');
      expect(
        (
          await call(api.app, 'POST', `${P}/simulate-failure`, {
            body: { region: 'us-east-1', duration: 60 },
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (await call(api.app, 'POST', `${P}/end-simulation`, { body: { region: 'us-east-1' } })).statusCode,
      ).toBe(200);
      await api.geo.alerts.idle();
      const bodies = hook.requests.map(
        (r) => JSON.parse(r.body) as { data: { event: string; region: string; reason: string } },
      );
      expect(bodies.map((b) => [b.data.event, b.data.region])).toEqual([
        ['drill_started', 'us-east-1'],
        ['drill_ended', 'us-east-1'],
      ]);
      expect(bodies[1]!.data.reason).toBe('simulated failure of us-east-1 ended');
      const rows = (await call(api.app, 'GET', `${P}/alerts/deliveries`)).json().deliveries;
      expect(rows.map((r: { event: string; status: string }) => [r.event, r.status])).toEqual([
        ['drill_ended', 'sent'],
        ['drill_started', 'sent'],
      ]);
    } finally {
      await hook.close();
    }
  });

  it('errors name the field and change nothing; a read-only token cannot change or test', async () => {
    api = await startApi();
    const before = (await call(api.app, 'GET', `${P}/alerts`)).json();
    const cases: Array<[unknown, string]> = [
      [{ email: 'ops@company.com' }, 'email'],
      [{ email: ['not an address'] }, 'email[0]'],
      [{ on_events: ['explode'] }, 'on_events[0]'],
      [{ colour: 'red' }, 'colour'],
      [GUIDE, 'smtp'],
      [
        {
          webhook: 'https://h.example.com/',
          webhook_secret: 'whsec_bGl0ZXJhbC1zZWNyZXQtbGl0ZXJhbC1zZWNyZXQ=',
        },
        'webhook_secret',
      ],
    ];
    for (const [body, field] of cases) {
      const r = await call(api.app, 'PUT', `${P}/alerts`, { body });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error.field).toBe(field);
      expect(r.body).not.toContain('bGl0ZXJhbC1zZWNyZXQ');
    }
    expect((await call(api.app, 'GET', `${P}/alerts`)).json()).toEqual(before);
    expect(
      (await call(api.app, 'PUT', `${P}/alerts`, { token: READER, body: { dry_run: true } })).statusCode,
    ).toBe(403);
    expect((await call(api.app, 'POST', `${P}/alerts/test`, { token: READER })).statusCode).toBe(403);
    expect(
      (await call(api.app, 'GET', `${P}/alerts/deliveries?limit=0`, { token: ADMIN })).json().error.field,
    ).toBe('limit');
    // Nothing configured: the test reaches nobody and says so by an empty list.
    expect((await call(api.app, 'POST', `${P}/alerts/test`)).json()).toEqual({ results: [] });
  });
});
