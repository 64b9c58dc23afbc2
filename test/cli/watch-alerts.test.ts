/**
 * `geored watch` and `geored alerts test` against a minimal HTTP server in the test that follows the agreed
 * contract exactly (prompts' contracts: GET {GEO}/events/stream as Server-Sent Events with rising integer
 * ids, `event:` types, one JSON object per `data:` carrying `time` and `type`, replay after
 * `Last-Event-ID`, `: keepalive` comments; POST {GEO}/alerts/test answering per channel
 * {channel, target, status, error?}): reconnects and edge cases a real server does not produce on demand.
 * `watch` against the real stream is in operator.test.ts; the real alerts route in test/alerts/rest.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { closedTcpPort } from '../helpers/ports';

const GEO = '/api/framework/geographic-redundancy';
const TOKEN = 'watch-token';

const EVENTS: Array<{ type: string; data: Record<string, unknown> }> = [
  {
    type: 'health',
    data: { region: 'us-east-1', from: 'healthy', to: 'down', reason: '3 OPTIONS probes failed in a row' },
  },
  {
    type: 'active_region',
    data: { from: 'us-east-1', to: 'us-west-1', reason: 'us-east-1 is down', automatic: true },
  },
  {
    type: 'failover',
    data: {
      from_region: 'us-east-1',
      to_region: 'us-west-1',
      reason: 'us-east-1 is down',
      automatic: true,
      initiated_by: null,
      duration_ms: 12,
      occurred_at: '2025-01-15T09:45:00.000Z',
    },
  },
  {
    type: 'call',
    data: {
      call_id: 'abc@pbx',
      direction: 'outbound',
      from_uri: 'sip:100@pbx',
      to_uri: 'sip:200@example.com',
      attempts: [],
      region: 'us-west-1',
      started_at: '2025-01-15T09:46:00.000Z',
      answered_at: null,
      ended_at: null,
      final_status: 200,
    },
  },
  { type: 'simulation', data: { region: 'us-east-1', until: '2025-01-15T10:00:00.000Z', reason: 'drill' } },
];

const timeOf = (i: number) => `2025-01-15T09:45:0${i}.000Z`;

interface Connection {
  lastEventId: string | undefined;
  since: string | null;
  authorization: string | undefined;
  accept: string | undefined;
}

let server: Server;
let url: string;
const connections: Connection[] = [];
let alertAnswer: { status: number; body: unknown } = { status: 200, body: [] };
const alertRequests: Array<{
  method: string;
  authorization: string | undefined;
  type: string | undefined;
  body: string;
}> = [];
/** Events sent on each connection before the server drops it (then the client must reconnect). */
let perConnection = 2;
/** Connections (by index) that get the headers and then nothing at all, as a half-dead TCP connection. */
let silentConnections = new Set<number>();

function geoError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code, message } }));
}

function stream(req: IncomingMessage, res: ServerResponse, u: URL): void {
  const lastHeader = req.headers['last-event-id'];
  const lastEventId = Array.isArray(lastHeader) ? lastHeader[0] : lastHeader;
  connections.push({
    lastEventId,
    since: u.searchParams.get('since'),
    authorization: req.headers.authorization,
    accept: req.headers.accept,
  });
  const after = Number(lastEventId ?? u.searchParams.get('since') ?? 0);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (silentConnections.has(connections.length - 1)) {
    res.flushHeaders();
    return; // never a byte more; the client must give up on it
  }
  res.write('retry: 50\n\n: keepalive\n\n');
  const batch = EVENTS.map((e, i) => ({ ...e, id: i + 1 }))
    .filter((e) => e.id > after)
    .slice(0, perConnection);
  for (const e of batch) {
    const data = { ...e.data, time: timeOf(e.id), type: e.type };
    res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`);
  }
  // Drop the connection after the batch, as a restart or a proxy timeout would.
  res.end();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return geoError(
        res,
        401,
        'API_UNAUTHORIZED',
        'missing or invalid bearer token: send Authorization: Bearer <token>',
      );
    if (req.method === 'GET' && u.pathname === `${GEO}/events/stream`) return stream(req, res, u);
    if (req.method === 'POST' && u.pathname === `${GEO}/alerts/test`) {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        alertRequests.push({
          method: req.method!,
          authorization: req.headers.authorization,
          type: req.headers['content-type'],
          body,
        });
        res.writeHead(alertAnswer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(alertAnswer.body));
      });
      return;
    }
    geoError(res, 404, 'API_NOT_FOUND', `no route ${req.method} ${u.pathname}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  connections.length = 0;
  alertRequests.length = 0;
  perConnection = 2;
  silentConnections = new Set();
});

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { ...process.env };
  for (const [k, v] of Object.entries({ GEORED_URL: url, GEORED_API_TOKEN: TOKEN, ...env })) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

