/**
 * Reflection (issue 7): strangers are refused statelessly (one 403, no transaction, never retransmitted)
 * or in silence, and stray responses are dropped, not relayed by their Via. Raw UDP sockets on loopback
 * play the stranger (127.0.0.2), the would-be victim (127.0.0.3) and the PBX (127.0.0.1, the harness's).
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SECURITY } from '../../src/config/defaults';
import { metricSum, startProxy, stopAll, until, type Harness } from './harness';

const sockets: Socket[] = [];
afterEach(async () => {
  await stopAll();
  await Promise.all(sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

interface Peer {
  readonly socket: Socket;
  readonly port: number;
  readonly received: string[];
}

async function peer(address: string): Promise<Peer> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((r) => socket.bind(0, address, () => r()));
  const received: string[] = [];
  socket.on('message', (m) => received.push(m.toString()));
  return { socket, port: socket.address().port, received };
}

function invite(h: Harness, from: Peer, address: string, callId: string): string {
  return [
    `INVITE sip:15550001@127.0.0.1:${h.port} SIP/2.0`,
    `Via: SIP/2.0/UDP ${address}:${from.port};branch=z9hG4bK-${callId}`,
    `From: <sip:stranger@${address}>;tag=s1`,
    `To: <sip:15550001@127.0.0.1:${h.port}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** An OPTIONS from the PBX to geored itself, answered 200: once it is, everything sent before it was handled. */
async function barrier(h: Harness, pbx: Peer, n: number): Promise<void> {
  const before = pbx.received.length;
  const options = [
    `OPTIONS sip:127.0.0.1:${h.port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=z9hG4bK-barrier-${n}`,
    'From: <sip:pbx@127.0.0.1>;tag=b1',
    `To: <sip:127.0.0.1:${h.port}>`,
    `Call-ID: barrier-${n}`,
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  pbx.socket.send(options, h.port, '127.0.0.1');
  await until(() => pbx.received.length > before);
}

describe('requests from unknown sources', () => {
  it('answers each INVITE with one stateless 403 and keeps no transaction for it', async () => {
    const h = await startProxy({ regions: [] });
    const stranger = await peer('127.0.0.2');
    const pbx = await peer('127.0.0.1');
    for (let i = 0; i < 20; i++)
      stranger.socket.send(invite(h, stranger, '127.0.0.2', `s-${i}`), h.port, '127.0.0.1');
    await until(() => stranger.received.length >= 20);
    // A stateful 403 would be a live INVITE server transaction each, retransmitted until an ACK or Timer H.
    expect(h.stack.transactionCount).toBe(0);
    await barrier(h, pbx, 1);
    expect(stranger.received).toHaveLength(20);
    expect(stranger.received.every((m) => m.startsWith('SIP/2.0 403 Forbidden\r\n'))).toBe(true);
    expect(h.stack.screenCounters.answered).toBe(20);
    expect(
      await metricSum(h.metrics, 'geored_sip_refused_total', {
        reason: 'unknown_source',
        response: 'reject',
      }),
    ).toBe(20);
  }, 30_000);

  it('answers nothing at all with unknown_source_response: silence', async () => {
    const h = await startProxy({
      regions: [],
      security: { ...DEFAULT_SECURITY, unknown_source_response: 'silence' },
    });
    const stranger = await peer('127.0.0.2');
    const pbx = await peer('127.0.0.1');
    for (let i = 0; i < 5; i++)
      stranger.socket.send(invite(h, stranger, '127.0.0.2', `q-${i}`), h.port, '127.0.0.1');
    await until(() => h.stack.screenCounters.dropped >= 5);
    expect(h.stack.transactionCount).toBe(0);
    await barrier(h, pbx, 2);
    expect(stranger.received).toEqual([]);
    expect(
      await metricSum(h.metrics, 'geored_sip_refused_total', {
        reason: 'unknown_source',
        response: 'silence',
      }),
    ).toBe(5);
  }, 30_000);
});

describe('stray responses', () => {
  it('drops a response whose top Via names geored but that matches no transaction, instead of relaying it', async () => {
    const h = await startProxy({ regions: [] });
    const attacker = await peer('127.0.0.2');
    const victim = await peer('127.0.0.3');
    const pbx = await peer('127.0.0.1');
    const stray = [
      'SIP/2.0 200 OK',
      `Via: SIP/2.0/UDP 127.0.0.1:${h.port};branch=z9hG4bK-not-ours`,
      `Via: SIP/2.0/UDP 127.0.0.3:${victim.port};branch=z9hG4bK-victim`,
      'From: <sip:a@127.0.0.2>;tag=a',
      'To: <sip:b@127.0.0.3>;tag=b',
      'Call-ID: stray-1',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    attacker.socket.send(stray, h.port, '127.0.0.1');
    await until(async () => (await metricSum(h.metrics, 'geored_sip_stray_responses_dropped_total')) === 1);
    await barrier(h, pbx, 3);
    expect(victim.received).toEqual([]);
    expect(attacker.received).toEqual([]);
  }, 30_000);
});
