import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createResponse, parseMessage, type SipRequest } from '../../../src/sip/message';
import { buildRequest, SipStack } from '../../../src/sip/stack';
import type { Endpoint } from '../../../src/sip/transport/types';

// Issue 7: limits that lost calls silently, and responses the stack must not hand to a transaction.

const stacks: SipStack[] = [];
const udpSockets: UdpSocket[] = [];
const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of udpSockets.splice(0)) s.close();
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});

async function stack(protocol: 'udp' | 'tcp' = 'udp'): Promise<SipStack> {
  const s = await SipStack.create({ listen: [{ protocol, address: '127.0.0.1', port: 0 }] });
  stacks.push(s);
  return s;
}

/** A raw UDP peer that answers each request it gets with `answer(request text)` (several datagrams). */
async function udpResponder(answer: (req: string) => string[]): Promise<Endpoint> {
  const socket = createSocket('udp4');
  udpSockets.push(socket);
  socket.on('message', (m, rinfo) => {
    for (const out of answer(m.toString())) socket.send(Buffer.from(out), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { protocol: 'udp', address: '127.0.0.1', port: socket.address().port };
}

/** A raw TCP peer that answers each request (one per read is enough here) with `answer(request text)`. */
async function tcpResponder(answer: (req: string) => string[]): Promise<Endpoint> {
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', (d) => {
      for (const out of answer(d.toString())) socket.write(out);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  return {
    protocol: 'tcp',
    address: '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : 0,
  };
}

/** The response header lines a UAS copies from a request (RFC 3261 §8.2.6.2), minus those in `drop`. */
function copied(req: string, drop: string[] = []): string {
  const m = parseMessage(Buffer.from(req), { datagram: false }) as SipRequest;
  const lines = [
    ...m.headers.getAll('via').map((v) => `Via: ${v}`),
    `From: ${m.headers.get('from') ?? ''}`,
    `To: ${m.headers.get('to') ?? ''};tag=far`,
    `Call-ID: ${m.callId}`,
    `CSeq: ${m.cseq.seq} ${m.cseq.method}`,
  ];
  return lines.filter((l) => !drop.some((d) => l.startsWith(`${d}:`))).join('\r\n') + '\r\n';
}

function request(method: 'OPTIONS' | 'INVITE', dest: Endpoint): SipRequest {
  const uri = `sip:b@127.0.0.1:${dest.port};transport=${dest.protocol}`;
  return buildRequest({ method, uri, from: 'sip:a@127.0.0.1', to: uri });
}

describe('message limits on the wire', () => {
  it('accepts a response whose Via line is 20 KB (a realistic size; the old 8,192-octet line limit dropped it)', async () => {
    const client = await stack();
    const pad = 'x'.repeat(20_000);
    const dest = await udpResponder((req) => {
      const head = copied(req).replace(/^(Via: [^\r]*)/, `$1;pad=${pad}`);
      return [`SIP/2.0 200 OK\r\n${head}Content-Length: 0\r\n\r\n`];
    });
    // The TU deadline turns a dropped response into a synthetic 408 instead of a test timeout.
    const res = await client.sendRequest(request('OPTIONS', dest), dest, { timeoutMs: 3000 }).final;
    expect(res.status).toBe(200);
    expect(res.synthetic).toBeUndefined();
    expect(res.topVia.params['pad']).toBe(pad);
    expect(client.counters.parseErrors).toBe(0);
  });

  it('ends the branch with a synthetic 503 when a response is over the message limit, instead of hanging', async () => {
    const client = await stack('tcp');
    const body = 'v=0\r\n' + 'a=x\r\n'.repeat(14_000); // 70 KB of SDP: over the 65,535-octet limit
    const dest = await tcpResponder((req) => [
      `SIP/2.0 100 Trying\r\n${copied(req)}Content-Length: 0\r\n\r\n`,
      `SIP/2.0 200 OK\r\n${copied(req)}Content-Type: application/sdp\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ]);
    const sent = client.sendRequest(request('INVITE', dest), dest, { timeoutMs: 5000 });
    const res = await sent.final;
    // After 100 Trying an INVITE client transaction has no timer of its own (RFC 3261 §17.1.1.2): without
    // this the call waited until the TU's deadline (a synthetic 408) or, in the proxy, forever.
    expect(res.status).toBe(503);
    expect(res.synthetic).toBe(true);
    expect(res.cause?.code).toBe('SIP_MESSAGE_TOO_LARGE');
    expect(client.counters.parseErrors).toBe(1);
  });

  it('answers a request over the message limit 513 from its header section (RFC 3261 §21.5.14)', async () => {
    const server = await stack('tcp');
    let handled = 0;
    server.onRequest((req, tx) => {
      handled++;
      tx.respond(createResponse(req, 200, 'OK'));
    });
    const dest = server.localEndpoint('tcp');
    const socket = connect(dest.port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => {});
    let received = '';
    socket.on('data', (d) => (received += d.toString()));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(
      `MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:${socket.localPort};branch=z9hG4bKbig1\r\n` +
        `From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: big-1\r\nCSeq: 1 MESSAGE\r\n` +
        `Max-Forwards: 70\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n${'m'.repeat(1000)}`,
    );
    await closed;
    expect(received).toMatch(/^SIP\/2\.0 513 /);
    expect(received).toContain('Call-ID: big-1');
    expect(received).toContain('CSeq: 1 MESSAGE');
    expect(handled).toBe(0);
    expect(server.counters.parseErrors).toBe(1);
    expect(server.counters.parseErrorsAnswered).toBe(1);
  });

  it('drops a response lacking Call-ID, From or To before it reaches a transaction (RFC 3261 §20, table 2)', async () => {
    const client = await stack();
    const dest = await udpResponder((req) => [
      `SIP/2.0 200 OK\r\n${copied(req, ['Call-ID'])}Content-Length: 0\r\n\r\n`,
      `SIP/2.0 200 OK\r\n${copied(req, ['From'])}Content-Length: 0\r\n\r\n`,
      `SIP/2.0 200 OK\r\n${copied(req, ['To'])}Content-Length: 0\r\n\r\n`,
      `SIP/2.0 202 Accepted\r\n${copied(req)}Content-Length: 0\r\n\r\n`,
    ]);
    const res = await client.sendRequest(request('OPTIONS', dest), dest, { timeoutMs: 3000 }).final;
    // The three incomplete 200s were dropped; the complete 202 behind them is the answer.
    expect(res.status).toBe(202);
    expect(client.counters.parseErrors).toBe(3);
  });

  it('answers 400 to a Via with rport=abc instead of sending the response to port NaN', async () => {
    const server = await stack();
    let handled = 0;
    server.onRequest((req, tx) => {
      handled++;
      tx.respond(createResponse(req, 200, 'OK'));
    });
    const socket = createSocket('udp4');
    udpSockets.push(socket);
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const got = new Promise<string>((r) => socket.once('message', (m) => r(m.toString())));
    const dest = server.localEndpoint('udp');
    socket.send(
      Buffer.from(
        `OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${socket.address().port};branch=z9hG4bKrp1;rport=abc\r\n` +
          `From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: rport-abc\r\nCSeq: 1 OPTIONS\r\n` +
          `Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
      ),
      dest.port,
      dest.address,
    );
    const answer = await got;
    expect(answer).toMatch(/^SIP\/2\.0 400 malformed Via header: rport="abc" is not a port/);
    expect(handled).toBe(0);
  });
});