describe('geored watch', () => {
  it('prints one line per event, and reconnects with Last-Event-ID without losing or repeating any', async () => {
    const r = await cli(['watch', '--count', '5']);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      '2025-01-15 09:45:01Z health        us-east-1 healthy → down: 3 OPTIONS probes failed in a row',
      '2025-01-15 09:45:02Z active_region us-east-1 → us-west-1 (automatic): us-east-1 is down',
      '2025-01-15 09:45:03Z failover      us-east-1 → us-west-1 (automatic): us-east-1 is down',
      '2025-01-15 09:45:04Z call          abc@pbx sip:100@pbx → sip:200@example.com via us-west-1 200',
      '2025-01-15 09:45:05Z simulation    region=us-east-1 until=2025-01-15T10:00:00.000Z: drill',
    ]);
    // Three connections (2 + 2 + 1 events): the first without Last-Event-ID, then from the last id seen.
    expect(connections.map((c) => c.lastEventId)).toEqual([undefined, '2', '4']);
    for (const c of connections) {
      expect(c.authorization).toBe(`Bearer ${TOKEN}`);
      expect(c.accept).toBe('text/event-stream');
    }
    expect(r.err).toEqual([
      'geored watch: geored closed the stream; reconnecting in 0.1 s from event 2',
      'geored watch: geored closed the stream; reconnecting in 0.1 s from event 4',
    ]);
  });

  it('a connection that goes silent (not even keepalives) is dropped and resumed from the last id', async () => {
    perConnection = 1;
    silentConnections = new Set([1]);
    const r = await cli(['watch', '--count', '2', '--idle-timeout', '0.3']);
    expect(r.code).toBe(0);
    expect(r.out.map((l) => l.split(' ')[2])).toEqual(['health', 'active_region']);
    expect(connections.map((c) => c.lastEventId)).toEqual([undefined, '1', '1']);
    expect(r.err).toEqual([
      'geored watch: geored closed the stream; reconnecting in 0.1 s from event 1',
      'geored watch: nothing, not even a keepalive, for 0.3 s; reconnecting in 0.1 s from event 1',
    ]);
  });

  it('--json prints each event as one JSON line; --since resumes after that id', async () => {
    perConnection = 10;
    const r = await cli(['watch', '--json', '--since', '3', '--count', '2']);
    expect(r.code).toBe(0);
    expect(connections.map((c) => c.lastEventId)).toEqual(['3']);
    const events = r.out.map(
      (l) => JSON.parse(l) as { id: string; event: string; data: Record<string, unknown> },
    );
    expect(events.map((e) => [e.id, e.event, e.data['type'], e.data['time']])).toEqual([
      ['4', 'call', 'call', timeOf(4)],
      ['5', 'simulation', 'simulation', timeOf(5)],
    ]);
    expect(events[0]!.data).toMatchObject(EVENTS[3]!.data);
  });

  it('a refused token, a missing route or no geored at all end it with one line, exit 1', async () => {
    const wrong = await cli(['watch'], { GEORED_API_TOKEN: 'nope' });
    expect(wrong).toEqual({
      code: 1,
      out: [],
      err: [
        `geored watch: GET ${GEO}/events/stream: geored at ${url} refused the token in GEORED_API_TOKEN (401 API_UNAUTHORIZED)`,
      ],
    });
    const closed = await closedTcpPort();
    const refused = await cli(['watch', '--url', `http://127.0.0.1:${closed}`]);
    expect(refused.code).toBe(1);
    expect(refused.err).toEqual([
      `geored watch: GET ${GEO}/events/stream: cannot reach geored at http://127.0.0.1:${closed}: connection refused (is \`geored serve\` running there?)`,
    ]);
    const old = await cli(['watch', '--url', `${url}/older-geored`]);
    expect(old.code).toBe(1);
    expect(old.err).toEqual([
      `geored watch: GET ${GEO}/events/stream: 404 API_NOT_FOUND: no route GET /older-geored${GEO}/events/stream`,
    ]);
    expect((await cli(['watch', '--count', '0'])).code).toBe(2);
  });
});

