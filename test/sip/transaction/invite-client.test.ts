import { describe, expect, it } from 'vitest';
import { SipRequest } from '../../../src/sip/message';
import { TransactionLayer } from '../../../src/sip/transaction';
import { UAS, makeRequest, makeResponse, over, runTimers, sendTimes, sends, types } from './fixtures';

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  it('retransmits over UDP at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s and times out at 32 s (Timer A, B)', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE');
    const { id, outputs } = layer.sendRequest(invite, UAS, 0);
    expect(sends(outputs)).toHaveLength(1);
    expect(sends(outputs)[0]?.message).toBe(invite);
    expect(sends(outputs)[0]?.dest).toEqual(UAS);
    expect(layer.stateOf(id)).toBe('Calling');

    const timed = runTimers(layer, 100_000);
    expect(sendTimes(timed)).toEqual([500, 1500, 3500, 7500, 15_500, 31_500]);
    for (const t of timed.filter((x) => x.out.type === 'send')) {
      expect(t.out.type === 'send' && t.out.message).toBe(invite);
    }
    const ends = timed.filter((t) => t.out.type !== 'send');
    expect(ends).toEqual([
      { at: 32_000, out: { type: 'timeout', txId: id } },
      { at: 32_000, out: { type: 'terminated', txId: id } },
    ]);
    expect(layer.size).toBe(0);
    expect(layer.nextTimer()).toBeNull();
  });

  it('a CANCELled INVITE that never gets a final answer is destroyed 64*T1 after the CANCEL (§9.1)', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE');
    const { id } = layer.sendRequest(invite, UAS, 0);
    layer.receive(makeResponse(invite, 180, 'callee'), UAS, 100);
    expect(layer.stateOf(id)).toBe('Proceeding');
    // Proceeding has no timer of its own: without the CANCEL, nothing would ever end it.
    expect(layer.nextTimer()).toBeNull();
    expect(layer.cancelSent(id, 200_000)).toEqual([]);
    expect(runTimers(layer, 10_000_000).map((t) => [t.at, t.out.type])).toEqual([
      [232_000, 'timeout'],
      [232_000, 'terminated'],
    ]);
    expect(layer.size).toBe(0);
  });

  it('a CANCELled INVITE that is answered 487 ends as usual, the §9.1 timer disarmed with it', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE');
    const { id } = layer.sendRequest(invite, UAS, 0);
    layer.receive(makeResponse(invite, 180, 'callee'), UAS, 100);
    layer.cancelSent(id, 1_000);
    expect(types(layer.receive(makeResponse(invite, 487, 'callee'), UAS, 1_100))).toContain('response');
    const timed = runTimers(layer, 10_000_000);
    expect(timed.map((t) => t.out.type)).toEqual(['terminated']);
    expect(timed[0]?.at).toBe(1_100 + 32_000);
  });

  it('never retransmits over TCP or TLS, and still times out at 64*T1', () => {
    for (const protocol of ['tcp', 'tls'] as const) {
      const layer = new TransactionLayer();
      const { id, outputs } = layer.sendRequest(
        makeRequest('INVITE', { transport: protocol.toUpperCase() }),
        over(UAS, protocol),
        0,
      );
      expect(sends(outputs)).toHaveLength(1);
      const timed = runTimers(layer, 100_000);
      expect(sendTimes(timed)).toEqual([]);
      expect(timed.map((t) => [t.at, t.out.type])).toEqual([
        [32_000, 'timeout'],
        [32_000, 'terminated'],
      ]);
      expect(layer.stateOf(id)).toBeUndefined();
    }
  });

  it('follows a configured T1: retransmissions at T1, 3*T1, 7*T1 ... and Timer B at 64*T1', () => {
    const layer = new TransactionLayer({ timers: { T1: 100 } });
    layer.sendRequest(makeRequest('INVITE'), UAS, 1000);
    const timed = runTimers(layer, 100_000);
    expect(sendTimes(timed)).toEqual([1100, 1300, 1700, 2500, 4100, 7300]);
    expect(timed.find((t) => t.out.type === 'timeout')?.at).toBe(1000 + 6400);
  });

  it('stops retransmitting on a provisional and leaves the wait for a final to the TU (no Timer B)', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE');
    const { id } = layer.sendRequest(invite, UAS, 0);
    expect(sendTimes(runTimers(layer, 600))).toEqual([500]);
    const ringing = makeResponse(invite, 180, 'callee');
    expect(layer.receive(ringing, UAS, 700)).toEqual([{ type: 'response', txId: id, response: ringing }]);
    expect(layer.stateOf(id)).toBe('Proceeding');
    expect(layer.nextTimer()).toBeNull();
    const progress = makeResponse(invite, 183, 'callee');
    expect(layer.receive(progress, UAS, 90_000)).toEqual([
      { type: 'response', txId: id, response: progress },
    ]);
    const busy = makeResponse(invite, 486, 'callee');
    const out = layer.receive(busy, UAS, 120_000);
    expect(types(out)).toEqual(['response', 'send']);
    expect(layer.stateOf(id)).toBe('Completed');
  });

  it('acknowledges a non-2xx final itself, with the headers of §17.1.1.3', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE', {
      cseq: 4711,
      uri: 'sip:bob@198.51.100.20;transport=udp',
      routes: ['<sip:edge1.example.net;lr>', '<sip:edge2.example.net;lr>'],
      extraVia: 'SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bK-upstream',
    });
    const { id } = layer.sendRequest(invite, UAS, 0);
    const busy = makeResponse(invite, 486, 'bob-tag');
    const out = layer.receive(busy, UAS, 100);
    expect(out[0]).toEqual({ type: 'response', txId: id, response: busy });
    const send = sends(out)[0];
    expect(send?.dest).toEqual(UAS);
    const ack = send?.message as SipRequest;
    expect(ack).toBeInstanceOf(SipRequest);
    expect(ack.method).toBe('ACK');
    expect(ack.uri).toBe(invite.uri);
    expect(ack.callId).toBe(invite.callId);
    expect(ack.headers.get('From')).toBe(invite.headers.get('From'));
    expect(ack.headers.get('To')).toBe(busy.headers.get('To'));
    expect(ack.toTag).toBe('bob-tag');
    expect(ack.cseq).toEqual({ seq: 4711, method: 'ACK' });
    expect(ack.vias).toHaveLength(1);
    expect(ack.topVia).toEqual(invite.topVia);
    expect(ack.headers.getAll('Route')).toEqual(['<sip:edge1.example.net;lr>', '<sip:edge2.example.net;lr>']);
    expect(ack.body.length).toBe(0);
    expect(ack.toBuffer().toString()).toContain('Content-Length: 0\r\n');
  });

  it('re-sends the same ACK for each retransmitted final, tells the TU once, and ends after Timer D (32 s)', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE');
    const { id } = layer.sendRequest(invite, UAS, 0);
    const first = layer.receive(makeResponse(invite, 503, 't'), UAS, 1000);
    const ack = sends(first)[0]?.message;
    const again = layer.receive(makeResponse(invite, 503, 't'), UAS, 1500);
    expect(again).toEqual([{ type: 'send', message: ack, dest: UAS }]);
    expect(layer.nextTimer()).toBe(33_000);
    expect(runTimers(layer, 100_000)).toEqual([{ at: 33_000, out: { type: 'terminated', txId: id } }]);
    // After Timer D the retransmission is someone else's: it no longer matches.
    expect(types(layer.receive(makeResponse(invite, 503, 't'), UAS, 40_000))).toEqual(['stray-response']);
  });

  it('over TCP, Timer D is zero: Completed ends with the ACK', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE', { transport: 'TCP' });
    const { id } = layer.sendRequest(invite, over(UAS, 'tcp'), 0);
    const out = layer.receive(makeResponse(invite, 404, 't'), over(UAS, 'tcp'), 10);
    expect(types(out)).toEqual(['response', 'send', 'terminated']);
    expect(layer.stateOf(id)).toBeUndefined();
    expect(layer.size).toBe(0);
  });

  it('passes a 2xx and its retransmissions up in Accepted, never ACKs them, and ends at Timer M (RFC 6026)', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE');
    const { id } = layer.sendRequest(invite, UAS, 0);
    const ok = makeResponse(invite, 200, 'b');
    expect(layer.receive(ok, UAS, 2000)).toEqual([{ type: 'response', txId: id, response: ok }]);
    expect(layer.stateOf(id)).toBe('Accepted');
    const okAgain = makeResponse(invite, 200, 'b');
    expect(layer.receive(okAgain, UAS, 2500)).toEqual([{ type: 'response', txId: id, response: okAgain }]);
    // A 2xx from another branch of a forking proxy is also the TU's (it must ACK and BYE it).
    const okFork = makeResponse(invite, 200, 'c');
    expect(layer.receive(okFork, UAS, 2600)).toEqual([{ type: 'response', txId: id, response: okFork }]);
    // A late provisional or error in Accepted means nothing.
    expect(layer.receive(makeResponse(invite, 180, 'b'), UAS, 2700)).toEqual([]);
    expect(runTimers(layer, 100_000)).toEqual([{ at: 2000 + 32_000, out: { type: 'terminated', txId: id } }]);
  });

  it('reports a transport error to the TU and terminates (§17.1.4)', () => {
    const layer = new TransactionLayer();
    const { id } = layer.sendRequest(makeRequest('INVITE'), UAS, 0);
    runTimers(layer, 600);
    expect(layer.transportError(id, 700)).toEqual([
      { type: 'transport-error', txId: id },
      { type: 'terminated', txId: id },
    ]);
    expect(layer.size).toBe(0);
    expect(layer.nextTimer()).toBeNull();
    // A second report for the same, now gone, transaction is ignored.
    expect(layer.transportError(id, 800)).toEqual([]);
  });

  it('gives the TU exactly one outcome when a transport error follows the final response', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE');
    const { id } = layer.sendRequest(invite, UAS, 0);
    layer.receive(makeResponse(invite, 480, 't'), UAS, 100);
    expect(layer.transportError(id, 200)).toEqual([{ type: 'terminated', txId: id }]);
  });

  it('survives packet loss: the first sends are lost, a late answer still matches', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE');
    const { id } = layer.sendRequest(invite, UAS, 0);
    // The network drops the first three copies; the fourth (at 3.5 s) arrives and is answered.
    const timed = runTimers(layer, 3500);
    expect(sendTimes(timed)).toEqual([500, 1500, 3500]);
    // The 100 Trying is lost too; the 180 comes 2 s later.
    const ringing = makeResponse(invite, 180, 'x');
    expect(layer.receive(ringing, UAS, 5600)).toEqual([{ type: 'response', txId: id, response: ringing }]);
    expect(sendTimes(runTimers(layer, 100_000))).toEqual([]);
    expect(layer.stateOf(id)).toBe('Proceeding');
  });
});
