/**
 * The store and Redis going away under a running geored (issue 7): call records are kept and written when
 * the database is back (a real PostgreSQL cluster of the test's own, stopped and started again), and
 * /readyz says not ready, naming which part is down, while either is away.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server';
import { parseConfig } from '../../src/config';
import { openParts } from '../../src/geo/open';
import { createGeographicRedundancy, type GeographicRedundancy } from '../../src/geo/service';
import { Metrics } from '../../src/metrics/registry';
import { CallRecorder, type CallRecord } from '../../src/proxy/call-records';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';
import { PrivatePostgres } from '../helpers/private-postgres';
import { PrivateRedis } from '../live/helpers/private-redis';
import { until } from '../geo/harness';

function capturingLogger(): { logger: pino.Logger; lines: () => Array<{ level: number; msg: string }> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return {
    logger: pino({ level: 'debug' }, stream),
    lines: () => lines.map((l) => JSON.parse(l) as { level: number; msg: string }),
  };
}

let pg: PrivatePostgres;

beforeAll(async () => {
  pg = await PrivatePostgres.start();
}, 120_000);

afterAll(async () => {
  await pg?.destroy();
}, 120_000);

describe('call records across a database restart', () => {
  let store: Store;

  afterAll(async () => {
    await store?.close();
  });

  it('keeps every record while PostgreSQL is down and writes them all when it is back', async () => {
    store = await openStore(pg.url, { poolSize: 2 });
    const metrics = new Metrics({ defaultMetrics: false });
    const log = capturingLogger();
    const recorder = new CallRecorder(store, metrics, log.logger, {
      flushMs: 20,
      batch: 10,
      maxRows: 100_000,
      maxSpooled: 1_000,
      retryMs: 50,
    });
    // A small spool on the same outage: the oldest records beyond it are dropped, and counted.
    const smallMetrics = new Metrics({ defaultMetrics: false });
    const small = new CallRecorder(store, smallMetrics, pino({ level: 'silent' }), {
      flushMs: 20,
      batch: 10,
      maxRows: 100_000,
      maxSpooled: 5,
      retryMs: 50,
    });
    let n = 0;
    const call = (rec: CallRecorder, answered: boolean): CallRecord => {
      const r = rec.open(
        `outage-${++n}`,
        'outbound',
        'sip:pbx@127.0.0.1',
        'sip:+15551234567@127.0.0.1',
        Date.now(),
      );
      rec.settled(r, answered ? 200 : 503, 'us-east-1', answered ? 'answered' : 'failed', Date.now());
      return r;
    };

    const before = Array.from({ length: 10 }, () => call(recorder, true));
    await recorder.flush();
    expect(await store.countCalls()).toBe(10);

    await pg.stop();
    // During the outage: 30 new calls, and the end (BYE) of calls written before it.
    const during = Array.from({ length: 30 }, (_, i) => call(recorder, i % 2 === 0));
    for (const r of before.slice(0, 4)) recorder.ended(r, Date.now());
    const smallOnes = Array.from({ length: 8 }, () => call(small, false));
    await recorder.flush();
    await small.flush();
    expect(recorder.pending).toBe(34);
    expect(recorder.dropped).toBe(0);
    expect(small.pending).toBe(5);
    expect(small.dropped).toBe(3);
    expect(await metrics.registry.getSingleMetricAsString('geored_call_records_spooled')).toMatch(
      /geored_call_records_spooled 34$/m,
    );
    expect(await smallMetrics.registry.getSingleMetricAsString('geored_call_records_dropped_total')).toMatch(
      /geored_call_records_dropped_total 3$/m,
    );

    await pg.restart();
    await until(() => recorder.pending === 0 && small.pending === 0, 'the spooled records written', 60_000);

    // None lost: 10 before, 30 during; the ends recorded during the outage are there too.
    const rows = await store.listCalls({ limit: 1000 });
    const ids = new Set(rows.map((r) => r.call_id));
    for (const r of [...before, ...during]) expect(ids.has(r.call_id), r.call_id).toBe(true);
    const ended = rows.filter((r) => before.slice(0, 4).some((b) => b.call_id === r.call_id));
    expect(ended.map((r) => r.call_id).sort()).toEqual(
      before
        .slice(0, 4)
        .map((b) => b.call_id)
        .sort(),
    );
    expect(ended.every((r) => r.ended_at !== null)).toBe(true);
    // The small spool kept the newest five and lost the three oldest.
    for (const [i, r] of smallOnes.entries()) expect(ids.has(r.call_id), r.call_id).toBe(i >= 3);
    expect(await store.countCalls()).toBe(10 + 30 + 5);
    expect(await metrics.registry.getSingleMetricAsString('geored_call_records_spooled')).toMatch(
      /geored_call_records_spooled 0$/m,
    );

    // One error line for the outage (not one per retry), one info line when it is over.
    const lines = log.lines();
    const errors = lines.filter((l) => l.level >= 50);
    expect(errors.map((l) => l.msg)).toEqual([
      'call records not written: the store failed; they are kept and the write retried until it succeeds',
    ]);
    expect(
      lines.some(
        (l) => l.level === 30 && /^call records written again after \d+ failed attempts?$/.test(l.msg),
      ),
    ).toBe(true);
    metrics.close();
    smallMetrics.close();
  }, 180_000);
});

describe('/readyz while the store or Redis is down', () => {
  let redis: PrivateRedis;
  let geo: GeographicRedundancy | undefined;

  afterAll(async () => {
    await geo?.stop();
    await redis?.kill();
  }, 60_000);

  it('answers 503 naming the store and Redis while each is away, and ready again after', async () => {
    await pg.ensureRunning();
    redis = await PrivateRedis.start('readyz-redis-password');
    const config = parseConfig(
      [
        'features:',
        '  geographic_redundancy:',
        '    enabled: true',
        '    health_check: { interval: 3600, timeout: 5, check_methods: [pushed], custom_checks: [{ name: pushed, type: ttl, ttl: 3600 }] }',
        '    regions:',
        '      - { name: us-east-1, priority: 1, trunk_id: t1, sip_server: 127.0.0.1:15061 }',
        'server:',
        `  store: "${pg.url}"`,
        '  redis: "env:GEORED_TEST_PRIVATE_REDIS"',
        '',
      ].join('\n'),
      'readyz-test.yml',
      { GEORED_TEST_PRIVATE_REDIS: redis.url },
    );
    const logger = pino({ level: 'silent' });
    const metrics = new Metrics({ defaultMetrics: false });
    const parts = await openParts(config, {
      logger,
      metrics,
      probeListen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
    });
    parts.checks.configure(config.geo.health_check.custom_checks);
    geo = createGeographicRedundancy({ ...parts, tickMs: 50 });
    await geo.start();
    const running = geo;
    const app = buildApi({
      geo: running,
      metrics,
      tokens: [],
      logger,
      ready: () => running.notReady(500),
    });
    await app.ready();
    const readyz = async () => {
      const r = await app.inject({ method: 'GET', url: '/readyz' });
      return {
        status: r.statusCode,
        body: r.json() as { status?: string; error?: { code: string; message: string } },
      };
    };
    try {
      expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });

      await redis.kill();
      await until(async () => (await readyz()).status === 503, 'not ready without Redis');
      let r = await readyz();
      expect(r.body.error?.code).toBe('API_NOT_READY');
      expect(r.body.error?.message).toMatch(/^not ready: live state \(Redis\) is not connected since /);
      expect(r.body.error?.message).not.toContain('readyz-redis-password');

      await pg.stop();
      r = await readyz();
      expect(r.status).toBe(503);
      expect(r.body.error?.message).toMatch(
        /^not ready: the store \(postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\) does not answer: .+; live state \(Redis\) is not connected since /,
      );

      await redis.restart();
      await until(async () => !(await readyz()).body.error?.message?.includes('Redis'), 'Redis back');
      r = await readyz();
      expect(r.status).toBe(503);
      expect(r.body.error?.message).toMatch(/^not ready: the store \(.*\) does not answer: [^;]+$/);

      await pg.restart();
      await until(async () => (await readyz()).status === 200, 'ready again', 30_000);
      expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
    } finally {
      await app.close();
      metrics.close();
    }
  }, 180_000);
});
