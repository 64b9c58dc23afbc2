/**
 * What an answered call leaves behind through Timer L and M (32 s each, RFC 6026): the transactions that
 * absorb retransmissions, and none of the call itself. At 100 calls/s, 3,200 calls are inside that window at
 * any time; everything they hold is promoted to V8's old generation and costs full collections (issue 13).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OutboundCall } from '../../src/proxy/outbound-call';
import { FailoverChain } from '../../src/proxy/failover-chain';
import type { SipRequest, SipResponse } from '../../src/sip/message';
import { InviteServerTransaction } from '../../src/sip/transaction/invite-server';
import { liveObjects } from '../helpers/live-objects';
import { answer, closeAllPeers, isRequestFor, isResponseTo, msg, udpPeer } from '../helpers/udp-peer';
import { startProxy, stopAll } from './harness';

afterEach(async () => {
  closeAllPeers();
  await stopAll();
});

const CALLS = 10;

describe('what an answered and ended call leaves for Timer L and M', () => {
  it('the server transactions stay for their timers; no OutboundCall or FailoverChain does', async () => {
    const pbx = await udpPeer();
    const east = await udpPeer();
    const h = await startProxy({
      regions: [
        { name: 'us-east-1', endpoints: [{ protocol: 'udp', address: '127.0.0.1', port: east.port }] },
      ],
      regionPorts: new Map([[east.port, 'us-east-1']]),
    });
    const before = await liveObjects(InviteServerTransaction.prototype);
    for (let i = 0; i < CALLS; i++) {
      const callId = `retention-${process.pid}-${i}`;
      const from = `<sip:caller@127.0.0.1:${pbx.port}>;tag=pbx-${i}`;
      pbx.send(
        msg([
          `INVITE sip:+1555000${i}@127.0.0.1:${h.port} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=z9hG4bK-ret-${i};rport`,
          'Max-Forwards: 70',
          `From: ${from}`,
          `To: <sip:+1555000${i}@127.0.0.1:${h.port}>`,
          `Call-ID: ${callId}`,
          'CSeq: 1 INVITE',
          `Contact: <sip:caller@127.0.0.1:${pbx.port}>`,
        ]),
        h.port,
      );
      const inv = await east.next<SipRequest>((m) => isRequestFor('INVITE')(m) && m.callId === callId);
      east.send(answer(inv, 200, 'OK', 'region', [`Contact: <sip:callee@127.0.0.1:${east.port}>`]), h.port);
      const ok = await pbx.next<SipResponse>((m) => isResponseTo('INVITE', 200)(m) && m.callId === callId);
      const rr = ok.headers.getAll('Record-Route');
      const remote = `sip:callee@127.0.0.1:${east.port}`;
      for (const [method, seq] of [
        ['ACK', 1],
        ['BYE', 2],
      ] as const) {
        pbx.send(
          msg([
            `${method} ${remote} SIP/2.0`,
            `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=z9hG4bK-ret-${method}-${i};rport`,
            'Max-Forwards: 70',
            ...[...rr].reverse().map((r) => `Route: ${r}`),
            `From: ${from}`,
            `To: ${ok.headers.get('To')}`,
            `Call-ID: ${callId}`,
            `CSeq: ${seq} ${method}`,
          ]),
          h.port,
        );
      }
      const bye = await east.next<SipRequest>((m) => isRequestFor('BYE')(m) && m.callId === callId);
      east.send(answer(bye, 200, 'OK', 'region'), h.port);
      await pbx.next((m) => isResponseTo('BYE', 200)(m) && m.callId === callId);
    }
    expect(h.proxy.dialogCount).toBe(0);
    // The window is open: every call's INVITE server transaction is in Accepted until Timer L...
    expect((await liveObjects(InviteServerTransaction.prototype)) - before).toBeGreaterThanOrEqual(CALLS);
    // ...and the calls themselves are gone, though the stack still passes their 2xx retransmissions up.
    expect(await liveObjects(OutboundCall.prototype)).toBe(0);
    expect(await liveObjects(FailoverChain.prototype)).toBe(0);
  }, 30_000);
});
