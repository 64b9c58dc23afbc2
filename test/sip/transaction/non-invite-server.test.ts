import { describe, expect, it } from 'vitest';
import { TransactionLayer } from '../../../src/sip/transaction';
import { UAC, makeRequest, makeResponse, over, retransmission, runTimers } from './fixtures';

function newRequest(layer: TransactionLayer, method = 'OPTIONS', now = 0, transport = 'UDP') {
  const req = makeRequest(method, { transport });
  const source = transport === 'UDP' ? UAC : over(UAC, transport.toLowerCase() as 'tcp' | 'tls');
  const out = layer.receive(req, source, now);
  expect(out).toHaveLength(1);
  const first = out[0];
  if (first?.type !== 'request') throw new Error('expected a request output');
  return { req, id: first.txId, source };
}

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('starts in Trying, sends no 100 of its own and discards retransmissions there', () => {
    const layer = new TransactionLayer();
    const { req, id } = newRequest(layer);
    expect(layer.stateOf(id)).toBe('Trying');
    expect(layer.nextTimer()).toBeNull();
    expect(layer.receive(retransmission(req), UAC, 500)).toEqual([]);
    expect(layer.size).toBe(1);
  });

  it('answers retransmissions in Proceeding with the latest provisional', () => {
    const layer = new TransactionLayer();
    const { req, id } = newRequest(layer, 'REGISTER');
    const trying = makeResponse(req, 100);
    expect(layer.respond(id, trying, 10)).toEqual([{ type: 'send', message: trying, dest: UAC, txId: id }]);
    expect(layer.stateOf(id)).toBe('Proceeding');
    expect(layer.receive(retransmission(req), UAC, 500)).toEqual([
      { type: 'send', message: trying, dest: UAC, txId: id },
    ]);
  });

  it('answers retransmissions in Completed with the final, discards later finals, and ends at Timer J', () => {
    const layer = new TransactionLayer();
    const { req, id } = newRequest(layer, 'BYE', 1000);
    const ok = makeResponse(req, 200, 'uas');
    expect(layer.respond(id, ok, 1100)).toEqual([{ type: 'send', message: ok, dest: UAC, txId: id }]);
    expect(layer.stateOf(id)).toBe('Completed');
    expect(layer.receive(retransmission(req), UAC, 1600)).toEqual([
      { type: 'send', message: ok, dest: UAC, txId: id },
    ]);
    expect(layer.respond(id, makeResponse(req, 500, 'uas'), 1700)).toEqual([]);
    expect(layer.receive(retransmission(req), UAC, 2600)).toEqual([
      { type: 'send', message: ok, dest: UAC, txId: id },
    ]);
    expect(runTimers(layer, 100_000)).toEqual([{ at: 1100 + 32_000, out: { type: 'terminated', txId: id } }]);
    // After Timer J a copy of the request is new: it creates a new transaction.
    expect(layer.receive(retransmission(req), UAC, 40_000)[0]?.type).toBe('request');
  });

  it('ends at once over TCP (Timer J = 0)', () => {
    const layer = new TransactionLayer();
    const { req, id, source } = newRequest(layer, 'OPTIONS', 0, 'TCP');
    const ok = makeResponse(req, 200, 'uas');
    expect(layer.respond(id, ok, 5)).toEqual([
      { type: 'send', message: ok, dest: source, txId: id },
      { type: 'terminated', txId: id },
    ]);
    expect(layer.size).toBe(0);
  });

  it('uses a configured T1 for Timer J', () => {
    const layer = new TransactionLayer({ timers: { T1: 50 } });
    const { req, id } = newRequest(layer);
    layer.respond(id, makeResponse(req, 200, 'uas'), 0);
    expect(layer.nextTimer()).toBe(64 * 50);
  });

  it('reports a transport error and terminates', () => {
    const layer = new TransactionLayer();
    const { req, id } = newRequest(layer);
    layer.respond(id, makeResponse(req, 180, 'uas'), 0);
    expect(layer.transportError(id, 1)).toEqual([
      { type: 'transport-error', txId: id },
      { type: 'terminated', txId: id },
    ]);
  });
});
