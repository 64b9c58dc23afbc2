/**
 * Issue 7: a response over the message limit must end its branch, not hang the call. A region reached over
 * TCP answers 100 Trying and then a 200 OK of 70 KB (over the 65,535-octet limit); geored ends that branch
 * (a synthetic 503, reported as a transport error) and the call moves on to the next region (a real sipp
 * UAS), so the PBX (a real sipp UAC) sees every call answered.
 */
import { createServer, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../src/health/decide-health-types';
import { Metrics } from '../../src/metrics/registry';
import { createSipProxy, type RegionRuntime, type SipProxy } from '../../src/proxy';
import { parseMessage, type SipRequest } from '../../src/sip/message';
import { SipStack } from '../../src/sip/stack';
import { metricSum, PROXY_DEFAULTS, region, runUac, stopAll } from './harness';

const servers: Server[] = [];
const sockets: Socket[] = [];
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  for (const close of closers.splice(0)) await close();
  await stopAll();
});

/** The harness's proxy, on a stack that also listens on TCP (the region below is reached over TCP). */
async function tcpProxy(regions: readonly RegionRuntime[], westPort: number) {
  const stack = await SipStack.create({
    listen: [
      { protocol: 'udp', address: '127.0.0.1', port: 0 },
      { protocol: 'tcp', address: '127.0.0.1', port: 0 },
    ],
  });
  const metrics = new Metrics({ defaultMetrics: false });
  const outcomes: Array<[string, CallOutcome]> = [];
  const proxy: SipProxy = createSipProxy({
    stack,
    config: { proxy: PROXY_DEFAULTS, pbx: { allow_any_loopback: true } },
    router: () => ({ order: regions.map((r) => r.name), reason: 'test order' }),
    regions: () => regions,
    classify: (source) =>
      source.port === westPort ? { kind: 'region', region: 'us-west-1' } : { kind: 'pbx' },
    metrics,
    onCallOutcome: (r, o) => outcomes.push([r, o]),
    logger: pino({ level: 'silent' }),
    limits: { recordFlushMs: 50 },
  });
  closers.push(async () => {
    await proxy.close();
    await stack.close();
    metrics.close();
  });
  const port = stack.endpoints().find((e) => e.protocol === 'udp')!.port;
  return { stack, proxy, port, metrics, outcomes };
}

/** A TCP "region" answering each INVITE 100 Trying, then a 200 OK too large to be read. */
async function oversizedRegion(): Promise<{ port: number; invites: () => number }> {
  let invites = 0;
  const body = 'v=0\r\n' + 'a=x\r\n'.repeat(14_000);
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const text = pending.slice(0, end + 4 + length);
        pending = pending.slice(end + 4 + length);
        const req = parseMessage(Buffer.from(text, 'latin1'), { datagram: false }) as SipRequest;
        if (req.method !== 'INVITE') continue;
        invites++;
        const head =
          req.headers
            .getAll('via')
            .map((v) => `Via: ${v}`)
            .join('\r\n') +
          `\r\nFrom: ${req.headers.get('from')}\r\nTo: ${req.headers.get('to')};tag=big\r\n` +
          `Call-ID: ${req.callId}\r\nCSeq: ${req.cseq.seq} INVITE\r\n`;
        socket.write(`SIP/2.0 100 Trying\r\n${head}Content-Length: 0\r\n\r\n`);
        socket.write(
          `SIP/2.0 200 OK\r\n${head}Contact: <sip:big@127.0.0.1>\r\nContent-Type: application/sdp\r\n` +
            `Content-Length: ${body.length}\r\n\r\n${body}`,
        );
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, invites: () => invites };
}

describe('a response over the message limit', () => {
  it('ends that branch and the call moves on to the next region: zero failed setups', async () => {
    const big = await oversizedRegion();
    const west = await region('us-west-1', 'region-uas.xml');
    const h = await tcpProxy(
      [
        { name: 'us-east-1', endpoints: [{ protocol: 'tcp', address: '127.0.0.1', port: big.port }] },
        west.runtime,
      ],
      west.sipp.port,
    );
    const run = await runUac('pbx-uac.xml', h.port, 3, 5);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(3);
    expect(big.invites()).toBe(3);
    expect(h.outcomes.filter(([r, o]) => r === 'us-east-1' && o === 'transport-error')).toHaveLength(3);
    expect(
      await metricSum(h.metrics, 'geored_calls_total', { region: 'us-west-1', outcome: 'answered' }),
    ).toBe(3);
    expect(h.stack.counters.parseErrors).toBe(3);
  }, 60_000);
});
