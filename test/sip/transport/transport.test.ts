import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GeoredError } from '../../../src/errors/catalogue';
import {
  TransportManager,
  transportFailureText,
  type TransportManagerOptions,
} from '../../../src/sip/transport';
import type { Endpoint, Inbound } from '../../../src/sip/transport/types';
import { makeCaCerts, makeSelfSignedCert, type TestCert } from '../../helpers/tls-cert';

const opened: TransportManager[] = [];
const sockets: Socket[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(opened.splice(0).map((m) => m.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A manager whose inbound messages land in `inbox`; `next()` waits for the next one. */
async function manager(opts: TransportManagerOptions) {
  const inbox: Inbound[] = [];
  let wake: (() => void) | undefined;
  const m = await TransportManager.open(opts, (inbound) => {
    inbox.push(inbound);
    wake?.();
  });
  opened.push(m);
  const next = async (): Promise<Inbound> => {
    while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
    return inbox.shift() as Inbound;
  };
  return { m, inbox, next };
}

function options(n: number, callId = `call-${n}@test`): Buffer {
  return Buffer.from(
    `OPTIONS sip:peer@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK${n}\r\n` +
      `From: <sip:a@127.0.0.1>;tag=${n}\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: ${callId}\r\n` +
      `CSeq: ${n} OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
  );
}

function sendError(m: TransportManager, bytes: Buffer, dest: Endpoint): Promise<GeoredError> {
  return new Promise((resolve) => m.send(bytes, dest, resolve));
}

function rawConnect(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
    sockets.push(s);
  });
}

function readUntil(s: Socket, predicate: (all: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let all = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      all = Buffer.concat([all, d]);
      if (predicate(all)) {
        s.off('data', onData);
        resolve(all);
      }
    };
    s.on('data', onData);
    s.once('close', () => reject(new Error(`closed after ${JSON.stringify(all.toString())}`)));
  });
}

const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('UDP', () => {
  for (const address of ['127.0.0.1', '::1']) {
    it(`delivers datagrams with their source and answers through the listening socket (${address})`, async () => {
      const a = await manager({ listen: [{ protocol: 'udp', address, port: 0 }] });
      const b = await manager({ listen: [{ protocol: 'udp', address, port: 0 }] });
      const aLocal = a.m.localEndpoint('udp') as Endpoint;
      const bLocal = b.m.localEndpoint('udp') as Endpoint;
      expect(bLocal.port).toBeGreaterThan(0);
      a.m.send(options(1), bLocal);
      const got = await b.next();
      expect(got.bytes.toString()).toBe(options(1).toString());
      expect(got.source).toEqual(aLocal);
      expect(got.local).toEqual(bLocal);
      b.m.send(options(2), got.source);
      expect((await a.next()).bytes.toString()).toContain('CSeq: 2 OPTIONS');
    });
  }

  it('reports a send to a family it has no socket for', async () => {
    const a = await manager({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    const err = await sendError(a.m, options(1), { protocol: 'udp', address: '::1', port: 5060 });
    expect(err.code).toBe('TRANSPORT_NO_SOCKET');
  });
});

describe('TCP', () => {
  it('reuses one connection for two requests to the same endpoint', async () => {
    const a = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const b = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const dest = b.m.localEndpoint('tcp') as Endpoint;
    a.m.send(options(1), dest);
    a.m.send(options(2), dest);
    const first = await b.next();
    const second = await b.next();
    expect(first.bytes.toString()).toContain('CSeq: 1 OPTIONS');
    expect(second.bytes.toString()).toContain('CSeq: 2 OPTIONS');
    expect(second.source).toEqual(first.source);
    expect(a.m.connectionCount('tcp')).toBe(1);
    expect(b.m.connectionCount('tcp')).toBe(1);
  });

  it('sends a response back on the connection the request came in on', async () => {
    const b = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const client = await rawConnect((b.m.localEndpoint('tcp') as Endpoint).port);
    client.write(options(7));
    const req = await b.next();
    expect(req.source.port).toBe(client.localPort);
    expect(b.m.hasConnection(req.source)).toBe(true);
    const reply = readUntil(client, (all) => all.includes('\r\n\r\n'));
    b.m.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), req.source);
    expect((await reply).toString()).toBe('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(b.m.connectionCount('tcp')).toBe(1);
  });

  it('answers an RFC 5626 CRLFCRLF ping with a CRLF pong', async () => {
    const b = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const client = await rawConnect((b.m.localEndpoint('tcp') as Endpoint).port);
    const pong = readUntil(client, (all) => all.length >= 2);
    client.write('\r\n\r\n');
    expect((await pong).toString()).toBe('\r\n');
    expect(b.inbox).toHaveLength(0);
  });

  it('frames a message split across many TCP segments', async () => {
    const b = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const client = await rawConnect((b.m.localEndpoint('tcp') as Endpoint).port);
    const body = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n';
    const msg = Buffer.from(
      options(3)
        .toString()
        .replace('Content-Length: 0', `Content-Type: application/sdp\r\nContent-Length: ${body.length}`) +
        body,
    );
    for (let i = 0; i < msg.length; i += 7) {
      client.write(msg.subarray(i, i + 7));
      await delay(2);
    }
    client.write(options(4));
    expect((await b.next()).bytes.equals(msg)).toBe(true);
    expect((await b.next()).bytes.toString()).toContain('CSeq: 4 OPTIONS');
  });

  it('closes only the connection that breaks framing with an oversized message', async () => {
    const b = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const port = (b.m.localEndpoint('tcp') as Endpoint).port;
    const bad = await rawConnect(port);
    const good = await rawConnect(port);
    bad.on('error', () => {});
    const head = options(5).toString().replace('Content-Length: 0', 'Content-Length: 900000000');
    bad.write(head);
    // The header section goes up marked oversized (the stack answers 513 or ends the transaction it
    // answers), then the connection closes: the body is never read.
    const oversized = await b.next();
    expect(oversized.bytes.toString()).toBe(head);
    expect(oversized.oversized).toBe(head.length + 900000000);
    await closed(bad);
    good.write(options(6));
    expect((await b.next()).bytes.toString()).toContain('CSeq: 6 OPTIONS');
    expect(b.m.connectionCount('tcp')).toBe(1);
  });

  it('reports a refused connection to the sender', async () => {
    const a = await manager({ listen: [] });
    const probe = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const dest = probe.m.localEndpoint('tcp') as Endpoint;
    await probe.m.close();
    const err = await sendError(a.m, options(1), dest);
    expect(err.code).toBe('TRANSPORT_CONNECT_REFUSED');
    expect(err.message).toBe(`connection refused by tcp:127.0.0.1:${dest.port}`);
  });

  it('remembers the last failed connection attempt per destination until a connection opens', async () => {
    const a = await manager({ listen: [] });
    const probe = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const dest = probe.m.localEndpoint('tcp') as Endpoint;
    expect(a.m.lastConnectFailure(dest)).toBeUndefined();
    await probe.m.close();
    const err = await sendError(a.m, options(1), dest);
    expect(a.m.lastConnectFailure(dest)).toBe(err);
    expect(transportFailureText(err)).toBe('connection refused');
    // Another destination, and UDP, have none.
    expect(a.m.lastConnectFailure({ ...dest, port: dest.port + 1 })).toBeUndefined();
    expect(a.m.lastConnectFailure({ ...dest, protocol: 'udp' })).toBeUndefined();
    // The peer is back on the same port: the connection opens and the failure is history.
    const b = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: dest.port }] });
    a.m.send(options(2), dest);
    expect((await b.next()).bytes.toString()).toContain('CSeq: 2 OPTIONS');
    expect(a.m.lastConnectFailure(dest)).toBeUndefined();
  });

  it('remembers failed connects for at most 1024 destinations, dropping the oldest', async () => {
    const a = await manager({ listen: [] });
    const probe = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const port = (probe.m.localEndpoint('tcp') as Endpoint).port;
    await probe.m.close();
    // 1025 loopback addresses (127.0.0.0/8), one closed port: every connect is refused.
    const dests = Array.from({ length: 1025 }, (_, i): Endpoint => ({
      protocol: 'tcp',
      address: `127.0.${4 + Math.floor(i / 250)}.${1 + (i % 250)}`,
      port,
    }));
    for (const [i, dest] of dests.entries()) {
      expect((await sendError(a.m, options(i), dest)).code).toBe('TRANSPORT_CONNECT_REFUSED');
    }
    expect(a.m.lastConnectFailure(dests[0]!)).toBeUndefined();
    expect(a.m.lastConnectFailure(dests[1]!)?.code).toBe('TRANSPORT_CONNECT_REFUSED');
    expect(a.m.lastConnectFailure(dests[1024]!)?.code).toBe('TRANSPORT_CONNECT_REFUSED');
  });

  it('closes an idle connection after the idle timeout', async () => {
    const b = await manager({
      listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }],
      stream: { idleTimeoutMs: 200 },
    });
    const client = await rawConnect((b.m.localEndpoint('tcp') as Endpoint).port);
    client.write(options(1));
    await b.next();
    await closed(client);
    // The server side forgets the connection on its own 'close' event, a moment after the peer sees FIN.
    for (let i = 0; i < 100 && b.m.connectionCount('tcp') > 0; i++) await delay(10);
    expect(b.m.connectionCount('tcp')).toBe(0);
  });

  it('sends keep-alive pings on idle connections it opened', async () => {
    const received: Buffer[] = [];
    const server = createServer((s) => {
      sockets.push(s);
      s.on('data', (d: Buffer) => received.push(d));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const a = await manager({ listen: [], stream: { keepAliveIntervalMs: 100 } });
    a.m.send(options(1), { protocol: 'tcp', address: '127.0.0.1', port });
    for (let i = 0; i < 200 && !Buffer.concat(received).toString().endsWith('\r\n\r\n\r\n\r\n'); i++)
      await delay(20);
    const all = Buffer.concat(received).toString();
    expect(all.startsWith(options(1).toString())).toBe(true);
    expect(all.slice(options(1).length)).toMatch(/^(\r\n\r\n)+$/);
  });

  it('refuses connections over the limit and keeps the ones it has', async () => {
    const b = await manager({
      listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }],
      stream: { maxInboundConnections: 1 },
    });
    const port = (b.m.localEndpoint('tcp') as Endpoint).port;
    const first = await rawConnect(port);
    first.write(options(1));
    await b.next();
    const second = await rawConnect(port);
    second.on('error', () => {});
    await closed(second);
    first.write(options(2));
    expect((await b.next()).bytes.toString()).toContain('CSeq: 2 OPTIONS');
  });

  it('listens on IPv6 and reports IPv4-mapped peers in plain form', async () => {
    const b = await manager({ listen: [{ protocol: 'tcp', address: '::1', port: 0 }] });
    const a = await manager({ listen: [{ protocol: 'tcp', address: '::1', port: 0 }] });
    a.m.send(options(1), b.m.localEndpoint('tcp') as Endpoint);
    const got = await b.next();
    expect(got.source.address).toBe('::1');
    expect(got.local).toEqual(b.m.localEndpoint('tcp'));
  });
});

describe('TLS', () => {
  let cert: TestCert;
  beforeAll(() => {
    cert = makeSelfSignedCert();
  });
  afterAll(() => cert.remove());

  it('carries messages over a verified connection, both ways', async () => {
    const b = await manager({
      listen: [{ protocol: 'tls', address: '127.0.0.1', port: 0 }],
      tls: { cert: cert.cert, key: cert.key },
    });
    const a = await manager({ listen: [], tls: { ca: cert.cert } });
    a.m.send(options(1), b.m.localEndpoint('tls') as Endpoint);
    const got = await b.next();
    expect(got.source.protocol).toBe('tls');
    b.m.send(options(2), got.source);
    expect((await a.next()).bytes.toString()).toContain('CSeq: 2 OPTIONS');
    expect(a.m.connectionCount('tls')).toBe(1);
  });

  it('reports a certificate it cannot verify as a TLS handshake failure', async () => {
    const b = await manager({
      listen: [{ protocol: 'tls', address: '127.0.0.1', port: 0 }],
      tls: { cert: cert.cert, key: cert.key },
    });
    const a = await manager({ listen: [] });
    const dest = b.m.localEndpoint('tls') as Endpoint;
    const err = await sendError(a.m, options(1), dest);
    expect(err.code).toBe('TRANSPORT_TLS_HANDSHAKE_FAILED');
    expect(err.message).toMatch(/^TLS handshake with tls:127\.0\.0\.1:\d+ failed: .*self.signed/i);
    expect(b.inbox).toHaveLength(0);
  });

  it('names an expired certificate, and remembers it as the last connection attempt', async () => {
    const material = makeCaCerts();
    try {
      const b = await manager({
        listen: [{ protocol: 'tls', address: '127.0.0.1', port: 0 }],
        tls: { cert: material.expired, key: material.key },
      });
      const a = await manager({ listen: [], tls: { ca: material.ca } });
      const dest = b.m.localEndpoint('tls') as Endpoint;
      const err = await sendError(a.m, options(1), dest);
      expect(err.code).toBe('TRANSPORT_TLS_HANDSHAKE_FAILED');
      expect(a.m.lastConnectFailure(dest)).toBe(err);
      expect(transportFailureText(err)).toBe(
        'TLS handshake failed: certificate has expired (CERT_HAS_EXPIRED)',
      );
      expect(b.inbox).toHaveLength(0);
    } finally {
      material.remove();
    }
  });

  it('will not listen without a certificate, and names an unreadable file', async () => {
    await expect(
      TransportManager.open({ listen: [{ protocol: 'tls', address: '127.0.0.1', port: 0 }] }, () => {}),
    ).rejects.toMatchObject({ code: 'TRANSPORT_TLS_NOT_CONFIGURED' });
    await expect(
      TransportManager.open({ listen: [], tls: { cert: '/nonexistent/cert.pem', key: cert.key } }, () => {}),
    ).rejects.toMatchObject({ code: 'TRANSPORT_TLS_FILE_UNREADABLE' });
  });
});

describe('listening', () => {
  it('reports a port already in use as a typed error', async () => {
    const a = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const port = (a.m.localEndpoint('tcp') as Endpoint).port;
    await expect(
      TransportManager.open({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port }] }, () => {}),
    ).rejects.toMatchObject({ code: 'TRANSPORT_LISTEN_FAILED' });
  });
});
