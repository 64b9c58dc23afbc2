/**
 * A TLS region that presents an expired certificate (signed by the CA geored trusts), through the real
 * SIP stack: its health reason must say the certificate expired, on both paths.
 * - Passive: calls from a real sipp PBX through the real proxy fail their TLS handshake with region a and
 *   move on to region b (a sipp UAS); the failed calls' outcomes, fed to a real HealthMonitor, make a DOWN
 *   whose reason quotes the handshake error.
 * - Probes: OPTIONS over TLS fail the handshake; then the edge stalls (accepts TCP, never answers the
 *   ClientHello), the probe times out, and its error names the last connection attempt's expired
 *   certificate instead of saying only "no answer".
 * Waits are bounded, never asserted on.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createSecureContext, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckRegistry } from '../../src/health/checks/registry';
import type { HealthDecisionConfig } from '../../src/health/decide-health-types';
import { HealthMonitor, type ResultEvent, type StateEvent } from '../../src/health/monitor';
import { SipStack } from '../../src/sip/stack';
import { makeCaCerts, type CaCerts } from '../helpers/tls-cert';
import { region as sippRegion, runUac, startProxy, stopAll, until } from '../proxy/harness';
import { region } from './checks/region';

const EXPIRED = 'TLS handshake failed: certificate has expired (CERT_HAS_EXPIRED)';

function config(over: Partial<HealthDecisionConfig['health_check']>): HealthDecisionConfig {
  return {
    health_check: {
      interval: 0.5,
      timeout: 0.5,
      retry_count: 2,
      success_threshold: 2,
      check_methods: ['sip_options'],
      custom_checks: [],
      jitter: 0,
      latency_warning_ms: 10_000,
      sip_options_ok_codes: [200],
      passive_failure_threshold: 2,
      score_window: 60,
      retention: { max_rows: 1000, max_age_days: 1 },
      ...over,
    },
    failover: { min_failure_duration: 0 },
  };
}

/**
 * The region's TLS edge on loopback: 'expired' handshakes with the expired certificate; 'stall' accepts
 * the TCP connection and never answers, as an overloaded or half-dead edge would.
 */
class Edge {
  mode: 'expired' | 'stall' = 'expired';
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(certs: CaCerts): Promise<Edge> {
    const secureContext = createSecureContext({
      key: readFileSync(certs.key),
      cert: readFileSync(certs.expired),
    });
    // The server's handler needs the edge, which needs the server's port: filled in once listening.
    const ref: { edge?: Edge } = {};
    const server = createServer((socket) => {
      const edge = ref.edge;
      edge?.sockets.add(socket);
      socket.on('close', () => edge?.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      if (edge?.mode === 'expired') {
        const tls = new TLSSocket(socket, { isServer: true, secureContext });
        tls.on('error', () => socket.destroy()); // the client refuses the certificate: expected
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    ref.edge = new Edge(server, typeof address === 'object' && address ? address.port : 0);
    return ref.edge;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let certs: CaCerts;
let edge: Edge;

beforeAll(async () => {
  certs = makeCaCerts();
  edge = await Edge.start(certs);
});

afterAll(async () => {
  await stopAll();
  await edge?.close();
  certs?.remove();
});

describe('a TLS region with an expired certificate', () => {
  it('calls move on, and the passive DOWN reason names the expired certificate', async () => {
    edge.mode = 'expired';
    const idle = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    const monitor = new HealthMonitor({
      config: config({}),
      regions: [region('a', '127.0.0.1', edge.port, { transport: 'tls' })],
      // Never started: this test is about what the call path reports, not probes.
      checks: new CheckRegistry({
        stack: idle,
        resolve: async () => [],
        okCodes: () => [200],
        now: () => Date.now(),
      }),
    });
    const b = await sippRegion('b', 'region-uas.xml');
    const h = await startProxy({
      regions: [
        { name: 'a', endpoints: [{ protocol: 'tls', address: '127.0.0.1', port: edge.port }] },
        b.runtime,
      ],
      tls: { ca: certs.ca },
      onCallOutcome: (r, o, detail) => {
        if (r === 'a') monitor.reportCallOutcome(r, o, detail);
      },
    });
    const run = await runUac('pbx-uac.xml', h.port, 2, 5);
    expect(run.code).toBe(0); // every call answered by b
    expect(h.outcomes.filter(([r]) => r === 'a')).toEqual([
      ['a', 'transport-error', EXPIRED],
      ['a', 'transport-error', EXPIRED],
    ]);
    expect(h.outcomes.filter(([r]) => r === 'b')).toEqual([
      ['b', 'ok'],
      ['b', 'ok'],
    ]);
    const d = monitor.snapshot('a').decision;
    expect(d.state).toBe('down');
    expect(d.reason).toMatch(
      new RegExp(
        '^a is DOWN: 2 consecutive failed calls reported by the call path, the last a transport error ' +
          `\\(${EXPIRED.replace(/[()]/g, '\\$&')}\\) at \\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$`,
      ),
    );
    await monitor.stop();
    await idle.close();
  }, 60_000);

  it('a probe names the expired certificate, and so does a probe that times out connecting afterwards', async () => {
    edge.mode = 'expired';
    const stack = await SipStack.create({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      tls: { ca: certs.ca },
    });
    const monitor = new HealthMonitor({
      config: config({}),
      regions: [region('a', '127.0.0.1', edge.port, { transport: 'tls' })],
      checks: new CheckRegistry({
        stack,
        resolve: async (t) => [{ protocol: 'tls', address: t.host, port: t.port ?? 5061 }],
        okCodes: () => [200],
        now: () => Date.now(),
      }),
    });
    const results: ResultEvent[] = [];
    const states: StateEvent[] = [];
    monitor.on('result', (e) => results.push(e));
    monitor.on('state', (e) => states.push(e));
    const tlsTarget = `(tls 127.0.0.1:${edge.port})`;
    try {
      monitor.start();
      // The handshake fails at once: the transport error is the probe's error (as before this change).
      await until(() => results.some((r) => r.outcome.error?.includes('certificate has expired')), 15_000);
      const refused = results.find((r) => r.outcome.error?.includes('certificate has expired'))!;
      expect(refused.outcome.error).toBe(
        `TLS handshake with tls:127.0.0.1:${edge.port} failed: certificate has expired (CERT_HAS_EXPIRED) ${tlsTarget}`,
      );
      await until(() => states.some((s) => s.to === 'down'), 15_000);
      expect(states.find((s) => s.to === 'down')?.reason).toMatch(/certificate has expired/);

      // Now the edge stalls: the probe's connection never completes and the probe times out.
      edge.mode = 'stall';
      const seen = results.length;
      await until(() => results.slice(seen).some((r) => r.outcome.error?.startsWith('no answer')), 15_000);
      const timedOut = results.slice(seen).find((r) => r.outcome.error?.startsWith('no answer'))!;
      expect(timedOut.outcome.error).toBe(`no answer within 500 ms (last connection attempt: ${EXPIRED})`);
      expect(monitor.snapshot('a').decision.reason).toMatch(
        new RegExp(
          '^a is DOWN: \\d+ consecutive sip_options failures \\(no answer within 500 ms \\(last connection ' +
            `attempt: ${EXPIRED.replace(/[()]/g, '\\$&')}\\)\\), the last at `,
        ),
      );
    } finally {
      await monitor.stop();
      await stack.close();
    }
  }, 60_000);
});
