/**
 * Two services sharing a real Redis (unique key prefix): passive health signals received by the follower
 * (TTL pushes, the call path's answers) reach the probe leader, and with a quorum every instance's view;
 * silence (a timeout) stays in the view of the instance whose path it may be (decide-quorum answeredByRegion).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GeographicRedundancy } from '../../src/geo/service';
import type { GeoEvent } from '../../src/geo/types';
import { dropPrefix, SHARED_REDIS_URL, uniquePrefix } from '../live/helpers/shared-redis';
import type { TestDatabase } from '../store/databases';
import { CONTROLLED_HEALTH, configOf, newDatabase, openService, until } from './harness';

const REGIONS = [
  '    regions:',
  '      - { name: us-east-1, priority: 1, trunk_id: t1, sip_server: sip.us-east.provider.com }',
  '      - { name: us-west-1, priority: 2, trunk_id: t2, sip_server: sip.us-west.provider.com }',
];

let db: TestDatabase | undefined;
let prefix = '';
const services: GeographicRedundancy[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of services.splice(0)) await s.stop();
  await dropPrefix(prefix);
  await db?.drop();
  db = undefined;
});

async function openPair(
  geoLines: string[],
  controlled?: Map<string, boolean>,
): Promise<{ leader: GeographicRedundancy; follower: GeographicRedundancy }> {
  db = await newDatabase('sqlite');
  prefix = uniquePrefix();
  const config = configOf(db.url, [...geoLines, ...REGIONS], [`  redis: "${SHARED_REDIS_URL}"`]);
  for (const instanceId of ['geo-a', 'geo-b']) {
    services.push(
      await openService({
        config,
        keyPrefix: prefix,
        instanceId,
        leaderTtlMs: 1500,
        ...(controlled ? { controlled } : {}),
      }),
    );
  }
  const [a, b] = services as [GeographicRedundancy, GeographicRedundancy];
  await until(() => a.isLeader !== b.isLeader, 'exactly one leader');
  await until(() => a.live.status().connected && b.live.status().connected, 'both in sync with Redis');
  return a.isLeader ? { leader: a, follower: b } : { leader: b, follower: a };
}

describe('passive signals forwarded to the probe leader', () => {
  it('a TTL push on the follower keeps the region healthy on the leader; no push means failure', async () => {
    const { leader, follower } = await openPair([
      ...CONTROLLED_HEALTH,
      '      check_methods: [provider_status]',
      '      custom_checks:',
      '        - { name: provider_status, type: ttl, ttl: 1 }',
    ]);
    const push = (): void => void follower.pushTtlCheck('us-east-1', 'provider_status', 'pass', 'from b');
    push();
    timers.push(setInterval(push, 100));

    // Both TTLs started together: us-west-1, never pushed, fails once its TTL runs out...
    await until(() => leader.getRegionHealth('us-west-1').state === 'down', 'us-west-1 DOWN on the leader');
    // ...while us-east-1, pushed only on the follower, is kept alive on the leader.
    expect(leader.getRegionHealth('us-east-1').state).toBe('healthy');
    expect(leader.checks.ttl.last('us-east-1', 'provider_status')).toMatchObject({
      status: 'pass',
      note: 'from b',
    });
    expect(follower.live.status().signalsDropped).toBe(0);
  }, 30_000);

  it('call failures reported on the follower mark the region DOWN on the leader', async () => {
    // Probes pass throughout: only the forwarded call outcomes can take the region down.
    const { leader, follower } = await openPair(CONTROLLED_HEALTH, new Map());
    await until(() => leader.getRegionHealth('us-east-1').last_check !== null, 'the leader probing');
    const downs: Extract<GeoEvent, { type: 'state' }>[] = [];
    const off = leader.on('state', (e) => {
      if (e.region === 'us-east-1' && e.to === 'down') downs.push(e);
    });
    for (let i = 0; i < 3; i++) follower.reportCallOutcome('us-east-1', '5xx');
    await until(() => downs.length > 0, 'us-east-1 DOWN on the leader', 5000);
    off();
    expect(downs[0]?.reason).toMatch(/call/i);
  }, 30_000);

  it("a follower's transport errors stay in its own view, whose reason every instance reads quotes their words", async () => {
    const { leader, follower } = await openPair(CONTROLLED_HEALTH, new Map());
    await until(() => leader.getRegionHealth('us-east-1').last_check !== null, 'the leader probing');
    const tls = 'TLS handshake failed: certificate has expired (CERT_HAS_EXPIRED)';
    for (let i = 0; i < 3; i++) follower.reportCallOutcome('us-east-1', 'transport-error', tls);
    const view = (id: string) =>
      leader.getRegionHealth('us-east-1').views.find((v) => v.instance === id && v.counted);
    await until(() => view(follower.live.instanceId)?.state === 'down', "the follower's own view DOWN");
    expect(view(follower.live.instanceId)?.reason).toMatch(
      /^us-east-1 is DOWN: 3 consecutive failed calls reported by the call path, the last a transport error \(TLS handshake failed: certificate has expired \(CERT_HAS_EXPIRED\)\) at \d\d:\d\d:\d\d\.\d{3}Z(;|$)/,
    );
    // A transport error may be the follower's own path (answeredByRegion): not forwarded, the leader's view holds.
    expect(view(leader.live.instanceId)?.state).toBe('healthy');
  }, 30_000);

  it("a follower's call timeouts stay in its own view: the leader's view and the agreed state stay HEALTHY", async () => {
    const { leader, follower } = await openPair(CONTROLLED_HEALTH, new Map());
    await until(() => leader.getRegionHealth('us-east-1').last_check !== null, 'the leader probing');
    for (let i = 0; i < 3; i++) follower.reportCallOutcome('us-east-1', 'timeout');
    const view = (id: string) =>
      leader.getRegionHealth('us-east-1').views.find((v) => v.instance === id && v.counted);
    await until(() => view(follower.live.instanceId)?.state === 'down', "the follower's own view DOWN");
    expect(view(leader.live.instanceId)?.state).toBe('healthy');
    await until(
      () => leader.getRegionHealth('us-east-1').quorum.reason.includes('only 1 of 2 instances sees it DOWN'),
      "the leader counting the follower's DOWN view",
    );
    expect(leader.getRegionHealth('us-east-1').quorum).toMatchObject({ required: 2, state: 'healthy' });
    expect(leader.getRegionHealth('us-east-1').state).toBe('healthy');
  }, 30_000);
});
