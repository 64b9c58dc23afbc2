/**
 * GET .../events/stream against a real `geored serve` between sipp regions: ordered events with rising
 * ids, a reconnect with Last-Event-ID (and ?since) replays exactly what was missed, a resume point the
 * server never issued answers `resync`, tokens are required, and the route is in the OpenAPI document.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeoredProcess, stopAllGeored, type GeoredProcess } from '../helpers/geored-process';
import { stopAllSipp, type SippPeer } from '../helpers/sipp';
import { twoSippRegions } from '../helpers/sipp-regions';
import { openSse, type SseEvent } from '../helpers/sse-client';

const GEO = '/api/framework/geographic-redundancy';
const ADMIN = 'stream-admin-token';
const READER = 'stream-read-token';
let geored: GeoredProcess;
let peers: { east: SippPeer; west: SippPeer };
const url = () => `${geored.apiUrl}${GEO}/events/stream`;

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${geored.apiUrl}${GEO}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status < 200 || res.status > 299)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const failover = (to: string, reason: string) => api('POST', '/failover', { target_region: to, reason });

beforeAll(async () => {
  const { east, west, lines } = await twoSippRegions();
  peers = { east, west };
  const dir = mkdtempSync(join(tmpdir(), 'geored-stream-'));
  const file = join(dir, 'config.yml');
  writeFileSync(
    file,
    [
      'features:',
      '  geographic_redundancy:',
      '    health_check: { interval: 0.2, timeout: 0.5, retry_count: 2, jitter: 0 }',
      ...lines,
      'server:',
      '  tokens:',
      '    - { name: reader, role: read, token: "env:STREAM_READ_TOKEN" }',
      '',
    ].join('\n'),
  );
  geored = await startGeoredProcess({
    configFile: file,
    env: { GEORED_API_TOKEN: ADMIN, STREAM_READ_TOKEN: READER },
  });
  const deadline = performance.now() + 20_000;
  while ((await api('GET', '/active-region'))['name'] !== 'us-east-1') {
    if (performance.now() > deadline) throw new Error(`us-east-1 never became active:\n${geored.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

afterAll(async () => {
  await stopAllGeored();
  await stopAllSipp();
});

const failoverEvents = (events: readonly SseEvent[]) => events.filter((e) => e.event === 'failover');

describe('the event stream', () => {
  it('needs a token, and is a text/event-stream the OpenAPI document describes', async () => {
    const res = await fetch(url());
    expect(res.status).toBe(401);
    const doc = (await (await fetch(`${geored.apiUrl}/api/openapi.json`)).json()) as {
      paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    };
    const op = doc.paths[`${GEO}/events/stream`]?.get;
    expect(op?.responses['200']?.content).toHaveProperty(['text/event-stream']);
  });

  it('delivers changes in order with ids rising by 1, and a reconnect with Last-Event-ID replays the gap', async () => {
    const live = await openSse(url(), READER);
    expect(live.status).toBe(200);
    expect(live.contentType).toMatch(/^text\/event-stream/);

    await failover('us-west-1', 'stream test one');
    const first = await live.waitFor((e) => e.event === 'failover' && e.data['to_region'] === 'us-west-1');
    expect(first.data).toMatchObject({
      type: 'failover',
      from_region: 'us-east-1',
      to_region: 'us-west-1',
      reason: expect.stringContaining('stream test one'),
      automatic: false,
      initiated_by: 'GEORED_API_TOKEN',
    });
    expect(Date.parse(String(first.data['time']))).not.toBeNaN();
    const active = live.events.find((e) => e.event === 'active_region');
    expect(active?.data).toMatchObject({ from: 'us-east-1', to: 'us-west-1', automatic: false });
    expect(active!.id).toBe(first.id! - 1);

    // Disconnect, change things twice, reconnect from the last id seen.
    live.close();
    const lastSeen = first.id!;
    await failover('us-east-1', 'while away one');
    await failover('us-west-1', 'while away two');
    const resumed = await openSse(url(), READER, { 'last-event-id': String(lastSeen) });
    await resumed.waitFor(
      (e) => e.event === 'failover' && String(e.data['reason']).includes('while away two'),
    );
    const ids = resumed.events.map((e) => e.id!);
    expect(ids[0]).toBe(lastSeen + 1);
    expect(ids).toEqual(ids.map((_, i) => lastSeen + 1 + i));
    expect(failoverEvents(resumed.events).map((e) => [e.data['from_region'], e.data['to_region']])).toEqual([
      ['us-west-1', 'us-east-1'],
      ['us-east-1', 'us-west-1'],
    ]);

    // Still live after the replay: the next change follows with the next id.
    const before = resumed.events.at(-1)!.id!;
    await failover('us-east-1', 'after the replay');
    const next = await resumed.waitFor((e) => e.event === 'failover' && e.id! > before);
    expect(resumed.events.filter((e) => e.id! > before).map((e) => e.id)).toEqual(
      resumed.events.filter((e) => e.id! > before).map((_, i) => before + 1 + i),
    );
    expect(next.data['to_region']).toBe('us-east-1');
    resumed.close();

    // ?since=N replays the same as the header.
    const bySince = await fetch(`${url()}?since=${lastSeen}`, {
      headers: { authorization: `Bearer ${READER}` },
    });
    const reader = bySince.body!.getReader();
    let text = '';
    while (!text.includes('after the replay')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain(`id: ${lastSeen + 1}\n`);
    expect(text.indexOf('while away one')).toBeLessThan(text.indexOf('while away two'));
  }, 60_000);

  it('a resume point the server never issued (it restarted) starts with a resync event', async () => {
    const s = await openSse(url(), READER, { 'last-event-id': '999999' });
    const resync = await s.waitFor((e) => e.event === 'resync');
    expect(resync.data).toMatchObject({ type: 'resync', last: expect.any(Number) });
    expect(resync.data['last']).toBeLessThan(999999);
    s.close();
  });

  it('publishes health changes with their reason as a region fails and recovers', async () => {
    const s = await openSse(url(), READER);
    peers.west.pause();
    try {
      const bad = await s.waitFor((e) => e.event === 'health' && e.data['region'] === 'us-west-1');
      expect(bad.data).toMatchObject({
        type: 'health',
        from: 'healthy',
        reason: expect.stringContaining('us-west-1'),
      });
    } finally {
      peers.west.resume();
    }
    const back = await s.waitFor(
      (e) => e.event === 'health' && e.data['region'] === 'us-west-1' && e.data['to'] === 'healthy',
    );
    const ids = s.events.map((e) => e.id!);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(back.id).toBeGreaterThan(ids[0]!);
    s.close();
  }, 40_000);

  it('publishes settings and scheduled-failover changes, and simulations', async () => {
    const s = await openSse(url(), READER);
    await api('PUT', '/health-check', { interval: 0.2, timeout: 0.5, retry_count: 2 });
    const settings = await s.waitFor((e) => e.event === 'settings');
    expect(settings.data['changed']).toMatchObject({ health_check: { retry_count: 2 } });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const created = await api('POST', '/scheduled-failovers', {
      target_region: 'us-west-1',
      start_time: at,
      duration: 60,
      reason: 'maintenance',
    });
    await api('DELETE', `/scheduled-failovers/${String(created['id'])}`);
    const cancelled = await s.waitFor(
      (e) => e.event === 'scheduled_failover' && e.data['action'] === 'cancelled',
    );
    expect(cancelled.data).toMatchObject({
      id: created['id'],
      target_region: 'us-west-1',
      status: 'cancelled',
    });
    const createdEvent = s.events.find(
      (e) => e.event === 'scheduled_failover' && e.data['action'] === 'created',
    );
    expect(createdEvent!.id).toBeLessThan(cancelled.id!);

    await api('POST', '/simulate-failure', { region: 'us-west-1', duration: 30 });
    const drill = await s.waitFor((e) => e.event === 'simulation' && e.data['running'] === true);
    expect(drill.data).toMatchObject({ region: 'us-west-1', until: expect.any(String) });
    await api('POST', '/end-simulation', { region: 'us-west-1' });
    const over = await s.waitFor((e) => e.event === 'simulation' && e.data['running'] === false);
    expect(over.id).toBeGreaterThan(drill.id!);
    s.close();
  }, 30_000);
});
