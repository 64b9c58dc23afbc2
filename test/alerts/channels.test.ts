/**
 * Alerts end to end on a real service: a region fails (the controlled check), and real receivers in this
 * process get the email (smtp-server, parsed by mailparser), the SMS (a Twilio-compatible gateway), the
 * signed webhook (verified with the standardwebhooks package) and the PagerDuty events, each checked for
 * what it must carry; the region recovers and PagerDuty's incident is resolved; every attempt is recorded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { GeoEvent } from '../../src/geo/types';
import type { GeographicRedundancy } from '../../src/geo/service';
import type { TestDatabase } from '../store/databases';
import { newDatabase, openService, until } from '../geo/harness';
import { alertsConfig, type WebhookMessage } from './harness';
import { newWebhookKey, startHttp, startSmtp, type HttpReceiver, type SmtpReceiver } from './receivers';

const KEY = newWebhookKey();
process.env.GEORED_TEST_ALERTS_WHSEC = KEY;
process.env.GEORED_TEST_ALERTS_SMS_TOKEN = 'sms-token-51f0c9';
process.env.GEORED_TEST_ALERTS_PD_KEY = 'pd-routing-key-8a7b6c';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { webhook?: HttpReceiver['behave']; extra?: string[] } = {}) {
  const db: TestDatabase = await newDatabase('sqlite');
  cleanups.push(() => db.drop());
  const smtp: SmtpReceiver = await startSmtp();
  const sms = await startHttp(() => 201);
  const hook = await startHttp(opts.webhook ?? (() => 200));
  const pd = await startHttp(() => 202);
  cleanups.push(
    () => smtp.close(),
    () => sms.close(),
    () => hook.close(),
    () => pd.close(),
  );
  const config = alertsConfig(db.url, [
    'email: [ops@example.com, oncall@example.com]',
    'sms: ["+15551234567"]',
    `webhook: "${hook.url}/geo-redundancy?token=abc"`,
    'webhook_secret: env:GEORED_TEST_ALERTS_WHSEC',
    'instance_name: geored-test-1',
    'retry_initial_delay: 0.05',
    'retry_max_delay: 0.2',
    'delivery_timeout: 2',
    'smtp:',
    '  host: 127.0.0.1',
    `  port: ${smtp.port}`,
    '  security: none',
    '  from: "geored <geored@example.com>"',
    'sms_gateway:',
    `  base_url: "${sms.url}"`,
    '  account_sid: AC0123456789',
    '  auth_token: env:GEORED_TEST_ALERTS_SMS_TOKEN',
    '  from: "+15550001111"',
    'pagerduty:',
    '  routing_key: env:GEORED_TEST_ALERTS_PD_KEY',
    `  base_url: "${pd.url}"`,
    ...(opts.extra ?? []),
  ]);
  const health = new Map<string, boolean>();
  const service: GeographicRedundancy = await openService({ config, controlled: health });
  cleanups.push(() => service.stop());
  const events: GeoEvent[] = [];
  for (const t of ['state', 'failover'] as const) service.on(t, (e) => events.push(e));
  return { service, health, smtp, sms, hook, pd, events };
}

const webhooksOf = (hook: HttpReceiver): WebhookMessage[] =>
  hook.requests.map((r) => JSON.parse(r.body) as WebhookMessage);

describe('alerts on a real service, to real receivers', () => {
  it('a region down: email, SMS, signed webhook and PagerDuty each carry the event; recovery resolves', async () => {
    const { service, health, smtp, sms, hook, pd, events } = await setup();
    await until(() => service.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');

    health.set('us-east-1', false);
    await until(() => service.getActiveRegion()?.name === 'us-west-1', 'the failover to us-west-1');
    await until(
      () => webhooksOf(hook).some((m) => m.data.event === 'failover') && smtp.mails.length >= 4,
      'the region_down and failover alerts',
    );
    await service.alerts.idle();
    const down = events.find((e) => e.type === 'state' && e.to === 'down') as Extract<
      GeoEvent,
      { type: 'state' }
    >;
    const failover = events.find((e) => e.type === 'failover') as Extract<GeoEvent, { type: 'failover' }>;

    // Webhook: Standard Webhooks signature verified by the reference library; the body is the alert.
    const wh = new Webhook(KEY);
    for (const r of hook.requests) {
      expect(r.url).toBe('/geo-redundancy?token=abc');
      expect(r.headers['content-type']).toBe('application/json');
      expect(() => wh.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
      expect(r.headers['webhook-id']).toBe((JSON.parse(r.body) as WebhookMessage).data.id);
    }
    expect(() =>
      wh.verify(
        hook.requests[0]!.body.replace('us-east-1', 'us-east-2'),
        hook.requests[0]!.headers as Record<string, string>,
      ),
    ).toThrow();
    expect(webhooksOf(hook).map((m) => m.data.event)).toEqual(['region_down', 'failover']);
    const [downMsg, failoverMsg] = webhooksOf(hook);
    expect(downMsg).toMatchObject({
      type: 'geored.region_down',
      data: {
        event: 'region_down',
        severity: 'critical',
        region: 'us-east-1',
        regions: ['us-east-1'],
        state_before: down.from,
        state_after: 'down',
        reason: down.reason,
        instance: 'geored-test-1',
      },
    });
    expect(Date.parse(downMsg!.data.time)).toBe(down.at);
    expect(failoverMsg!.data).toMatchObject({
      event: 'failover',
      regions: ['us-east-1', 'us-west-1'],
      state_before: 'us-east-1',
      state_after: 'us-west-1',
      reason: failover.reason,
    });

    // Email: one message per recipient, a subject that says what and where, text and HTML bodies.
    expect(smtp.mails).toHaveLength(4);
    const downMails = smtp.mails.filter((m) => m.mail.headers.get('x-geored-event') === 'region_down');
    expect(
      downMails
        .map((m) => m.envelopeTo)
        .flat()
        .sort(),
    ).toEqual(['oncall@example.com', 'ops@example.com']);
    const mail = downMails[0]!.mail;
    expect(mail.subject).toBe('[geored CRITICAL] Region down: us-east-1');
    expect(mail.from?.text).toBe('"geored" <geored@example.com>');
    expect(mail.headers.get('x-geored-alert-id')).toBe(downMsg!.data.id);
    expect(mail.text).toContain(`Why: ${down.reason}`);
    expect(mail.text).toContain(`Before: ${down.from}`);
    expect(mail.text).toContain('After: down');
    expect(mail.text).toContain('Instance: geored-test-1');
    expect(mail.text).toContain(`Time: ${downMsg!.data.time}`);
    expect(mail.html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(mail.html).toContain('Region down</h1>');
    expect(mail.html).toContain(
      down.reason.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    );

    // SMS: the Twilio Messages API, Basic auth with the account SID and token, one short line.
    expect(sms.requests).toHaveLength(2);
    for (const r of sms.requests) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/2010-04-01/Accounts/AC0123456789/Messages.json');
      expect(r.headers.authorization).toBe(
        `Basic ${Buffer.from('AC0123456789:sms-token-51f0c9').toString('base64')}`,
      );
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    }
    const smsBody = new URLSearchParams(sms.requests[0]!.body);
    expect(smsBody.get('To')).toBe('+15551234567');
    expect(smsBody.get('From')).toBe('+15550001111');
    const line = smsBody.get('Body')!;
    expect(line.startsWith('geored region_down us-east-1 ')).toBe(true);
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThanOrEqual(160);

    // PagerDuty: a trigger for the condition (a failover is a notice: not paged).
    expect(pd.requests).toHaveLength(1);
    expect(pd.requests[0]!.url).toBe('/v2/enqueue');
    expect(JSON.parse(pd.requests[0]!.body)).toMatchObject({
      routing_key: 'pd-routing-key-8a7b6c',
      event_action: 'trigger',
      dedup_key: 'geored:region_down:us-east-1',
      payload: {
        severity: 'critical',
        source: 'geored-test-1',
        component: 'us-east-1',
        class: 'region_down',
      },
    });

    // Recovery: sent once, and PagerDuty's incident resolved by the same dedup_key.
    health.set('us-east-1', true);
    await until(() => pd.requests.length === 2, 'the PagerDuty resolve');
    await service.alerts.idle();
    // One resolve, for the one incident opened: none for conditions that were never paged.
    expect(pd.requests).toHaveLength(2);
    expect(JSON.parse(pd.requests[1]!.body)).toEqual({
      routing_key: 'pd-routing-key-8a7b6c',
      event_action: 'resolve',
      dedup_key: 'geored:region_down:us-east-1',
    });
    expect(webhooksOf(hook).map((m) => m.data.event)).toEqual([
      'region_down',
      'failover',
      'region_recovered',
    ]);

    // Every attempt recorded: 3 alerts × (2 emails + 1 SMS + 1 webhook) + 2 PagerDuty, all sent at once.
    const rows = await service.listAlertDeliveries(100);
    expect(rows).toHaveLength(14);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['sent']));
    expect(rows[0]).toMatchObject({
      event: 'region_recovered',
      region: 'us-east-1',
      attempt: 1,
      error: null,
    });
    expect(rows.filter((r) => r.channel === 'webhook').map((r) => r.target)).toEqual([
      `${hook.url}/geo-redundancy`,
      `${hook.url}/geo-redundancy`,
      `${hook.url}/geo-redundancy`,
    ]);
    const decisions = service.getAlerts().recent_decisions;
    expect(decisions.find((d) => d.event === 'region_down')?.reason).toBe(
      'region_down for us-east-1 sent: a new condition',
    );
    expect(decisions.find((d) => d.event === 'region_recovered')?.reason).toBe(
      'region_recovered for us-east-1 sent once: it clears region_down:us-east-1, which was alerted',
    );
  });

  it('a receiver that fails then succeeds: retried with the same webhook-id, each attempt recorded', async () => {
    const { service, health, hook } = await setup({ webhook: (_r, n) => (n <= 2 ? 503 : 200) });
    await service.configureAlerts({ on_events: ['region_down'] });
    await until(() => service.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    health.set('us-east-1', false);
    await until(() => hook.requests.length === 3, 'three webhook attempts');
    await service.alerts.idle();
    const ids = new Set(hook.requests.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const wh = new Webhook(KEY);
    for (const r of hook.requests)
      expect(() => wh.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    const rows = (await service.listAlertDeliveries(100)).filter((r) => r.channel === 'webhook').reverse();
    expect(rows.map((r) => [r.status, r.attempt, r.error])).toEqual([
      ['retrying', 1, 'HTTP 503: {"error":"try again"}'],
      ['retrying', 2, 'HTTP 503: {"error":"try again"}'],
      ['sent', 3, null],
    ]);
    expect(new Set(rows.map((r) => r.alert_id))).toEqual(ids);
  });

  it('a receiver that always fails: given up after retry_attempts and recorded failed', async () => {
    const { service, health, hook } = await setup({ webhook: () => 500, extra: ['retry_attempts: 3'] });
    await service.configureAlerts({ on_events: ['region_down'] });
    await until(() => service.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    health.set('us-east-1', false);
    await until(() => hook.requests.length === 3, 'three webhook attempts');
    await service.alerts.idle();
    const rows = (await service.listAlertDeliveries(100)).filter((r) => r.channel === 'webhook');
    expect(rows.map((r) => r.status)).toEqual(['failed', 'retrying', 'retrying']);
    expect(rows[0]!.attempt).toBe(3);
    expect(hook.requests).toHaveLength(3);
  });

  it('a receiver that hangs: the failover is applied while the delivery waits, then the attempt times out', async () => {
    const { service, health, hook } = await setup({
      webhook: () => 'hang',
      extra: ['retry_attempts: 1', 'on_events: [region_down, failover]'],
    });
    await service.configureAlerts({ delivery_timeout: 3 });
    await until(() => service.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    health.set('us-east-1', false);
    await until(() => hook.hanging.length >= 1, 'the region_down webhook to hang');
    // The region_down delivery is still hanging (no outcome recorded): the failover happens regardless.
    await until(() => service.getActiveRegion()?.name === 'us-west-1', 'the failover to us-west-1');
    expect((await service.listAlertDeliveries(50)).filter((r) => r.channel === 'webhook')).toEqual([]);
    expect((await service.getFailoverHistory(5))[0]).toMatchObject({
      from_region: 'us-east-1',
      to_region: 'us-west-1',
    });
    await service.alerts.idle();
    const rows = (await service.listAlertDeliveries(100)).filter((r) => r.channel === 'webhook');
    expect(rows.map((r) => [r.event, r.status, r.error]).sort()).toEqual([
      ['failover', 'failed', 'no answer within 3000 ms'],
      ['region_down', 'failed', 'no answer within 3000 ms'],
    ]);
  });

  it('a flapping region raises no storm: one down, one recovery, the rest suppressed with the reason', async () => {
    const { service, health, hook, events } = await setup({
      extra: ['on_events: [region_down, region_recovered]'],
    });
    await until(() => service.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
    const flaps = 5;
    for (let i = 0; i < flaps; i++) {
      const downs = events.filter((e) => e.type === 'state' && e.to === 'down').length;
      health.set('us-east-1', false);
      await until(
        () => events.filter((e) => e.type === 'state' && e.to === 'down').length === downs + 1,
        `down #${i + 1}`,
      );
      const ups = events.filter((e) => e.type === 'state' && e.to === 'healthy').length;
      health.set('us-east-1', true);
      await until(
        () => events.filter((e) => e.type === 'state' && e.to === 'healthy').length === ups + 1,
        `up #${i + 1}`,
      );
    }
    await service.alerts.idle();
    expect(webhooksOf(hook).map((m) => m.data.event)).toEqual(['region_down', 'region_recovered']);
    const reasons = service.getAlerts().recent_decisions.map((d) => d.reason);
    expect(
      reasons.filter((r) => r.startsWith('region_down for us-east-1 not sent: it was alerted')),
    ).toHaveLength(flaps - 1);
    expect(reasons).toContain(
      'region_recovered for us-east-1 not sent: no alert sent for it is still open, so there is nothing to recover from',
    );
  });
});
