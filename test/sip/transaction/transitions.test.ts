import { describe, expect, it } from 'vitest';
import { GeoredError } from '../../../src/errors/catalogue';
import {
  DEFAULT_TIMERS,
  InviteClientTransaction,
  InviteServerTransaction,
  NonInviteClientTransaction,
  NonInviteServerTransaction,
  type LayerOutput,
} from '../../../src/sip/transaction';
import { UAC, UAS, makeRequest, makeResponse } from './fixtures';

function thrown(f: () => void): GeoredError {
  try {
    f();
  } catch (e) {
    if (e instanceof GeoredError) return e;
    throw e;
  }
  throw new Error('nothing was thrown');
}

describe('guarded transitions', () => {
  it('INVITE client: a move the RFC does not draw throws STATE_ILLEGAL_TRANSITION naming from and to', () => {
    const invite = makeRequest('INVITE');
    const tx = new InviteClientTransaction('c1', invite, UAS, DEFAULT_TIMERS);
    const out: LayerOutput[] = [];
    tx.start(0, out);
    tx.onResponse(makeResponse(invite, 486, 't'), 10, out);
    expect(tx.state).toBe('Completed');
    const e = thrown(() => tx.transition('Proceeding'));
    expect(e.code).toBe('STATE_ILLEGAL_TRANSITION');
    expect(e.params).toMatchObject({ kind: 'invite-client', id: 'c1', from: 'Completed', to: 'Proceeding' });
    expect(e.message).toContain('Completed');
    expect(e.message).toContain('Proceeding');
    // The state is left as it was.
    expect(tx.state).toBe('Completed');
    expect(() => tx.transition('Accepted')).toThrow(GeoredError);
    tx.transition('Terminated');
    expect(() => tx.transition('Calling')).toThrow(/Terminated to Calling/);
    expect(tx.nextTimer()).toBeNull();
  });

  it('INVITE client: Accepted only leads to Terminated (RFC 6026)', () => {
    const invite = makeRequest('INVITE');
    const tx = new InviteClientTransaction('c2', invite, UAS, DEFAULT_TIMERS);
    tx.start(0, []);
    tx.onResponse(makeResponse(invite, 200, 't'), 10, []);
    expect(tx.state).toBe('Accepted');
    expect(thrown(() => tx.transition('Completed')).params).toMatchObject({
      from: 'Accepted',
      to: 'Completed',
    });
  });

  it('non-INVITE client: no way back from Completed to Trying or Proceeding', () => {
    const req = makeRequest('OPTIONS');
    const tx = new NonInviteClientTransaction('c3', req, UAS, DEFAULT_TIMERS);
    tx.start(0, []);
    expect(() => tx.transition('Trying')).toThrow(GeoredError);
    tx.onResponse(makeResponse(req, 200, 't'), 10, []);
    expect(thrown(() => tx.transition('Proceeding')).code).toBe('STATE_ILLEGAL_TRANSITION');
  });

  it('INVITE server: Confirmed is reached only from Completed', () => {
    const invite = makeRequest('INVITE');
    const tx = new InviteServerTransaction('s1', invite, UAC, DEFAULT_TIMERS, 200);
    tx.start(0, []);
    expect(thrown(() => tx.transition('Confirmed')).params).toMatchObject({
      kind: 'invite-server',
      from: 'Proceeding',
      to: 'Confirmed',
    });
    tx.respond(makeResponse(invite, 200, 't'), 10, []);
    expect(tx.state).toBe('Accepted');
    expect(() => tx.transition('Confirmed')).toThrow(GeoredError);
    expect(() => tx.transition('Completed')).toThrow(GeoredError);
  });

  it('non-INVITE server: Completed never goes back to Proceeding', () => {
    const req = makeRequest('BYE');
    const tx = new NonInviteServerTransaction('s2', req, UAC, DEFAULT_TIMERS);
    tx.respond(makeResponse(req, 200, 't'), 0, []);
    expect(tx.state).toBe('Completed');
    expect(thrown(() => tx.transition('Proceeding')).params).toMatchObject({
      kind: 'non-invite-server',
      from: 'Completed',
      to: 'Proceeding',
    });
  });
});