describe('geored alerts test', () => {
  const results = [
    { channel: 'email', target: 'ops@company.com', status: 'sent' },
    { channel: 'sms', target: '+1555123456', status: 'skipped', error: 'dry run' },
    { channel: 'webhook', target: 'https://hooks.company.com/geo-redundancy', status: 'sent' },
  ];

  it('posts to the alerts test route with the token and prints a line per channel', async () => {
    alertAnswer = { status: 200, body: results };
    const r = await cli(['alerts', 'test']);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(alertRequests).toEqual([
      { method: 'POST', authorization: `Bearer ${TOKEN}`, type: 'application/json', body: '{}' },
    ]);
    expect(r.out).toEqual([
      'CHANNEL  TARGET                                    STATUS   ERROR',
      'email    ops@company.com                           sent',
      'sms      +1555123456                               skipped  dry run',
      'webhook  https://hooks.company.com/geo-redundancy  sent',
    ]);
  });

  it('--json prints the answer as it came (an object with the list works too)', async () => {
    alertAnswer = { status: 200, body: { results } };
    const r = await cli(['alerts', 'test', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.join('\n'))).toEqual({ results });
  });

  it('exit 1 when a channel failed (naming it and why), or none is configured', async () => {
    alertAnswer = {
      status: 200,
      body: [
        results[0],
        {
          channel: 'webhook',
          target: 'https://hooks.company.com/x',
          status: 'failed',
          error: '503 from receiver',
        },
      ],
    };
    const r = await cli(['alerts', 'test']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      'geored alerts test: 1 of 2 channel(s) failed: webhook https://hooks.company.com/x (503 from receiver)',
    ]);
    alertAnswer = { status: 200, body: [] };
    const none = await cli(['alerts', 'test']);
    expect(none).toMatchObject({ code: 1, out: ['no alert channels are configured'] });
    expect(none.err).toEqual(['geored alerts test: no alert channels are configured, so nothing was sent']);
  });

  it('errors are one line: a route geored lacks, a validation error naming the field, usage', async () => {
    const old = await cli(['alerts', 'test', '--url', `${url}/older-geored`]);
    expect(old).toEqual({
      code: 1,
      out: [],
      err: [
        `geored alerts test: POST ${GEO}/alerts/test: 404 API_NOT_FOUND: no route POST /older-geored${GEO}/alerts/test`,
      ],
    });
    alertAnswer = {
      status: 400,
      body: {
        error: {
          code: 'API_VALIDATION',
          message: 'body email[0]: must match format "email"',
          field: 'email[0]',
        },
      },
    };
    const bad = await cli(['alerts', 'test']);
    expect(bad.err).toEqual([
      `geored alerts test: POST ${GEO}/alerts/test: 400 API_VALIDATION (field email[0]): body email[0]: must match format "email"`,
    ]);
    expect((await cli(['alerts'])).code).toBe(2);
    expect((await cli(['alerts', 'fire'])).code).toBe(2);
    expect((await cli(['alerts', '--help'])).code).toBe(0);
  });
});
