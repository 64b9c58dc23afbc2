/**
 * The one guard every state machine uses (src/errors/state.ts): a move the table draws returns the new
 * state, any other throws STATE_ILLEGAL_TRANSITION naming the machine, which one, from and to — the same
 * code from a SIP transaction, the proxy's failover chain and a trunk registration.
 */
import { describe, expect, it } from 'vitest';
import { GeoredError } from '../../src/errors/catalogue';
import { canTransition, guardTransition, type TransitionTable } from '../../src/errors/state';
import { FailoverChain } from '../../src/proxy/failover-chain';
import { RegistrationMachine } from '../../src/registration/trunk-state';
import { DEFAULT_TIMERS, NonInviteClientTransaction, type LayerOutput } from '../../src/sip/transaction';
import { UAS, makeRequest, makeResponse } from '../sip/transaction/fixtures';

type Light = 'red' | 'green' | 'amber';
const LIGHTS: TransitionTable<Light> = { red: ['green'], green: ['amber'], amber: ['red'] };

function thrown(f: () => unknown): GeoredError {
  try {
    f();
  } catch (e) {
    if (e instanceof GeoredError) return e;
    throw e;
  }
  throw new Error('nothing was thrown');
}

describe('guardTransition', () => {
  it('returns the target of every arrow the table draws and refuses every other pair', () => {
    const states = Object.keys(LIGHTS) as Light[];
    for (const from of states)
      for (const to of states) {
        const drawn = LIGHTS[from].includes(to);
        expect(canTransition(LIGHTS, from, to)).toBe(drawn);
        if (drawn) expect(guardTransition(LIGHTS, from, to, { machine: 'light', id: 'x' })).toBe(to);
        else {
          const e = thrown(() =>
            guardTransition(LIGHTS, from, to, { machine: 'light', id: 'x', rule: '; law' }),
          );
          expect(e.code).toBe('STATE_ILLEGAL_TRANSITION');
          expect(e.params).toEqual({ machine: 'light', id: 'x', from, to, rule: '; law' });
          expect(e.message).toBe(
            `light x cannot move from ${from} to ${to} (illegal transition ${from} -> ${to}; law)`,
          );
          expect([e.http, e.sip]).toEqual([undefined, undefined]);
        }
      }
  });

  it('is the error of a SIP transaction, the failover chain and a trunk registration', () => {
    const req = makeRequest('OPTIONS');
    const tx = new NonInviteClientTransaction('t1', req, UAS, DEFAULT_TIMERS);
    const out: LayerOutput[] = [];
    tx.start(0, out);
    tx.onResponse(makeResponse(req, 200, 't'), 1, out);
    const txErr = thrown(() => tx.transition('Trying'));
    expect(txErr.code).toBe('STATE_ILLEGAL_TRANSITION');
    expect(txErr.params).toMatchObject({ machine: 'non-invite-client transaction', id: 't1', to: 'Trying' });
    expect(txErr.message).toContain('RFC 3261 §17 draws no such arrow');

    const chain = new FailoverChain(
      'call-1',
      [{ name: 'a', endpoints: 1, provisionalTimeoutMs: 500, hasCredentials: false }],
      { failoverCodes: [503], failover6xx: [] },
    );
    const sent = chain.start(0).find((a) => a.type === 'send');
    if (sent?.type !== 'send') throw new Error('the chain sent nothing');
    chain.final(sent.attempt.id, 200, 'OK', 1);
    const chainErr = thrown(() => (chain as unknown as { transition(s: string): void }).transition('Trying'));
    expect(chainErr.code).toBe('STATE_ILLEGAL_TRANSITION');
    expect(chainErr.params).toMatchObject({ id: 'call-1', from: 'Answered', to: 'Trying' });

    const reg = new RegistrationMachine('us-east-1', 0);
    const regErr = thrown(() => reg.transition('registered', 0, { reason: 'x' }));
    expect(regErr.code).toBe('STATE_ILLEGAL_TRANSITION');
    expect(regErr.params).toMatchObject({ id: 'us-east-1', from: 'unregistered', to: 'registered' });
    expect(reg.state).toBe('unregistered');
  });
});
