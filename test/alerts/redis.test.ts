/**
 * Two services on one Redis (unique key prefix) and one PostgreSQL store, both with the same webhook:
 * a region failing is alerted once, not once per instance (the probe leader alerts on shared health
 * changes; the instance that applied the failover alerts on it), and each attempt is recorded once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GeographicRedundancy } from '../../src/geo/service';
import { dropPrefix, SHARED_REDIS_URL, uniquePrefix } from '../live/helpers/shared-redis';
import type { TestDatabase } from '../store/databases';
import { newDatabase, openService, until } from '../geo/harness';
import { alertsConfig } from './harness';
import { newWebhookKey, startHttp } from './receivers';

process.env.GEORED_TEST_REDIS_WHSEC = newWebhookKey();

let db: TestDatabase | undefined;
let prefix = '';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await dropPrefix(prefix);
  await db?.drop();
  db = undefined;
});

describe('alerts with two instances sharing Redis', () => {
  it('each alert goes out once', async () => {
    db = await newDatabase('postgres');
    prefix = uniquePrefix();
    const hook = await startHttp(() => 200);
    cleanups.push(() => hook.close());
    const config = alertsConfig(
      db.url,
      [
        `webhook: "${hook.url}/h"`,
        'webhook_secret: env:GEORED_TEST_REDIS_WHSEC',
        'on_events: [region_down, failover, region_recovered]',
      ],
      [`  redis: "${SHARED_REDIS_URL}"`],
    );
    const health = new Map<string, boolean>();
    const services: GeographicRedundancy[] = [];
    for (const id of ['alerts-a', 'alerts-b']) {
      const s = await openService({
        config,
        controlled: health,
        keyPrefix: prefix,
        instanceId: id,
        leaderTtlMs: 1500,
      });
      services.push(s);
      cleanups.push(() => s.stop());
    }
    const [a, b] = services as [GeographicRedundancy, GeographicRedundancy];
    await until(() => a.isLeader !== b.isLeader, 'exactly one leader');
    await until(
      () => a.getActiveRegion()?.name === 'us-east-1' && b.getActiveRegion()?.name === 'us-east-1',
      'us-east-1 active on both',
    );

    health.set('us-east-1', false);
    const downOn = (s: GeographicRedundancy) =>
      s.listRegions().find((r) => r.name === 'us-east-1')?.health_state === 'down';
    await until(() => downOn(a) && downOn(b), 'both instances to see us-east-1 DOWN');
    await until(
      () => a.getActiveRegion()?.name === 'us-west-1' && b.getActiveRegion()?.name === 'us-west-1',
      'failover on both',
    );
    health.set('us-east-1', true);
    const upOn = (s: GeographicRedundancy) =>
      s.listRegions().find((r) => r.name === 'us-east-1')?.health_state === 'healthy';
    await until(() => upOn(a) && upOn(b), 'both instances to see us-east-1 HEALTHY');
    await a.alerts.idle();
    await b.alerts.idle();

    const events = hook.requests.map(
      (r) => (JSON.parse(r.body) as { data: { event: string; instance: string } }).data,
    );
    expect(events.map((e) => e.event).sort()).toEqual(['failover', 'region_down', 'region_recovered']);
    const leader = a.isLeader ? 'alerts-a' : 'alerts-b';
    expect(new Set(events.map((e) => e.instance))).toEqual(new Set([leader]));
    // One store: each instance's attempts are recorded there, and there is one per message.
    expect((await a.listAlertDeliveries(50)).map((r) => r.event).sort()).toEqual([
      'failover',
      'region_down',
      'region_recovered',
    ]);
  });
});
