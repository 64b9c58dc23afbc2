/**
 * The OpenAPI document, /metrics, /healthz, /readyz and GET /api/calls, and one run over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, P, READER, call, eventually, sorted, startApi, type TestApi } from './harness';
import { ROUTES } from './routes';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
  await eventually(async () => api.geo.getActiveRegion()?.name, 'an active region');
});
afterAll(async () => {
  await api.close();
});

interface Operation {
  tags?: string[];
  summary?: string;
  requestBody?: { content: Record<string, { schema: object }> };
  parameters?: Array<{ in: string; name: string; schema: object }>;
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
  security?: unknown[];
}

describe('GET /api/openapi.json', () => {
  it('is OpenAPI 3.x listing exactly the routes, each tagged with request and response schemas', async () => {
    const r = await call(api.app, 'GET', '/api/openapi.json', { token: null });
    expect(r.statusCode).toBe(200);
    const doc = JSON.parse(r.body) as { openapi: string; paths: Record<string, Record<string, Operation>> };
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);

    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((x) => `${x.method} ${x.path}`).sort());

    for (const route of ROUTES) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      const where = `${route.method} ${route.path}`;
      expect(op.tags?.length, where).toBeGreaterThan(0);
      expect(op.summary, where).toBeTruthy();
      const ok = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(ok.length, where).toBe(1);
      if (ok[0] !== '204')
        expect(Object.values(op.responses[ok[0]!]!.content ?? {})[0]?.schema, where).toBeDefined();
      if (route.access !== 'public') {
        expect(op.responses['401'], where).toBeDefined();
        expect(op.security, where).toBeUndefined(); // the document-wide bearer requirement applies
      } else {
        expect(op.security, where).toEqual([]);
      }
      if (route.access === 'admin') expect(op.responses['403'], where).toBeDefined();
      if (route.body !== undefined) {
        expect(op.requestBody?.content['application/json']?.schema, where).toMatchObject({ type: 'object' });
      }
      for (const name of route.path.match(/\{(\w+)\}/g) ?? []) {
        expect(
          op.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === name),
          `${where} ${name}`,
        ).toBe(true);
      }
    }
    const history = doc.paths[`${P}/failover-history`]!['get']!;
    expect(history.parameters).toEqual([expect.objectContaining({ in: 'query', name: 'limit' })]);
    const lb = doc.paths[`${P}/load-balancing`]!['put']!.requestBody!.content['application/json']!.schema as {
      properties: { strategy: { enum: string[] } };
    };
    expect(lb.properties.strategy.enum).toEqual(['priority', 'proximity', 'time_of_day']);
  });
});

describe('operations', () => {
  it('/healthz is alive; /readyz follows ready()', async () => {
    expect((await call(api.app, 'GET', '/healthz', { token: null })).json()).toEqual({ status: 'ok' });
    expect((await call(api.app, 'GET', '/readyz', { token: null })).json()).toEqual({ status: 'ready' });
    let ready = false;
    const other = await startApi({ ready: () => ready });
    try {
      const r = await call(other.app, 'GET', '/readyz', { token: null });
      expect(r.statusCode).toBe(503);
      expect(r.json().error.code).toBe('API_NOT_READY');
      // Anyone may poll /readyz (no token): its 503s are answers, never error lines, or a poller would set
      // our error-log rate. Asked 20 times, nothing is logged at error level.
      for (let i = 0; i < 20; i++) await call(other.app, 'GET', '/readyz', { token: null });
      const errorLines = other.logs
        .flatMap((chunk) => chunk.split('\n'))
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { level: number; msg?: string })
        .filter((l) => l.level >= 50);
      expect(errorLines).toEqual([]);
      ready = true;
      expect((await call(other.app, 'GET', '/readyz', { token: null })).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('/metrics exposes the geored_ metrics in Prometheus text format, and needs a token', async () => {
    await call(api.app, 'POST', `${P}/failover`, { body: { target_region: 'us-west-1' } });
    const r = await call(api.app, 'GET', '/metrics', { token: READER });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.body).toContain('geored_region_health_state{region="us-east-1",state="healthy"} 1');
    expect(r.body).toMatch(/geored_failovers_total\{from="us-east-1",to="us-west-1",automatic="false"\} 1/);
    expect(r.body).toContain('geored_active_region{region="us-west-1"} 1');
    expect((await call(api.app, 'GET', '/metrics', { token: null })).statusCode).toBe(401);
    await call(api.app, 'POST', `${P}/failover`, { body: { target_region: 'us-east-1' } });
  });

  it('/metrics can be configured public', async () => {
    const open = await startApi({ metricsPublic: true });
    try {
      const r = await call(open.app, 'GET', '/metrics', { token: null });
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain('geored_region_health_state');
      // Only /metrics: the rest still needs a token.
      expect((await call(open.app, 'GET', `${P}/regions`, { token: null })).statusCode).toBe(401);
    } finally {
      await open.close();
    }
  });
});

describe('GET /api/calls', () => {
  it('lists recorded calls newest first, with every filter', async () => {
    const t0 = Date.parse('2025-01-15T10:00:00Z');
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    await api.store.recordCalls([
      {
        call_id: 'c1@pbx',
        direction: 'outbound',
        from_uri: 'sip:100@pbx',
        to_uri: 'sip:+15551230001@trunk',
        attempts: [
          { region: 'us-east-1', outcome: 'answered', status: 200, started_at: at(0), ended_at: at(1) },
        ],
        region: 'us-east-1',
        started_at: at(0),
        answered_at: at(1),
        ended_at: at(30),
        final_status: 200,
      },
      {
        call_id: 'c2@pbx',
        direction: 'outbound',
        from_uri: 'sip:101@pbx',
        to_uri: 'sip:+15551230002@trunk',
        attempts: [
          { region: 'us-east-1', outcome: 'timeout', status: null, started_at: at(60), ended_at: at(60.5) },
          { region: 'us-west-1', outcome: 'failed', status: 486, started_at: at(60.5), ended_at: at(61) },
        ],
        region: 'us-west-1',
        started_at: at(60),
        final_status: 486,
      },
    ]);
    const all = (await call(api.app, 'GET', '/api/calls', { token: READER })).json();
    expect(Object.keys(all)).toEqual(['calls']);
    expect(all.calls.map((c: { call_id: string }) => c.call_id)).toEqual(['c2@pbx', 'c1@pbx']);
    expect(sorted(all.calls[0])).toEqual(
      [
        'answered_at',
        'attempts',
        'call_id',
        'direction',
        'ended_at',
        'final_status',
        'from_uri',
        'region',
        'routing_reason',
        'started_at',
        'to_uri',
      ].sort(),
    );
    expect(
      all.calls[0].attempts.map((a: { region: string; outcome: string }) => [a.region, a.outcome]),
    ).toEqual([
      ['us-east-1', 'timeout'],
      ['us-west-1', 'failed'],
    ]);
    const ids = async (q: string) =>
      ((await call(api.app, 'GET', `/api/calls?${q}`)).json().calls as { call_id: string }[]).map(
        (c) => c.call_id,
      );
    expect(await ids('region=us-west-1')).toEqual(['c2@pbx']);
    expect(await ids('status=200')).toEqual(['c1@pbx']);
    expect(await ids(`since=${encodeURIComponent(at(60))}`)).toEqual(['c2@pbx']);
    expect(await ids(`until=${encodeURIComponent(at(60))}`)).toEqual(['c1@pbx']);
    expect(await ids('limit=1')).toEqual(['c2@pbx']);
  });
});

describe('over a real socket', () => {
  it('serves the guide endpoints on 127.0.0.1 with the 401 challenge', async () => {
    const other = await startApi();
    try {
      const address = await other.app.listen({ host: '127.0.0.1', port: 0 });
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const noToken = await fetch(`${address}${P}/regions`);
      expect(noToken.status).toBe(401);
      expect(noToken.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const regions = await fetch(`${address}${P}/regions`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      expect(regions.status).toBe(200);
      expect(((await regions.json()) as { regions: { name: string }[] }).regions.map((r) => r.name)).toEqual([
        'us-east-1',
        'us-west-1',
      ]);
      const failover = await fetch(`${address}${P}/failover`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ target_region: 'us-west-1', reason: 'Planned maintenance' }),
      });
      expect(failover.status).toBe(200);
      expect(((await failover.json()) as { to_region: string }).to_region).toBe('us-west-1');
      const active = await fetch(`${address}${P}/active-region`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      expect(((await active.json()) as { name: string }).name).toBe('us-west-1');
    } finally {
      await other.close();
    }
  });
});

describe("the failover loop's last decision (issue 10: every why visible)", () => {
  it('GET /failover-decision and active-region say what the loop decided and why; a stay is logged once per reason', async () => {
    const r = await call(api.app, 'GET', `${P}/failover-decision`, { token: READER });
    expect(r.statusCode).toBe(200);
    const body = r.json() as {
      leader: boolean;
      decision: { kind: string; reason: string; decided_at: string };
    };
    expect(body.leader).toBe(true);
    expect(body.decision.kind).toBe('stay');
    expect(body.decision.reason).toMatch(/^us-east-1 is [A-Z]+/);
    expect(new Date(body.decision.decided_at).toISOString()).toBe(body.decision.decided_at);
    const active = (await call(api.app, 'GET', `${P}/active-region`)).json() as { last_decision: unknown };
    expect(active.last_decision).toMatchObject({
      kind: 'stay',
      reason: expect.stringMatching(/^us-east-1 /),
    });

    // The loop runs every 50 ms here: its stay sentence is logged when it changes, not every cycle.
    const stays = api.logs
      .join('')
      .split('\n')
      .filter((l) => l.includes('"decision":"stay"'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(stays.length).toBeGreaterThan(0);
    // Numbers aside (a countdown or a time in the sentence does not make it a new reason).
    const shape = (m: string | undefined) => m?.replace(/\d+(\.\d+)?/g, '#');
    expect(stays.filter((m, i) => i > 0 && shape(m) === shape(stays[i - 1]))).toEqual([]);
    expect(shape(stays.at(-1))).toBe(shape(body.decision.reason));
  });
});
