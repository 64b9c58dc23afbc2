/**
 * sip_options against real peers on loopback: sipp answering OPTIONS (alive, then SIGSTOPped = no answer),
 * a geored SIP stack answering 503 or 404, a closed TCP port (connection refused), and a region with two
 * endpoints whose first refuses.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sipOptionsCheck } from '../../../src/health/checks/sip-options';
import type { ResolveEndpoints } from '../../../src/health/checks/endpoints';
import { createResponse } from '../../../src/sip/message';
import { SipStack } from '../../../src/sip/stack';
import type { Endpoint } from '../../../src/sip/transport/types';
import { freePort } from '../../helpers/ports';
import { startSipp, stopAllSipp } from '../../helpers/sipp';
import { ctx, region } from './region';

/** IP literals resolve to themselves (RFC 3263 §4.1); the tests use that rule, no DNS. */
const literal: ResolveEndpoints = async (t) => [
  { protocol: t.transport ?? 'udp', address: t.host, port: t.port ?? 5060 },
];

let stack: SipStack;
let peer: SipStack;
let peerStatus = 503;

beforeAll(async () => {
  stack = await SipStack.create({
    listen: [
      { protocol: 'udp', address: '127.0.0.1', port: 0 },
      { protocol: 'tcp', address: '127.0.0.1', port: 0 },
    ],
  });
  peer = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  peer.onRequest((req, tx) => tx.respond(createResponse(req, peerStatus)));
});

afterEach(() => stopAllSipp());
afterAll(async () => {
  await stack.close();
  await peer.close();
});

function check(okCodes: readonly number[] = [200], resolve: ResolveEndpoints = literal) {
  return sipOptionsCheck({ stack, resolve, okCodes: () => okCodes });
}

describe('sip_options', () => {
  it('is alive with a measured round trip when sipp answers 200, and fails with no answer when sipp is stopped', async () => {
    const sipp = await startSipp({ scenario: 'uas-options.xml' });
    const r = region('sipp', '127.0.0.1', sipp.port);

    const alive = await check()(r, ctx(2000));
    expect(alive.success, alive.error).toBe(true);
    expect(alive.latency_ms).toBeGreaterThan(0);
    expect(alive.detail).toContain(`200 OK from udp 127.0.0.1:${sipp.port}`);

    sipp.pause();
    const stopped = await check()(r, ctx(250));
    expect(stopped).toMatchObject({ success: false, latency_ms: null, error: 'no answer within 250 ms' });
    sipp.resume();
  });

  it('fails with the status line when the peer answers 503, and passes 404 only when configured alive', async () => {
    const port = peer.endpoints()[0]!.port;
    const r = region('peer', '127.0.0.1', port);

    peerStatus = 503;
    const unavailable = await check()(r, ctx(2000));
    expect(unavailable).toMatchObject({ success: false, error: '503 Service Unavailable' });
    expect(unavailable.latency_ms).toBeGreaterThan(0);

    peerStatus = 404;
    expect((await check([200])(r, ctx(2000))).error).toBe('404 Not Found');
    expect((await check([200, 404])(r, ctx(2000))).success).toBe(true);
  });

  it('reports connection refused for a closed TCP port', async () => {
    const closed = await freePort();
    const outcome = await check()(region('closed', '127.0.0.1', closed, { transport: 'tcp' }), ctx(2000));
    expect(outcome.success).toBe(false);
    expect(outcome.error).toBe(`connection refused (tcp 127.0.0.1:${closed})`);
  });

  it('moves on to the next endpoint of the region after a transport error, within the same timeout', async () => {
    const sipp = await startSipp({ scenario: 'uas-options.xml', transport: 'tcp' });
    const closed = await freePort();
    const two: ResolveEndpoints = async (): Promise<Endpoint[]> => [
      { protocol: 'tcp', address: '127.0.0.1', port: closed },
      { protocol: 'tcp', address: '127.0.0.1', port: sipp.port },
    ];
    const outcome = await check([200], two)(
      region('two', '127.0.0.1', sipp.port, { transport: 'tcp' }),
      ctx(3000),
    );
    expect(outcome.success, outcome.error).toBe(true);
    expect(outcome.detail).toContain(`tcp 127.0.0.1:${sipp.port}`);
  });

  it('turns a resolution failure into a failed outcome instead of throwing', async () => {
    const failing: ResolveEndpoints = async () => {
      throw new Error('queryA ENOTFOUND trunk.invalid');
    };
    const outcome = await check([200], failing)(region('dns', 'trunk.invalid', null), ctx(500));
    expect(outcome).toMatchObject({
      success: false,
      error: 'cannot resolve trunk.invalid: queryA ENOTFOUND trunk.invalid',
    });
  });
});
