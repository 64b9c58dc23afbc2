import { describe, expect, it } from 'vitest';
import { GeoredError } from '../../../src/errors/catalogue';
import { TransactionLayer, type LayerOutput } from '../../../src/sip/transaction';
import { UAC, UAS, makeRequest, makeResponse, retransmission, runTimers, types } from './fixtures';

function requestId(out: LayerOutput[]): string {
  const r = out.find((o) => o.type === 'request');
  if (r?.type !== 'request') throw new Error('no request output');
  return r.txId;
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof GeoredError ? e.code : `not a GeoredError: ${String(e)}`;
  }
  return undefined;
}

describe('TransactionLayer matching (RFC 3261 §17.1.3, §17.2.3, §9.2)', () => {
  it('hands a response matching no client transaction on as stray', () => {
    const layer = new TransactionLayer();
    const req = makeRequest('INVITE');
    const res = makeResponse(req, 200, 'x');
    expect(layer.receive(res, UAS, 0)).toEqual([{ type: 'stray-response', response: res, source: UAS }]);
  });

  it("does not match a response whose CSeq method differs from the transaction's", () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE', { branch: 'z9hG4bK-m' });
    layer.sendRequest(invite, UAS, 0);
    const bye = makeRequest('BYE', { branch: 'z9hG4bK-m' });
    expect(types(layer.receive(makeResponse(bye, 200, 'x'), UAS, 1))).toEqual(['stray-response']);
  });

  it('tells two requests with the same branch but a different sent-by apart', () => {
    const layer = new TransactionLayer();
    const a = makeRequest('OPTIONS', { branch: 'z9hG4bK-same', sentBy: '192.0.2.10:5060' });
    const b = makeRequest('OPTIONS', { branch: 'z9hG4bK-same', sentBy: '192.0.2.11:5060' });
    const idA = requestId(layer.receive(a, UAC, 0));
    const idB = requestId(layer.receive(b, UAC, 0));
    expect(idA).not.toBe(idB);
    expect(layer.size).toBe(2);
  });

  it('treats a sent-by without a port as the default port, and hosts without regard to case', () => {
    const layer = new TransactionLayer();
    const a = makeRequest('OPTIONS', { branch: 'z9hG4bK-p', sentBy: 'PBX.example.com' });
    const b = makeRequest('OPTIONS', { branch: 'z9hG4bK-p', sentBy: 'pbx.example.com:5060' });
    requestId(layer.receive(a, UAC, 0));
    expect(layer.receive(b, UAC, 10)).toEqual([]);
    expect(layer.size).toBe(1);
  });

  it('creates a CANCEL its own server transaction and finds the INVITE it refers to (§9.2)', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE', { branch: 'z9hG4bK-c', callId: 'c1', fromTag: 'f1' });
    const inviteId = requestId(layer.receive(invite, UAC, 0));
    const cancel = makeRequest('CANCEL', { branch: 'z9hG4bK-c', callId: 'c1', fromTag: 'f1' });
    const cancelId = requestId(layer.receive(cancel, UAC, 10));
    expect(cancelId).not.toBe(inviteId);
    expect(layer.kindOf(cancelId)).toBe('non-invite-server');
    expect(layer.findInviteServerTx(cancel)).toBe(inviteId);
    expect(layer.findInviteServerTx(makeRequest('CANCEL', { branch: 'z9hG4bK-other' }))).toBeUndefined();
  });

  it('matches RFC 2543 requests without a magic cookie by Request-URI, tags, Call-ID, CSeq and top Via', () => {
    const layer = new TransactionLayer();
    const spec = { branch: null, callId: 'old-1@pbx', fromTag: 'f', cseq: 7, sentBy: '192.0.2.10' } as const;
    const invite = makeRequest('INVITE', spec);
    const id = requestId(layer.receive(invite, UAC, 0));
    // The same request again: absorbed.
    expect(types(layer.receive(retransmission(invite), UAC, 100))).toEqual(['send']); // the owed 100
    // Differences in any one of the fields make a new transaction.
    expect(types(layer.receive(makeRequest('INVITE', { ...spec, cseq: 8 }), UAC, 200))).toContain('request');
    expect(types(layer.receive(makeRequest('INVITE', { ...spec, callId: 'old-2@pbx' }), UAC, 200))).toContain(
      'request',
    );
    expect(
      types(layer.receive(makeRequest('INVITE', { ...spec, uri: 'sip:carol@example.net' }), UAC, 200)),
    ).toContain('request');
    expect(
      types(layer.receive(makeRequest('INVITE', { ...spec, sentBy: '192.0.2.99' }), UAC, 200)),
    ).toContain('request');
    expect(types(layer.receive(makeRequest('INVITE', { ...spec, toTag: 'other' }), UAC, 200))).toContain(
      'request',
    );
    expect(layer.size).toBe(6);

    // CANCEL finds it the same way.
    expect(layer.findInviteServerTx(makeRequest('CANCEL', spec))).toBe(id);

    // The ACK matches by the To tag of the response the transaction sent.
    layer.respond(id, makeResponse(invite, 486, 'uas-tag'), 300);
    expect(layer.receive(makeRequest('ACK', { ...spec, toTag: 'wrong' }), UAC, 400)).toEqual([
      expect.objectContaining({ type: 'ack' }),
    ]);
    expect(layer.stateOf(id)).toBe('Completed');
    expect(layer.receive(makeRequest('ACK', { ...spec, toTag: 'uas-tag' }), UAC, 500)).toEqual([]);
    expect(layer.stateOf(id)).toBe('Confirmed');
  });

  it('passes an RFC 2543 ACK for a 2xx to the TU through the Accepted transaction', () => {
    const layer = new TransactionLayer();
    const spec = { branch: null, callId: 'old-3@pbx', fromTag: 'f', cseq: 1 } as const;
    const invite = makeRequest('INVITE', spec);
    const id = requestId(layer.receive(invite, UAC, 0));
    layer.respond(id, makeResponse(invite, 200, 'uas'), 10);
    const ack = makeRequest('ACK', { ...spec, toTag: 'uas' });
    expect(layer.receive(ack, UAC, 20)).toEqual([{ type: 'ack', request: ack, source: UAC }]);
    expect(layer.stateOf(id)).toBe('Accepted');
  });

  it('sends responses to the §18.2.2 destination: received and rport of the top Via', () => {
    const layer = new TransactionLayer({ trying100DelayMs: 0 });
    const natted = makeRequest('INVITE', { sentBy: '10.1.1.1:5060' });
    // The stack stamps received/rport onto requests it receives (RFC 3581).
    natted.headers.removeFirst('Via');
    natted.headers.prepend(
      'Via',
      'SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bK-nat;rport=41000;received=203.0.113.50',
    );
    const source = { protocol: 'udp', address: '203.0.113.50', port: 41_000 } as const;
    const out = layer.receive(natted, source, 0);
    expect(out[1]).toEqual(expect.objectContaining({ type: 'send', dest: source }));
  });

  it('rejects timer values that would break the schedule', () => {
    expect(codeOf(() => new TransactionLayer({ timers: { T1: 0 } }))).toBe('TXN_BAD_TIMER');
    expect(codeOf(() => new TransactionLayer({ timers: { T2: Number.NaN } }))).toBe('TXN_BAD_TIMER');
    expect(codeOf(() => new TransactionLayer({ timers: { T4: -1 } }))).toBe('TXN_BAD_TIMER');
    expect(new TransactionLayer({ timers: { T4: 0 } }).size).toBe(0);
  });

  it('rejects misuse with typed errors', () => {
    const layer = new TransactionLayer();
    expect(codeOf(() => layer.sendRequest(makeRequest('ACK'), UAS, 0))).toBe('TXN_ACK_HAS_NO_TRANSACTION');
    expect(codeOf(() => layer.sendRequest(makeRequest('INVITE', { branch: null }), UAS, 0))).toBe(
      'TXN_MISSING_BRANCH',
    );
    layer.sendRequest(makeRequest('OPTIONS', { branch: 'z9hG4bK-dup' }), UAS, 0);
    expect(codeOf(() => layer.sendRequest(makeRequest('OPTIONS', { branch: 'z9hG4bK-dup' }), UAS, 0))).toBe(
      'TXN_DUPLICATE_BRANCH',
    );
    const req = makeRequest('OPTIONS');
    expect(codeOf(() => layer.respond('s999', makeResponse(req, 200), 0))).toBe('TXN_UNKNOWN_TRANSACTION');
    const { id: clientId } = layer.sendRequest(req, UAS, 0);
    expect(codeOf(() => layer.respond(clientId, makeResponse(req, 200), 0))).toBe(
      'TXN_NOT_A_SERVER_TRANSACTION',
    );
    const incoming = makeRequest('OPTIONS');
    const serverId = requestId(layer.receive(incoming, UAC, 0));
    const bad = makeResponse(incoming, 200, 't');
    bad.status = 99;
    expect(codeOf(() => layer.respond(serverId, bad, 0))).toBe('TXN_BAD_RESPONSE_STATUS');
    expect(
      codeOf(() => layer.respond(serverId, makeResponse(makeRequest('OPTIONS', { cseq: 2 }), 200), 0)),
    ).toBe('TXN_RESPONSE_MISMATCH');
    expect(layer.stateOf(serverId)).toBe('Trying');
  });

  it('runs thousands of transactions off one heap and empties once every timer has run', () => {
    const layer = new TransactionLayer();
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const req = makeRequest(i % 2 ? 'INVITE' : 'OPTIONS');
      ids.push(layer.sendRequest(req, UAS, i).id);
      if (i % 3 === 0) layer.receive(makeResponse(req, i % 2 ? 486 : 200, 't'), UAS, i + 1);
      const incoming = makeRequest('OPTIONS');
      const sid = requestId(layer.receive(incoming, UAC, i));
      layer.respond(sid, makeResponse(incoming, i % 4 ? 404 : 200, 'u'), i + 2);
    }
    // A server transaction has no timer of its own until its TU answers: this one stays until it does.
    const waiting = makeRequest('MESSAGE');
    const waitingId = requestId(layer.receive(waiting, UAC, 0));
    expect(layer.size).toBe(10_001);
    const timed = runTimers(layer, 10_000_000);
    const timeouts = timed.filter((t) => t.out.type === 'timeout').length;
    // Every client transaction without a final response times out exactly once.
    expect(timeouts).toBe(5000 - Math.ceil(5000 / 3));
    expect(layer.size).toBe(1);
    expect(layer.stateOf(waitingId)).toBe('Trying');
    expect(layer.nextTimer()).toBeNull();
    layer.respond(waitingId, makeResponse(waiting, 200, 'u'), 10_000_001);
    runTimers(layer, 20_000_000);
    expect(layer.size).toBe(0);
    expect(layer.nextTimer()).toBeNull();
  });
});
