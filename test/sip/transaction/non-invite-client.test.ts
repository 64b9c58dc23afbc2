import { describe, expect, it } from 'vitest';
import { TransactionLayer } from '../../../src/sip/transaction';
import { UAS, makeRequest, makeResponse, over, runTimers, sendTimes, types } from './fixtures';

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('retransmits at 0.5, 1.5, 3.5, 7.5, 11.5 ... 31.5 s (Timer E capped at T2) and times out at 32 s', () => {
    const layer = new TransactionLayer();
    const { id } = layer.sendRequest(makeRequest('OPTIONS'), UAS, 0);
    const timed = runTimers(layer, 100_000);
    expect(sendTimes(timed)).toEqual([500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(timed.filter((t) => t.out.type !== 'send')).toEqual([
      { at: 32_000, out: { type: 'timeout', txId: id } },
      { at: 32_000, out: { type: 'terminated', txId: id } },
    ]);
    expect(layer.size).toBe(0);
  });

  it('after a provisional, retransmits every T2', () => {
    const layer = new TransactionLayer();
    const req = makeRequest('REGISTER');
    const { id } = layer.sendRequest(req, UAS, 0);
    const trying = makeResponse(req, 100);
    expect(layer.receive(trying, UAS, 200)).toEqual([{ type: 'response', txId: id, response: trying }]);
    expect(layer.stateOf(id)).toBe('Proceeding');
    const timed = runTimers(layer, 100_000);
    // The E armed in Trying still fires at 0.5 s; from then on it is reset to T2 (4 s).
    expect(sendTimes(timed)).toEqual([500, 4500, 8500, 12_500, 16_500, 20_500, 24_500, 28_500]);
    expect(timed.find((t) => t.out.type === 'timeout')?.at).toBe(32_000);
  });

  it('uses the configured T1, T2 and T4', () => {
    const layer = new TransactionLayer({ timers: { T1: 200, T2: 1000, T4: 3000 } });
    const req = makeRequest('OPTIONS');
    const { id } = layer.sendRequest(req, UAS, 0);
    expect(sendTimes(runTimers(layer, 5000))).toEqual([200, 600, 1400, 2400, 3400, 4400]);
    layer.receive(makeResponse(req, 200, 't'), UAS, 5000);
    expect(layer.stateOf(id)).toBe('Completed');
    // Timer K = T4.
    expect(runTimers(layer, 100_000)).toEqual([{ at: 8000, out: { type: 'terminated', txId: id } }]);
  });

  it('never retransmits over TCP and ends at once on a final (Timer K = 0)', () => {
    const layer = new TransactionLayer();
    const req = makeRequest('OPTIONS', { transport: 'TCP' });
    const { id } = layer.sendRequest(req, over(UAS, 'tcp'), 0);
    // Only Timer F is armed: no Timer E on a reliable transport.
    expect(layer.nextTimer()).toBe(32_000);
    expect(layer.onTimer(31_999)).toEqual([]);
    const out = layer.receive(makeResponse(req, 200, 't'), over(UAS, 'tcp'), 30_000);
    expect(types(out)).toEqual(['response', 'terminated']);
    expect(layer.stateOf(id)).toBeUndefined();
    expect(layer.size).toBe(0);
    expect(layer.nextTimer()).toBeNull();
  });

  it('passes the final response up once and absorbs its retransmissions until Timer K (T4)', () => {
    const layer = new TransactionLayer();
    const req = makeRequest('BYE');
    const { id } = layer.sendRequest(req, UAS, 0);
    const ok = makeResponse(req, 200, 't');
    expect(layer.receive(ok, UAS, 700)).toEqual([{ type: 'response', txId: id, response: ok }]);
    expect(layer.receive(makeResponse(req, 200, 't'), UAS, 800)).toEqual([]);
    expect(layer.receive(makeResponse(req, 100), UAS, 900)).toEqual([]);
    const timed = runTimers(layer, 100_000);
    expect(timed).toEqual([{ at: 5700, out: { type: 'terminated', txId: id } }]);
  });

  it('keeps a CANCEL apart from the INVITE whose branch it shares (§9.1, §17.1.3)', () => {
    const layer = new TransactionLayer();
    const invite = makeRequest('INVITE', { branch: 'z9hG4bK-shared' });
    const cancel = makeRequest('CANCEL', { branch: 'z9hG4bK-shared' });
    const inv = layer.sendRequest(invite, UAS, 0);
    const can = layer.sendRequest(cancel, UAS, 100);
    expect(inv.id).not.toBe(can.id);
    const cancelOk = makeResponse(cancel, 200, 't');
    expect(layer.receive(cancelOk, UAS, 200)).toEqual([
      { type: 'response', txId: can.id, response: cancelOk },
    ]);
    expect(layer.stateOf(inv.id)).toBe('Calling');
    const terminated = makeResponse(invite, 487, 't');
    expect(layer.receive(terminated, UAS, 300)[0]).toEqual({
      type: 'response',
      txId: inv.id,
      response: terminated,
    });
  });

  it('surfaces a transport error and terminates', () => {
    const layer = new TransactionLayer();
    const { id } = layer.sendRequest(makeRequest('OPTIONS', { transport: 'TLS' }), over(UAS, 'tls'), 0);
    expect(layer.transportError(id, 5)).toEqual([
      { type: 'transport-error', txId: id },
      { type: 'terminated', txId: id },
    ]);
    expect(layer.nextTimer()).toBeNull();
  });

  it('matches a response that arrives late, after retransmissions, to the one transaction', () => {
    const layer = new TransactionLayer();
    const req = makeRequest('OPTIONS');
    const { id } = layer.sendRequest(req, UAS, 0);
    runTimers(layer, 20_000);
    const ok = makeResponse(req, 200, 't');
    expect(layer.receive(ok, UAS, 20_001)).toEqual([{ type: 'response', txId: id, response: ok }]);
  });
});
