/**
 * Calls from a region to the PBX, and the call records of both directions in a real SQLite store.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { freePort } from '../helpers/ports';
import { startSipp } from '../helpers/sipp';
import { metricSum, region, runUac, startProxy, stopAll, until } from './harness';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await stopAll();
  for (const c of cleanups.splice(0)) await c();
});

async function sqliteStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-proxy-'));
  const store = await openStore(`sqlite:${join(dir, 'geored.db')}`);
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

describe('inbound calls and call records', () => {
  it('delivers a call from a region to the PBX address and records it as inbound', async () => {
    const store = await sqliteStore();
    const pbx = await startSipp({ scenario: 'pbx-uas.xml', extraArgs: ['-m', '2'] });
    const carrierPort = await freePort();
    const h = await startProxy({
      regions: [],
      store,
      pbxAddress: { protocol: 'udp', address: '127.0.0.1', port: pbx.port },
      regionPorts: new Map([[carrierPort, 'eu-west-1']]),
    });
    const run = await runUac('region-uac-inbound.xml', h.port, 2, 5, [], carrierPort);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(2);
    expect(await pbx.exited, pbx.output()).toBe(0);
    await until(async () => {
      await h.proxy.flushRecords();
      const rows = await store.listCalls({ limit: 10 });
      return rows.length === 2 && rows.every((r) => r.ended_at !== null);
    });
    const rows = await store.listCalls({ limit: 10 });
    for (const r of rows) {
      expect(r.direction).toBe('inbound');
      expect(r.region).toBe('eu-west-1');
      expect(r.final_status).toBe(200);
      expect(r.attempts).toHaveLength(1);
      expect(r.attempts[0]).toMatchObject({ region: 'eu-west-1', status: 200, outcome: 'answered' });
    }
  }, 30_000);

  it('refuses an INVITE from a source that is neither a region nor the PBX with 403', async () => {
    const h = await startProxy({ regions: [] });
    // Only 127.0.0.1 is the PBX in the harness: 127.0.0.2 is loopback, but nobody geored knows.
    const socket = createSocket('udp4');
    cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
    await new Promise<void>((r) => socket.bind(0, '127.0.0.2', () => r()));
    const answer = new Promise<string>((r) => socket.once('message', (m) => r(m.toString())));
    const me = socket.address().port;
    const invite = [
      `INVITE sip:15550001@127.0.0.1:${h.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.2:${me};branch=z9hG4bK-stranger-1`,
      'From: <sip:stranger@127.0.0.2>;tag=s1',
      `To: <sip:15550001@127.0.0.1:${h.port}>`,
      'Call-ID: stranger-1',
      'CSeq: 1 INVITE',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    socket.send(invite, h.port, '127.0.0.1');
    const text = await answer;
    expect(text.split('\r\n')[0]).toBe('SIP/2.0 403 Forbidden');
    // Refused before any transaction (test/proxy/hostile-sources.test.ts): nothing is kept for it.
    expect(h.stack.transactionCount).toBe(0);
    expect(await metricSum(h.metrics, 'geored_calls_total')).toBe(0);
  }, 30_000);

  it('records outbound calls with every region tried, the carrier, answer and end', async () => {
    const store = await sqliteStore();
    const busy = await region('us-east-1', 'region-503.xml');
    const west = await region('us-west-1', 'region-uas.xml');
    const h = await startProxy({ regions: [busy.runtime, west.runtime], store });
    const run = await runUac('pbx-uac.xml', h.port, 5, 10);
    expect(run.code, run.output).toBe(0);
    await until(async () => {
      await h.proxy.flushRecords();
      const rows = await store.listCalls({ limit: 10 });
      return rows.length === 5 && rows.every((r) => r.ended_at !== null);
    });
    const rows = await store.listCalls({ region: 'us-west-1', limit: 10 });
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      expect(r.direction).toBe('outbound');
      expect(r.final_status).toBe(200);
      expect(r.answered_at).not.toBeNull();
      expect(r.attempts.map((a) => [a.region, a.status, a.outcome])).toEqual([
        ['us-east-1', 503, 'failed'],
        ['us-west-1', 200, 'answered'],
      ]);
      expect(r.to_uri).toContain('15550001');
      // The router's sentence (the harness's router says 'test order') is the record's routing reason.
      expect(r.routing_reason).toBe('test order');
    }
    expect(await store.countCalls('us-west-1')).toBe(5);
  }, 30_000);
});
