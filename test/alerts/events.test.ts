/**
 * The rest of the service's events reach the operator, through a signed webhook on a real service: all
 * regions down, a trunk registration failing (and its recovery clearing the condition silently), a
 * failback waiting for approval and then the failback, a scheduled failover starting and ending.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { GeographicRedundancy } from '../../src/geo/service';
import { newDatabase, openService, until } from '../geo/harness';
import { alertsConfig, type WebhookMessage } from './harness';
import { newWebhookKey, startHttp, type HttpReceiver } from './receivers';

const KEY = newWebhookKey();
process.env.GEORED_TEST_EVENTS_WHSEC = KEY;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(geoLines: string[] = []): Promise<{
  service: GeographicRedundancy;
  health: Map<string, boolean>;
  hook: HttpReceiver;
}> {
  const db = await newDatabase('sqlite');
  cleanups.push(() => db.drop());
  const hook = await startHttp(() => 200);
  cleanups.push(() => hook.close());
  const health = new Map<string, boolean>();
  const service = await openService({
    config: alertsConfig(
      db.url,
      [`webhook: "${hook.url}/h"`, 'webhook_secret: env:GEORED_TEST_EVENTS_WHSEC'],
      [],
      geoLines,
    ),
    controlled: health,
  });
  cleanups.push(() => service.stop());
  await until(() => service.getActiveRegion()?.name === 'us-east-1', 'us-east-1 active');
  return { service, health, hook };
}

const received = (hook: HttpReceiver) => {
  const wh = new Webhook(KEY);
  return hook.requests.map((r) => wh.verify(r.body, r.headers as Record<string, string>) as WebhookMessage);
};
const eventsOf = (hook: HttpReceiver) => received(hook).map((m) => m.data.event);

describe('every event of the service can be alerted', () => {
  it('a failback waiting for approval, approved: the failback; then all regions down', async () => {
    const { service, health, hook } = await setup();
    await service.configureFailback({ enabled: true, automatic: false, delay: 0, health_threshold: 0 });
    health.set('us-east-1', false);
    await until(() => service.getActiveRegion()?.name === 'us-west-1', 'the failover to us-west-1');
    health.set('us-east-1', true);
    await until(() => eventsOf(hook).includes('failback_pending_approval'), 'failback_pending_approval');
    const [pending] = await service.listPendingFailbacks();
    expect(received(hook).find((m) => m.data.event === 'failback_pending_approval')!.data).toMatchObject({
      regions: ['us-west-1', 'us-east-1'],
      reason: pending!.reason,
    });
    await service.approveFailback(pending!.id, 'alice');
    await until(() => eventsOf(hook).includes('failback'), 'the failback');
    expect(received(hook).find((m) => m.data.event === 'failback')!.data).toMatchObject({
      state_before: 'us-west-1',
      state_after: 'us-east-1',
      severity: 'info',
    });

    health.set('us-east-1', false);
    health.set('us-west-1', false);
    await until(() => eventsOf(hook).includes('all_regions_down'), 'all_regions_down');
    await service.alerts.idle();
    const all = received(hook).find((m) => m.data.event === 'all_regions_down')!;
    expect(all.data).toMatchObject({ severity: 'critical', state_after: 'down' });
    expect(all.data.reason).toMatch(/\S/);
    expect(eventsOf(hook).filter((e) => e === 'region_recovered')).toHaveLength(1);
  });

  it('a failing trunk registration alerts; registering again clears it with no message; a relapse is a flap', async () => {
    const { service, hook } = await setup();
    await service.setRegistrationState('us-east-1', 'failed', '403 Forbidden');
    await until(() => eventsOf(hook).includes('registration_failed'), 'registration_failed');
    await service.setRegistrationState('us-east-1', 'registered');
    await service.setRegistrationState('us-east-1', 'failed', '403 Forbidden');
    await service.alerts.idle();
    const failed = received(hook).filter((m) => m.data.event === 'registration_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({
      region: 'us-east-1',
      state_before: 'unregistered',
      state_after: 'failed',
      reason: 'the trunk registration in us-east-1 failed: 403 Forbidden',
    });
    const reasons = service
      .getAlerts()
      .recent_decisions.filter((d) => d.event === 'registration_failed')
      .map((d) => d.reason);
    expect(reasons).toEqual([
      expect.stringMatching(
        /^registration_failed for us-east-1 not sent: it was alerted \d+ s ago and cleared since; /,
      ),
      'the trunk registration in us-east-1 is now registered: this clears the condition, with no message',
      'registration_failed for us-east-1 sent: a new condition',
    ]);
  });

  it('a scheduled failover alerts when it starts and when it ends', async () => {
    const { service, hook } = await setup();
    const s = await service.scheduleFailover({
      target_region: 'us-west-1',
      start_time: new Date(Date.now() - 1000).toISOString(),
      duration: 1.5,
      reason: 'maintenance',
    });
    await until(
      () => eventsOf(hook).includes('scheduled_failover_ended'),
      'the end of the scheduled failover',
    );
    await service.alerts.idle();
    const byEvent = new Map(received(hook).map((m) => [m.data.event, m.data]));
    expect(byEvent.get('scheduled_failover_started')).toMatchObject({
      region: 'us-west-1',
      reason: `scheduled failover ${s.id} to us-west-1 started: maintenance`,
    });
    expect(byEvent.get('scheduled_failover_ended')?.reason).toBe(
      `scheduled failover ${s.id} to us-west-1 is over: maintenance`,
    );
    expect(byEvent.get('failover')).toMatchObject({ state_before: 'us-east-1', state_after: 'us-west-1' });
  });

  it('the flap guard holding a switch back is alerted as flap_suppressed', async () => {
    const { service, health, hook } = await setup([
      '    failover:',
      '      flap_guard: { max_switches: 1, window: 3600 }',
    ]);
    health.set('us-east-1', false);
    await until(() => service.getActiveRegion()?.name === 'us-west-1', 'the failover to us-west-1');
    health.set('us-east-1', true);
    await until(() => eventsOf(hook).includes('region_recovered'), 'us-east-1 recovered');
    health.set('us-west-1', false);
    await until(() => eventsOf(hook).includes('flap_suppressed'), 'flap_suppressed');
    await service.alerts.idle();
    const flap = received(hook).find((m) => m.data.event === 'flap_suppressed')!.data;
    expect(flap).toMatchObject({
      severity: 'warning',
      region: 'us-west-1',
      regions: ['us-west-1', 'us-east-1'],
    });
    expect(flap.reason).toMatch(/flap/i);
    expect(service.getActiveRegion()?.name).toBe('us-west-1');
  });
});
