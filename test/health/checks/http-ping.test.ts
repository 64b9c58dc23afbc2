/** http_ping against a real node:http server on loopback: 200, 500, a hanging handler, a closed port. */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpPing } from '../../../src/health/checks/http-ping';
import { freePort } from '../../helpers/ports';
import { ctx, region } from './region';

let server: Server;
let base: string;
const hanging = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') res.end('ok');
    else if (req.url === '/broken') {
      res.statusCode = 500;
      res.end('broken');
    } else hanging.add(res); // never answers
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const at = (url: string | undefined) => region('web', '127.0.0.1', 5060, { http_check_url: url });

describe('http_ping', () => {
  it('passes on 200 with its latency', async () => {
    const o = await httpPing(at(`${base}/ok`), ctx(2000));
    expect(o).toMatchObject({ success: true, level: 'ok', detail: 'HTTP 200 OK' });
    expect(o.latency_ms).toBeGreaterThan(0);
  });

  it('fails on 500 with the status', async () => {
    const o = await httpPing(at(`${base}/broken`), ctx(2000));
    expect(o).toMatchObject({ success: false, error: 'HTTP 500 Internal Server Error' });
  });

  it('fails with no answer when the server hangs past the timeout', async () => {
    const o = await httpPing(at(`${base}/hang`), ctx(500));
    expect(o).toMatchObject({ success: false, latency_ms: null, error: 'no answer within 500 ms' });
    expect(hanging.size).toBeGreaterThan(0);
  });

  it('fails with connection refused on a closed port, and says so when the region has no URL', async () => {
    const closed = await freePort();
    expect(await httpPing(at(`http://127.0.0.1:${closed}/`), ctx(2000))).toMatchObject({
      success: false,
      error: 'connection refused',
    });
    expect((await httpPing(at(undefined), ctx(2000))).error).toBe('region web has no http_check_url');
  });

  it('stops when the monitor aborts, before its own timeout', async () => {
    const ac = new AbortController();
    const pending = httpPing(at(`${base}/hang`), ctx(30_000, ac.signal));
    setTimeout(() => ac.abort(), 50);
    expect(await pending).toMatchObject({ success: false, error: 'no answer within 30000 ms' });
  });
});
