import { describe, expect, it } from 'vitest';
import type { SipResponse } from '../../../src/sip/message';
import { TransactionLayer, type LayerOutput } from '../../../src/sip/transaction';
import {
  UAC,
  makeRequest,
  makeResponse,
  over,
  retransmission,
  runTimers,
  sendTimes,
  sends,
  types,
} from './fixtures';

function newInvite(layer: TransactionLayer, now = 0, spec = {}) {
  const invite = makeRequest('INVITE', spec);
  const out = layer.receive(invite, UAC, now);
  const req = out.find((o): o is Extract<LayerOutput, { type: 'request' }> => o.type === 'request');
  if (!req) throw new Error('no request output');
  return { invite, id: req.txId, out };
}

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('hands a new INVITE to the TU and sends 100 Trying after 200 ms when the TU is silent', () => {
    const layer = new TransactionLayer();
    const { invite, id, out } = newInvite(layer, 1000);
    expect(out).toEqual([{ type: 'request', txId: id, request: invite, source: UAC }]);
    expect(layer.stateOf(id)).toBe('Proceeding');
    expect(layer.nextTimer()).toBe(1200);
    const timed = runTimers(layer, 1200);
    expect(timed).toHaveLength(1);
    const trying = timed[0]?.out.type === 'send' ? (timed[0].out.message as SipResponse) : undefined;
    expect(trying?.status).toBe(100);
    expect(trying?.toTag).toBeNull();
    expect(trying?.callId).toBe(invite.callId);
    expect(layer.stateOf(id)).toBe('Proceeding');
  });

  it('sends no 100 of its own when the TU answers within the grace period', () => {
    const layer = new TransactionLayer();
    const { invite, id } = newInvite(layer, 0);
    const ringing = makeResponse(invite, 180, 'uas');
    expect(layer.respond(id, ringing, 150)).toEqual([
      { type: 'send', message: ringing, dest: UAC, txId: id },
    ]);
    expect(runTimers(layer, 1000)).toEqual([]);
  });

  it('sends 100 Trying at once when asked to (trying100DelayMs: 0), as a proxy does', () => {
    const layer = new TransactionLayer({ trying100DelayMs: 0 });
    const { id, out } = newInvite(layer, 0);
    expect(types(out)).toEqual(['request', 'send']);
    expect((sends(out)[0]?.message as SipResponse).status).toBe(100);
    expect(layer.stateOf(id)).toBe('Proceeding');
  });

  it('waits the configured grace period before its own 100 Trying', () => {
    const layer = new TransactionLayer({ trying100DelayMs: 1000 });
    newInvite(layer, 500);
    expect(layer.nextTimer()).toBe(1500);
    expect(layer.onTimer(1499)).toEqual([]);
    const timed = runTimers(layer, 10_000);
    expect(timed.map((t) => [t.at, t.out.type])).toEqual([[1500, 'send']]);
  });

  it('absorbs INVITE retransmissions, answering each with the latest provisional', () => {
    const layer = new TransactionLayer();
    const { invite, id } = newInvite(layer, 0);
    // Before any provisional, a retransmission is quenched with the 100 the transaction owes.
    const early = layer.receive(retransmission(invite), UAC, 100);
    expect(types(early)).toEqual(['send']);
    expect((sends(early)[0]?.message as SipResponse).status).toBe(100);
    expect(runTimers(layer, 1000)).toEqual([]);
    const ringing = makeResponse(invite, 180, 'uas');
    layer.respond(id, ringing, 400);
    expect(layer.receive(retransmission(invite), UAC, 500)).toEqual([
      { type: 'send', message: ringing, dest: UAC, txId: id },
    ]);
    expect(layer.size).toBe(1);
  });

  it('retransmits a non-2xx final with Timer G doubling to T2, and reports Timer H at 64*T1', () => {
    const layer = new TransactionLayer();
    const { invite, id } = newInvite(layer, 0);
    const busy = makeResponse(invite, 486, 'uas');
    expect(layer.respond(id, busy, 100)).toEqual([{ type: 'send', message: busy, dest: UAC, txId: id }]);
    expect(layer.stateOf(id)).toBe('Completed');
    const timed = runTimers(layer, 100_000);
    // G: 0.5, 1, 2, 4, 4, ... from 0.1 s.
    expect(sendTimes(timed)).toEqual([600, 1600, 3600, 7600, 11_600, 15_600, 19_600, 23_600, 27_600, 31_600]);
    for (const t of timed) if (t.out.type === 'send') expect(t.out.message).toBe(busy);
    expect(timed.filter((t) => t.out.type !== 'send')).toEqual([
      { at: 32_100, out: { type: 'ack-timeout', txId: id } },
      { at: 32_100, out: { type: 'terminated', txId: id } },
    ]);
  });

  it('answers an INVITE retransmission in Completed with the final response', () => {
    const layer = new TransactionLayer();
    const { invite, id } = newInvite(layer, 0);
    const busy = makeResponse(invite, 603, 'uas');
    layer.respond(id, busy, 0);
    expect(layer.receive(retransmission(invite), UAC, 300)).toEqual([
      { type: 'send', message: busy, dest: UAC, txId: id },
    ]);
  });

  it('moves to Confirmed on the ACK, stops Timer G, absorbs further ACKs and ends after Timer I (T4)', () => {
    const layer = new TransactionLayer();
    const { invite, id } = newInvite(layer, 0, { toTag: undefined });
    const busy = makeResponse(invite, 486, 'uas');
    layer.respond(id, busy, 0);
    expect(sendTimes(runTimers(layer, 600))).toEqual([500]);
    const ack = makeRequest('ACK', {
      branch: invite.topVia.params['branch'],
      callId: invite.callId,
      fromTag: invite.fromTag ?? '',
      toTag: 'uas',
    });
    expect(layer.receive(ack, UAC, 700)).toEqual([]);
    expect(layer.stateOf(id)).toBe('Confirmed');
    expect(layer.receive(retransmission(ack), UAC, 800)).toEqual([]);
    expect(layer.receive(retransmission(invite), UAC, 900)).toEqual([]);
    expect(runTimers(layer, 100_000)).toEqual([{ at: 5700, out: { type: 'terminated', txId: id } }]);
  });

  it('over TCP: no Timer G, Timer H still runs, Timer I is zero', () => {
    const tcp = over(UAC, 'tcp');
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE', { transport: 'TCP' });
    const id = (layer.receive(invite, tcp, 0)[0] as { txId: string }).txId;
    layer.respond(id, makeResponse(invite, 404, 'uas'), 50);
    expect(layer.nextTimer()).toBe(50 + 32_000);
    const ack = makeRequest('ACK', {
      transport: 'TCP',
      branch: invite.topVia.params['branch'],
      toTag: 'uas',
    });
    expect(layer.receive(ack, tcp, 100)).toEqual([{ type: 'terminated', txId: id }]);
    // Without the ACK, Timer H fires with no retransmission before it.
    const invite2 = makeRequest('INVITE', { transport: 'TCP' });
    const id2 = (layer.receive(invite2, tcp, 0)[0] as { txId: string }).txId;
    layer.respond(id2, makeResponse(invite2, 404, 'uas'), 50);
    expect(runTimers(layer, 100_000).map((t) => [t.at, t.out.type])).toEqual([
      [32_050, 'ack-timeout'],
      [32_050, 'terminated'],
    ]);
  });

  it('sends 2xx through Accepted: INVITE retransmissions absorbed, 2xx retransmissions from the TU sent, ACKs to the TU, Timer L', () => {
    const layer = new TransactionLayer();
    const { invite, id } = newInvite(layer, 0);
    const ok = makeResponse(invite, 200, 'uas');
    expect(layer.respond(id, ok, 1000)).toEqual([{ type: 'send', message: ok, dest: UAC, txId: id }]);
    expect(layer.stateOf(id)).toBe('Accepted');
    expect(layer.receive(retransmission(invite), UAC, 1100)).toEqual([]);
    expect(layer.respond(id, ok, 1500)).toEqual([{ type: 'send', message: ok, dest: UAC, txId: id }]);
    // A late error from the TU has no place any more.
    expect(layer.respond(id, makeResponse(invite, 500, 'uas'), 1600)).toEqual([]);
    // The ACK for a 2xx carries its own branch: it matches no transaction and goes to the TU.
    const ack = makeRequest('ACK', { callId: invite.callId, toTag: 'uas' });
    expect(layer.receive(ack, UAC, 1700)).toEqual([{ type: 'ack', request: ack, source: UAC }]);
    // One that reuses the INVITE's branch matches the transaction in Accepted, which passes it up too.
    const sameBranch = makeRequest('ACK', { branch: invite.topVia.params['branch'], toTag: 'uas' });
    expect(layer.receive(sameBranch, UAC, 1800)).toEqual([{ type: 'ack', request: sameBranch, source: UAC }]);
    expect(runTimers(layer, 100_000)).toEqual([{ at: 33_000, out: { type: 'terminated', txId: id } }]);
  });

  it('ignores an ACK before any final response and a second final from the TU', () => {
    const layer = new TransactionLayer();
    const { invite, id } = newInvite(layer, 0);
    const ack = makeRequest('ACK', { branch: invite.topVia.params['branch'] });
    expect(layer.receive(ack, UAC, 10)).toEqual([]);
    expect(layer.stateOf(id)).toBe('Proceeding');
    layer.respond(id, makeResponse(invite, 486, 'uas'), 20);
    expect(layer.respond(id, makeResponse(invite, 200, 'uas'), 30)).toEqual([]);
    expect(layer.stateOf(id)).toBe('Completed');
  });

  it('reports a transport error to the TU and terminates (§17.2.4)', () => {
    const layer = new TransactionLayer();
    const { invite, id } = newInvite(layer, 0);
    layer.respond(id, makeResponse(invite, 486, 'uas'), 0);
    expect(layer.transportError(id, 10)).toEqual([
      { type: 'transport-error', txId: id },
      { type: 'terminated', txId: id },
    ]);
    expect(layer.size).toBe(0);
  });
});
