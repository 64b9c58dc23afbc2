import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LogLimiter } from '../../../src/sip/stack/log-limiter';
import { createResponse, type SipRequest } from '../../../src/sip/message';
import { buildRequest, resolveTarget, SipStack, targetOf, type ServerTx } from '../../../src/sip/stack';
import type { Endpoint } from '../../../src/sip/transport/types';

const stacks: SipStack[] = [];
const udpSockets: UdpSocket[] = [];

afterEach(async () => {
  for (const s of udpSockets.splice(0)) s.close();
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});

async function stack(opts: Partial<Parameters<typeof SipStack.create>[0]> = {}): Promise<SipStack> {
  const s = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }], ...opts });
  stacks.push(s);
  return s;
}

/** A raw UDP peer: sends text, collects every datagram it receives. */
async function rawPeer(address = '127.0.0.1') {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  udpSockets.push(socket);
  const inbox: string[] = [];
  let wake: (() => void) | undefined;
  socket.on('message', (m) => {
    inbox.push(m.toString());
    wake?.();
  });
  await new Promise<void>((r) => socket.bind(0, address, () => r()));
  const port = socket.address().port;
  return {
    port,
    inbox,
    send: (text: string, dest: Endpoint) => socket.send(Buffer.from(text), dest.port, dest.address),
    next: async (): Promise<string> => {
      while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
      return inbox.shift() as string;
    },
  };
}

function options(uri: string): SipRequest {
  return buildRequest({ method: 'OPTIONS', uri, from: 'sip:test@127.0.0.1', to: uri });
}

function rawRequest(via: string, extra = ''): string {
  return (
    `OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: ${via}\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n` +
    `Call-ID: raw-${Math.random()}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n${extra}Content-Length: 0\r\n\r\n`
  );
}

