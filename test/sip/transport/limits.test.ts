/**
 * The transport's defences (issue 7): connections per source IP, an inbound pool apart from the outbound
 * one, slow senders cut off when a message never completes, refusals reported through `onRefused`, and
 * the UDP receive buffer as asked and granted with the kernel's drop counter read back.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TransportManager,
  type ConnectionRefused,
  type TransportManagerOptions,
} from '../../../src/sip/transport';
import type { Endpoint, Inbound } from '../../../src/sip/transport/types';
import { procLocalAddress, readUdpDrops } from '../../../src/sip/transport/udp-drops';

const opened: TransportManager[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(opened.splice(0).map((m) => m.close()));
});

async function manager(opts: TransportManagerOptions, inbox: Inbound[] = []) {
  const m = await TransportManager.open(opts, (i) => inbox.push(i));
  opened.push(m);
  return m;
}

function rawConnect(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.once('error', reject);
    s.on('error', () => undefined);
    sockets.push(s);
  });
}

const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

function options(n: number): Buffer {
  return Buffer.from(
    `OPTIONS sip:peer@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK${n}\r\n` +
      `From: <sip:a@127.0.0.1>;tag=${n}\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: c${n}\r\n` +
      `CSeq: ${n} OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
  );
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(cond()).toBe(true);
}

describe('TCP limits', () => {
  it('refuses a source over its connection limit while another source still connects', async () => {
    const refused: ConnectionRefused[] = [];
    const inbox: Inbound[] = [];
    const m = await manager(
      {
        listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }],
        stream: { maxConnectionsPerSource: 3, onRefused: (e) => refused.push(e) },
      },
      inbox,
    );
    const port = (m.localEndpoint('tcp') as Endpoint).port;
    const held: Socket[] = [];
    for (let i = 0; i < 3; i++) held.push(await rawConnect(port, '127.0.0.2'));
    await until(() => m.connectionCount('tcp') === 3);
    const fourth = await rawConnect(port, '127.0.0.2');
    await closed(fourth);
    expect(refused).toEqual([{ protocol: 'tcp', remoteAddress: '127.0.0.2', reason: 'per_source' }]);
    const other = await rawConnect(port, '127.0.0.3');
    other.write(options(1));
    await until(() => inbox.length === 1);
    expect(inbox[0]!.source.address).toBe('127.0.0.3');
    // A held connection that closes frees its place.
    held[0]!.destroy();
    await until(() => m.connectionCount('tcp') === 3);
    const again = await rawConnect(port, '127.0.0.2');
    again.write(options(2));
    await until(() => inbox.length === 2);
  });

  it('keeps the outbound pool apart: a full inbound pool does not stop geored connecting out', async () => {
    const refused: ConnectionRefused[] = [];
    const far: Inbound[] = [];
    const peer = await manager({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] }, far);
    const m = await manager({
      listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }],
      stream: { maxInboundConnections: 2, maxOutboundConnections: 2, onRefused: (e) => refused.push(e) },
    });
    const port = (m.localEndpoint('tcp') as Endpoint).port;
    await rawConnect(port, '127.0.0.2');
    await rawConnect(port, '127.0.0.3');
    await until(() => m.connectionCount('tcp') === 2);
    const third = await rawConnect(port, '127.0.0.4');
    await closed(third);
    expect(refused.map((r) => r.reason)).toEqual(['inbound_limit']);
    m.send(options(3), peer.localEndpoint('tcp') as Endpoint);
    await until(() => far.length === 1);
    expect(m.connectionCount('tcp')).toBe(3);
  });

  it('closes a connection whose message is still incomplete after the message timeout', async () => {
    const refused: ConnectionRefused[] = [];
    const inbox: Inbound[] = [];
    const m = await manager(
      {
        listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }],
        stream: { messageTimeoutMs: 300, onRefused: (e) => refused.push(e) },
      },
      inbox,
    );
    const port = (m.localEndpoint('tcp') as Endpoint).port;
    const fast = await rawConnect(port, '127.0.0.3');
    const slow = await rawConnect(port, '127.0.0.2');
    const bytes = options(1);
    // The slow sender dribbles its message and never finishes it; the other one completes its own.
    slow.write(bytes.subarray(0, 20));
    const dribble = setInterval(() => slow.writable && slow.write('X'), 50);
    try {
      fast.write(options(2));
      await closed(slow);
    } finally {
      clearInterval(dribble);
    }
    expect(refused).toEqual([{ protocol: 'tcp', remoteAddress: '127.0.0.2', reason: 'message_timeout' }]);
    expect(inbox.map((i) => i.source.address)).toEqual(['127.0.0.3']);
    expect(fast.destroyed).toBe(false);
  });
});

describe('UDP receive buffer and drops', () => {
  it('asks the kernel for the configured buffer and reports what it granted and the drop counter', async () => {
    const m = await manager({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      udp: { receiveBufferBytes: 1 << 20 },
    });
    const [stats] = m.udpStats();
    // Linux books twice the asked size (capped by net.core.rmem_max, at least 208 KB on any system).
    expect(stats!.receiveBuffer).toBeGreaterThanOrEqual(Math.min(1 << 20, 212_992));
    expect(stats!.drops).toBe(0);
  });

  it('reads the drops column of the socket matching the local address and port', () => {
    expect(procLocalAddress('127.0.0.1', 5060)).toBe('0100007F:13C4');
    expect(procLocalAddress('::1', 5060)).toBe('00000000000000000000000001000000:13C4');
    const table = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  303: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 63584 2 00000000f5a34871 834',
    ].join('\n');
    const drops = readUdpDrops(
      [
        { protocol: 'udp', address: '127.0.0.1', port: 5060 },
        { protocol: 'udp', address: '127.0.0.1', port: 5061 },
      ],
      () => table,
    );
    expect(drops).toEqual([834, null]);
  });
});
