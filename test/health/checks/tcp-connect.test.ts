/** tcp_connect to a listening port and to a closed one on loopback, IPv4 and IPv6. */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolveEndpoints } from '../../../src/health/checks/endpoints';
import { tcpConnectCheck } from '../../../src/health/checks/tcp-connect';
import { freePort } from '../../helpers/ports';
import { ctx, region } from './region';

const literal: ResolveEndpoints = async (t) => [
  { protocol: t.transport ?? 'tcp', address: t.host, port: t.port ?? 5060 },
];
const check = tcpConnectCheck(literal);
let server: Server;
let accepted = 0;

beforeAll(async () => {
  server = createServer((s) => {
    accepted++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
});
afterAll(() => new Promise((r) => server.close(r)));

describe('tcp_connect', () => {
  it('passes when the port accepts the connection', async () => {
    const port = (server.address() as AddressInfo).port;
    const before = accepted;
    const o = await check(region('up', '127.0.0.1', port), ctx(2000));
    expect(o).toMatchObject({ success: true, detail: `127.0.0.1:${port}` });
    expect(o.latency_ms).toBeGreaterThan(0);
    // The server sees the connection a moment later: wait for it, bounded.
    for (let i = 0; i < 200 && accepted === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(accepted).toBe(before + 1);
  });

  it('fails with connection refused on a closed port (IPv4 and IPv6)', async () => {
    const v4 = await freePort('127.0.0.1');
    expect(await check(region('down', '127.0.0.1', v4), ctx(2000))).toMatchObject({
      success: false,
      error: `connection refused (127.0.0.1:${v4})`,
    });
    const v6 = await freePort('::1');
    expect((await check(region('down6', '::1', v6), ctx(2000))).error).toBe(
      `connection refused ([::1]:${v6})`,
    );
  });
});