describe('SipStack', () => {
  it('runs a request through client and server transactions over UDP, with rport and received filled in', async () => {
    const server = await stack();
    const client = await stack();
    let seen: SipRequest | undefined;
    server.onRequest((req, tx) => {
      seen = req;
      tx.respond(createResponse(req, 200, 'OK'));
    });
    const dest = server.localEndpoint('udp');
    const res = await client.sendRequest(options(`sip:b@127.0.0.1:${dest.port}`), dest).final;
    expect(res.status).toBe(200);
    expect(res.synthetic).toBeUndefined();
    const via = seen?.topVia;
    expect(via?.params['rport']).toBe(String(client.localEndpoint('udp').port));
    expect(via?.params['received']).toBe('127.0.0.1');
  });

  it('adds received when the sent-by host is not the source, and answers to it (RFC 3261 §18.2.2)', async () => {
    const server = await stack();
    server.onRequest((req, tx) => tx.respond(createResponse(req, 200, 'OK')));
    const peer = await rawPeer();
    peer.send(
      rawRequest(`SIP/2.0/UDP 192.0.2.7:${peer.port};branch=z9hG4bKraw1`),
      server.localEndpoint('udp'),
    );
    const res = await peer.next();
    expect(res.startsWith('SIP/2.0 200 OK\r\n')).toBe(true);
    expect(res).toMatch(/^Via: SIP\/2\.0\/UDP 192\.0\.2\.7:\d+;branch=z9hG4bKraw1;received=127\.0\.0\.1\r$/m);
  });

  it('answers an unparseable request with a stateless error naming the problem, and drops garbage', async () => {
    const server = await stack();
    server.onRequest((req, tx) => tx.respond(createResponse(req, 200, 'OK')));
    const peer = await rawPeer();
    const dest = server.localEndpoint('udp');
    peer.send('\x00\x01 not SIP at all\r\n\r\n', dest);
    peer.send(
      rawRequest(`SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKbad`).replace(
        'SIP/2.0\r\n',
        'SIP/7.0\r\n',
      ),
      dest,
    );
    const res = await peer.next();
    expect(res).toMatch(/^SIP\/2\.0 505 /);
    expect(res).toContain('branch=z9hG4bKbad');
    expect(res).toContain('CSeq: 1 OPTIONS');
    expect(server.counters.parseErrors).toBe(2);
    expect(server.counters.parseErrorsAnswered).toBe(1);
  });

  it('delivers the final to onFinal once, in a job after the turn that settled it, and to a late-read final', async () => {
    const server = await stack();
    const client = await stack();
    server.onRequest((req, tx) => tx.respond(createResponse(req, 200, 'OK')));
    const dest = server.localEndpoint('udp');
    const finals: number[] = [];
    let inTurn = false;
    const done = new Promise<void>((resolve) => {
      const req = client.sendRequest(options(`sip:b@127.0.0.1:${dest.port}`), dest, {
        onResponse: () => {
          // The response is being handled: onFinal must not run inside this turn's work.
          inTurn = true;
          queueMicrotask(() => (inTurn = false));
        },
        onFinal: (res) => {
          finals.push(res.status);
          expect(inTurn, 'onFinal ran inside the turn that settled it').toBe(false);
          // `final` read after the answer came still resolves, with the same response.
          void req.final.then((late) => {
            expect(late).toBe(res);
            resolve();
          });
        },
      });
    });
    await done;
    await new Promise((r) => setTimeout(r, 50));
    expect(finals).toEqual([200]);
  });

  it('counts a transaction user that throws on a final response, and still tells the others', async () => {
    const server = await stack();
    const client = await stack({ logger: pino({ level: 'silent' }) });
    server.onRequest((req, tx) => tx.respond(createResponse(req, 200, 'OK')));
    const dest = server.localEndpoint('udp');
    const failing = client.sendRequest(options(`sip:b@127.0.0.1:${dest.port}`), dest, {
      onFinal: () => {
        throw new Error('a TU bug');
      },
    });
    const fine = await client.sendRequest(options(`sip:c@127.0.0.1:${dest.port}`), dest).final;
    expect((await failing.final).status).toBe(200);
    expect(fine.status).toBe(200);
    expect(client.counters.handlerFailures).toBe(1);
  });

  it('gives a synthetic 408 when nothing answers (Timer F, scaled by T1)', async () => {
    const client = await stack({ timers: { T1: 10 } });
    const silent = await rawPeer();
    const dest: Endpoint = { protocol: 'udp', address: '127.0.0.1', port: silent.port };
    const res = await client.sendRequest(options(`sip:x@127.0.0.1:${silent.port}`), dest).final;
    expect(res.status).toBe(408);
    expect(res.synthetic).toBe(true);
    // Timer E retransmitted the request before Timer F gave up.
    expect(silent.inbox.length).toBeGreaterThan(1);
  });

  it('gives a synthetic 408 at the TU deadline, before the transaction timeout', async () => {
    const client = await stack();
    const silent = await rawPeer();
    const dest: Endpoint = { protocol: 'udp', address: '127.0.0.1', port: silent.port };
    const res = await client.sendRequest(options(`sip:x@127.0.0.1:${silent.port}`), dest, { timeoutMs: 150 })
      .final;
    expect(res.status).toBe(408);
    expect(res.synthetic).toBe(true);
  });

  it('gives a synthetic 503 carrying the transport error when a TCP connection is refused', async () => {
    const client = await stack();
    const closed = await stack({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const dest = closed.localEndpoint('tcp');
    await closed.close();
    const res = await client.sendRequest(options(`sip:x@127.0.0.1:${dest.port};transport=tcp`), dest).final;
    expect(res.status).toBe(503);
    expect(res.synthetic).toBe(true);
    expect(res.cause?.code).toBe('TRANSPORT_CONNECT_REFUSED');
  });

  it('works over TCP and IPv6, answering on the inbound connection', async () => {
    const server = await stack({ listen: [{ protocol: 'tcp', address: '::1', port: 0 }] });
    const client = await stack({ listen: [{ protocol: 'tcp', address: '::1', port: 0 }] });
    server.onRequest((req, tx) => tx.respond(createResponse(req, 200, 'OK')));
    const dest = server.localEndpoint('tcp');
    const first = await client.sendRequest(options(`sip:b@[::1]:${dest.port};transport=tcp`), dest).final;
    const second = await client.sendRequest(options(`sip:b@[::1]:${dest.port};transport=tcp`), dest).final;
    expect([first.status, second.status]).toEqual([200, 200]);
  });

  it('cancels an INVITE after its first provisional response (RFC 3261 §9.1)', async () => {
    const server = await stack();
    const client = await stack();
    const seen: string[] = [];
    let invite: { tx: ServerTx; req: SipRequest } | undefined;
    server.onRequest((req, tx) => {
      seen.push(req.method);
      if (req.method === 'INVITE') {
        invite = { tx, req };
        tx.respond(createResponse(req, 180, 'Ringing', { toTag: 'callee' }));
      } else if (req.method === 'CANCEL' && invite) {
        tx.respond(createResponse(req, 200, 'OK'));
        invite.tx.respond(createResponse(invite.req, 487, 'Request Terminated', { toTag: 'callee' }));
      }
    });
    const dest = server.localEndpoint('udp');
    const uri = `sip:b@127.0.0.1:${dest.port}`;
    const req = buildRequest({
      method: 'INVITE',
      uri,
      from: 'sip:a@127.0.0.1',
      to: uri,
      contact: 'sip:a@127.0.0.1',
    });
    const call = client.sendRequest(req, dest, { onProvisional: () => call.cancel() });
    // Asked before any provisional: the stack holds the CANCEL until the 180 arrives.
    call.cancel();
    const res = await call.final;
    expect(res.status).toBe(487);
    expect(seen).toEqual(['INVITE', 'CANCEL']);
  });

  it('hands responses that match no transaction to the stray-response handler', async () => {
    const proxy = await stack();
    const peer = await rawPeer();
    const strays: number[] = [];
    let wake: () => void = () => {};
    proxy.onStrayResponse((res) => {
      strays.push(res.status);
      wake();
    });
    const done = new Promise<void>((r) => (wake = r));
    peer.send(
      'SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKnobody\r\nFrom: <sip:a@x>;tag=1\r\n' +
        'To: <sip:b@x>;tag=2\r\nCall-ID: stray\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
      proxy.localEndpoint('udp'),
    );
    await done;
    expect(strays).toEqual([180]);
  });
});

describe('SipStack when the request handler throws', () => {
  function rawInvite(port: number, i: number, drop = ''): string {
    const lines = [
      `INVITE sip:b@127.0.0.1 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-throw-${i}-${Math.random()}`,
      'From: <sip:a@127.0.0.1>;tag=1',
      'To: <sip:b@127.0.0.1>',
      `Call-ID: throw-${i}-${Math.random()}`,
      'CSeq: 1 INVITE',
      'Max-Forwards: 70',
    ].filter((l) => drop === '' || !l.startsWith(drop));
    return lines.join('\r\n') + '\r\nContent-Length: 0\r\n\r\n';
  }

  it('answers for the handler (the parse error status, else 500), leaves no transaction, logs once per minute', async () => {
    const lines: Array<{ level: number; msg: string; suppressed?: number }> = [];
    const logger = pino(
      { level: 'warn' },
      { write: (l: string) => void lines.push(JSON.parse(l) as (typeof lines)[number]) },
    );
    // T1 of 5 ms: Timer H (64*T1) ends the INVITE server transactions within a second.
    const server = await stack({ logger, timers: { T1: 5 } });
    server.onRequest((req) => {
      // A handler reading a header the request lacks (To: a SipParseError, 400), or a bug (500).
      if (req.headers.get('X-Bug')) throw new Error('handler bug');
      void req.to;
      throw new Error('unreachable: the request has a To');
    });
    const peer = await rawPeer();
    const dest = server.localEndpoint('udp');
    const N = 40;
    for (let i = 0; i < N; i++) {
      const text = rawInvite(peer.port, i, i % 2 === 0 ? 'To:' : '');
      peer.send(i % 2 === 0 ? text : text.replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nX-Bug: 1'), dest);
    }
    // By Call-ID: the final answers are retransmitted (Timer G) until Timer H, as nobody ACKs them.
    const byCall = new Map<string, number>();
    while (byCall.size < N) {
      const text = await peer.next();
      const status = Number(text.split(' ')[1]);
      const callId = /\r\nCall-ID: ([^\r]+)/.exec(text)?.[1] ?? '';
      if (status >= 200) byCall.set(callId, status);
    }
    const statuses = [...byCall.values()];
    expect(statuses.filter((s) => s === 400)).toHaveLength(N / 2);
    expect(statuses.filter((s) => s === 500)).toHaveLength(N / 2);
    expect(server.counters.handlerFailures).toBe(N);
    // Each answered transaction ends by its own timers: none is left waiting forever.
    const end = Date.now() + 15_000;
    while (server.transactionCount > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(server.transactionCount).toBe(0);
    // The 20 bugs a remote party set off make one error line, not 20; the 400s make none at warn level.
    const errors = lines.filter((l) => l.msg === 'SIP handler failed');
    expect(errors).toHaveLength(1);
    expect(lines).toHaveLength(1);
  }, 20_000);
});

describe('LogLimiter', () => {
  it('lets one line through per interval and reports how many it held back', () => {
    const l = new LogLimiter(60_000);
    expect(l.take(0)).toBe(0);
    expect(l.take(1_000)).toBeNull();
    expect(l.take(59_999)).toBeNull();
    expect(l.take(60_000)).toBe(2);
    expect(l.take(60_001)).toBeNull();
  });
});

describe('resolveTarget', () => {
  it('reads transport, default ports and IP literals from the URI', async () => {
    expect(await resolveTarget('sip:127.0.0.1')).toEqual({
      protocol: 'udp',
      address: '127.0.0.1',
      port: 5060,
    });
    expect(await resolveTarget('sip:u@[::1]:5070;transport=tcp')).toEqual({
      protocol: 'tcp',
      address: '::1',
      port: 5070,
    });
    expect(await resolveTarget('sips:127.0.0.1')).toEqual({
      protocol: 'tls',
      address: '127.0.0.1',
      port: 5061,
    });
    expect(await resolveTarget('sip:localhost:5080', { transport: 'tls' })).toMatchObject({
      protocol: 'tls',
      port: 5080,
    });
  });

  it('refuses what cannot be sent to', () => {
    expect(() => targetOf('tel:+15551234')).toThrow(
      expect.objectContaining({ code: 'TRANSPORT_BAD_TARGET' }),
    );
    expect(() => targetOf('not a uri')).toThrow(expect.objectContaining({ code: 'TRANSPORT_BAD_TARGET' }));
    expect(() => targetOf('sip:h;transport=sctp')).toThrow(
      expect.objectContaining({ code: 'TRANSPORT_BAD_TARGET' }),
    );
  });
});
