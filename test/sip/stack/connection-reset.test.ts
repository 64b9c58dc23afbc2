/**
 * A TCP connection reset under transactions in progress (RFC 3261 §17.1.4, §18.4): every client transaction
 * whose request went over it ends at once with a transport error naming that connection (the same id for
 * all, so the proxy counts one reset once), instead of waiting for a response that cannot come back on it;
 * the next request to the endpoint opens a new connection. A real TCP peer that reads requests and resets.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRequest, SipStack, type FinalResponse } from '../../../src/sip/stack';
import type { Endpoint } from '../../../src/sip/transport/types';

const stacks: SipStack[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A TCP peer that never answers: it counts connections and the requests (by first line) it received. */
async function silentPeer() {
  const sockets: Socket[] = [];
  const received: string[] = [];
  let wake: (() => void) | undefined;
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    s.on('data', (d) => {
      for (const m of d.toString().split('\r\n\r\n')) if (m.trim()) received.push(m.split('\r\n')[0]!);
      wake?.();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    dest: { protocol: 'tcp', address: '127.0.0.1', port } as Endpoint,
    sockets,
    received,
    until: async (n: number) => {
      while (received.length < n) await new Promise<void>((r) => (wake = r));
    },
  };
}

async function tcpStack(): Promise<SipStack> {
  const s = await SipStack.create({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
  stacks.push(s);
  return s;
}

function request(method: 'INVITE' | 'OPTIONS', port: number) {
  const uri = `sip:b@127.0.0.1:${port};transport=tcp`;
  return buildRequest({ method, uri, from: 'sip:a@127.0.0.1', to: uri });
}

describe('SipStack over TCP when the connection is reset', () => {
  it('ends every transaction on it with a 503 naming the one lost connection; the next request reconnects', async () => {
    const peer = await silentPeer();
    const stack = await tcpStack();
    const invite = stack.sendRequest(request('INVITE', peer.dest.port), peer.dest);
    const options = stack.sendRequest(request('OPTIONS', peer.dest.port), peer.dest);
    await peer.until(2);
    expect(peer.sockets).toHaveLength(1);
    peer.sockets[0]!.resetAndDestroy();

    const [a, b] = (await Promise.all([invite.final, options.final])) as [FinalResponse, FinalResponse];
    for (const res of [a, b]) {
      expect(res.status).toBe(503);
      expect(res.synthetic).toBe(true);
      expect(res.cause?.code).toBe('TRANSPORT_CONNECTION_LOST');
      expect(res.cause?.message).toMatch(/ECONNRESET/);
    }
    expect(a.lostConnection).toBeTypeOf('number');
    expect(b.lostConnection).toBe(a.lostConnection);

    // A new request: a new connection, and a later reset of that one is a different loss.
    const again = stack.sendRequest(request('INVITE', peer.dest.port), peer.dest);
    await peer.until(3);
    expect(peer.sockets).toHaveLength(2);
    expect(peer.received[2]).toMatch(/^INVITE /);
    peer.sockets[1]!.resetAndDestroy();
    const c = await again.final;
    expect(c.status).toBe(503);
    expect(c.lostConnection).toBeTypeOf('number');
    expect(c.lostConnection).not.toBe(a.lostConnection);
  });

  it('leaves transactions to other endpoints alone', async () => {
    const peer = await silentPeer();
    const other = await silentPeer();
    const stack = await tcpStack();
    const there = stack.sendRequest(request('OPTIONS', other.dest.port), other.dest, { timeoutMs: 300 });
    const here = stack.sendRequest(request('OPTIONS', peer.dest.port), peer.dest);
    await Promise.all([peer.until(1), other.until(1)]);
    peer.sockets[0]!.resetAndDestroy();
    expect((await here.final).status).toBe(503);
    // The other endpoint's transaction runs on to its own deadline: a synthetic 408, not a transport error.
    const res = await there.final;
    expect(res.status).toBe(408);
    expect(res.lostConnection).toBeUndefined();
  });
});
