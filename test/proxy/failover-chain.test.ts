/** The per-call failover chain in virtual time: events and `now` in, actions out. */
import { describe, expect, it } from 'vitest';
import { chooseBestResponse, decideNext } from '../../src/proxy/decide-next';
import { FailoverChain, type ChainAction, type ChainRegion } from '../../src/proxy/failover-chain';

const POLICY = { failoverCodes: [408, 500, 503, 504], failover6xx: [600] };

function regions(...specs: Array<Partial<ChainRegion> & { name: string }>): ChainRegion[] {
  return specs.map((s) => ({ endpoints: 1, provisionalTimeoutMs: 500, hasCredentials: false, ...s }));
}

function types(actions: readonly ChainAction[]): string[] {
  return actions.map((a) =>
    a.type === 'send'
      ? `send ${a.attempt.region}#${a.attempt.endpoint}${a.attempt.auth ? '+auth' : ''}`
      : a.type === 'outcome'
        ? `outcome ${a.region} ${a.outcome}`
        : a.type === 'give-up'
          ? `give-up ${a.best?.status ?? 'none'}`
          : a.type === 'reply'
            ? `reply ${a.status}`
            : `${a.type} ${a.attempt.region}`,
  );
}

function sent(actions: readonly ChainAction[]): number {
  const s = actions.find((a) => a.type === 'send');
  if (!s || s.type !== 'send') throw new Error('no send action');
  return s.attempt.id;
}

describe('FailoverChain', () => {
  it('answers from the first region: forward, outcome ok, chain Answered', () => {
    const c = new FailoverChain('c1', regions({ name: 'a' }, { name: 'b' }), POLICY);
    const id = sent(c.start(0));
    expect(c.state).toBe('Trying');
    expect(c.nextTimer()).toBe(500);
    expect(c.provisional(id, 100)).toEqual([]);
    expect(c.state).toBe('Proceeding');
    expect(c.nextTimer()).toBeNull();
    expect(types(c.final(id, 200, 'OK', 300))).toEqual(['outcome a ok', 'forward a']);
    expect(c.state).toBe('Answered');
    expect(c.done).toBe(true);
  });

  it('a 4xx is about the request or the callee, never a region failure, even when configured to fail over', () => {
    const c = new FailoverChain('h4', regions({ name: 'a' }, { name: 'b' }), {
      failoverCodes: [400, 503],
      failover6xx: [],
    });
    const a = sent(c.start(0));
    // Configured as a failover code, the 400 sends the call on, but the region is not blamed for it.
    expect(types(c.final(a, 400, 'Bad Request', 10))).toEqual(['outcome a ok', 'send b#0']);
  });

  it('Timer C: a region that rings and then says nothing more is abandoned after timer_c_ms, reset by each provisional', () => {
    const c = new FailoverChain(
      'tc1',
      regions({ name: 'a', timerCMs: 200_000 }, { name: 'b', timerCMs: 200_000 }),
      POLICY,
    );
    const a = sent(c.start(0));
    c.provisional(a, 100);
    expect(c.nextTimer()).toBe(200_100);
    // A second provisional (183 after 180) resets Timer C (§16.8).
    c.provisional(a, 50_000);
    expect(c.nextTimer()).toBe(250_000);
    expect(c.onTimer(249_999)).toEqual([]);
    const acts = c.onTimer(250_000);
    expect(types(acts)).toEqual(['abandon a', 'outcome a timeout', 'send b#0']);
    expect(acts.find((x) => x.type === 'send')).toMatchObject({
      reason:
        'The region sent a provisional but no final answer within Timer C (RFC 3261 §16.8), so the call goes to the next target.',
    });
    expect(c.attempts[0]).toMatchObject({ outcome: 'timeout', status: null, endedAt: 250_000 });
    // The abandoned branch's 487 (after the CANCEL) changes nothing.
    expect(c.final(a, 487, 'Request Terminated', 250_010)).toEqual([]);
  });

  it('Timer C on the last region: give up with 408, as if the branch had answered 408', () => {
    const c = new FailoverChain('tc2', regions({ name: 'a', timerCMs: 200_000 }), POLICY);
    const a = sent(c.start(0));
    c.provisional(a, 10);
    const acts = c.onTimer(200_010);
    expect(types(acts)).toEqual(['abandon a', 'outcome a timeout', 'give-up none']);
    expect(acts.at(-1)).toMatchObject({ type: 'give-up', status: 408 });
    expect(c.state).toBe('Exhausted');
  });

  it('no Timer C configured (a non-INVITE): a provisional stops every timer, as before', () => {
    const c = new FailoverChain('tc3', regions({ name: 'a' }), POLICY);
    const a = sent(c.start(0));
    c.provisional(a, 10);
    expect(c.nextTimer()).toBeNull();
    expect(c.onTimer(10_000_000)).toEqual([]);
  });

  it('a 503 moves the call to the next region in the same chain', () => {
    const c = new FailoverChain('c2', regions({ name: 'a' }, { name: 'b' }), POLICY);
    const a = sent(c.start(0));
    const next = c.final(a, 503, 'Service Unavailable', 20);
    expect(types(next)).toEqual(['outcome a 5xx', 'send b#0']);
    const b = sent(next);
    expect(types(c.final(b, 200, 'OK', 60))).toEqual(['outcome b ok', 'forward b']);
    expect(c.attempts.map((x) => [x.region, x.status, x.outcome])).toEqual([
      ['a', 503, 'failed'],
      ['b', 200, 'answered'],
    ]);
  });

  it('no 1xx within the provisional timeout: abandon, report timeout, next region; nothing before the deadline', () => {
    const c = new FailoverChain(
      'c3',
      regions({ name: 'a', provisionalTimeoutMs: 900 }, { name: 'b' }),
      POLICY,
    );
    c.start(1000);
    expect(c.onTimer(1899)).toEqual([]);
    const acts = c.onTimer(1900);
    expect(types(acts)).toEqual(['abandon a', 'outcome a timeout', 'send b#0']);
    expect(c.nextTimer()).toBe(2400);
  });

  it('a late 2xx on the abandoned branch is released; a late 4xx is ignored', () => {
    const c = new FailoverChain('c4', regions({ name: 'a' }, { name: 'b' }), POLICY);
    const a = sent(c.start(0));
    const b = sent(c.onTimer(500));
    expect(types(c.final(a, 200, 'OK', 700))).toEqual(['release a']);
    expect(c.final(a, 486, 'Busy', 700)).toEqual([]);
    expect(c.state).toBe('Trying');
    expect(types(c.final(b, 200, 'OK', 800))).toEqual(['outcome b ok', 'forward b']);
  });

  it('a non-INVITE chain (no provisional timeout) arms no timer; its transaction deadline fails it over', () => {
    const c = new FailoverChain(
      'c3b',
      regions({ name: 'a', provisionalTimeoutMs: null }, { name: 'b', provisionalTimeoutMs: null }),
      POLICY,
    );
    const a = sent(c.start(0));
    expect(c.nextTimer()).toBeNull();
    expect(c.onTimer(1_000_000)).toEqual([]);
    expect(types(c.failed(a, 'timeout', 2000))).toEqual(['outcome a timeout', 'send b#0']);
    expect(c.nextTimer()).toBeNull();
  });

  it('tries every endpoint of a region before the next region', () => {
    const c = new FailoverChain('c5', regions({ name: 'a', endpoints: 2 }, { name: 'b' }), POLICY);
    const a0 = sent(c.start(0));
    const a1acts = c.failed(a0, 'transport-error', 1);
    expect(types(a1acts)).toEqual(['outcome a transport-error', 'send a#1']);
    expect(types(c.onTimer(501))).toEqual(['abandon a', 'outcome a timeout', 'send b#0']);
  });

  it("carries the transport's words and the lost connection on a transport error's outcome", () => {
    const c = new FailoverChain('c5b', regions({ name: 'a' }, { name: 'b' }, { name: 'c' }), POLICY);
    const a = sent(c.start(0));
    const detail = 'TLS handshake failed: certificate has expired (CERT_HAS_EXPIRED)';
    expect(c.failed(a, 'transport-error', 1, undefined, detail)[0]).toEqual({
      type: 'outcome',
      region: 'a',
      outcome: 'transport-error',
      end: { kind: 'transport-error', detail },
      sentAt: 0,
    });
    const b = c.current!.id;
    expect(c.failed(b, 'transport-error', 2, 7, 'connection closed: reset')[0]).toMatchObject({
      end: { kind: 'transport-error', connection: 7, detail: 'connection closed: reset' },
    });
  });

  it('answers about the callee are final: 486 is forwarded, the next region is not tried', () => {
    const c = new FailoverChain('c6', regions({ name: 'a' }, { name: 'b' }), POLICY);
    const a = sent(c.start(0));
    expect(types(c.final(a, 486, 'Busy Here', 10))).toEqual(['outcome a ok', 'forward a']);
    expect(c.state).toBe('Rejected');
  });

  it('every region failing: give up with the best answer (§16.7), 503 beats a timeout', () => {
    const c = new FailoverChain('c7', regions({ name: 'a' }, { name: 'b' }), POLICY);
    const a = sent(c.start(0));
    const b = sent(c.final(a, 503, 'Service Unavailable', 10));
    const acts = c.failed(b, 'timeout', 600);
    expect(types(acts)).toEqual(['outcome b timeout', 'give-up 503']);
    expect(c.state).toBe('Exhausted');
  });

  it('every region silent: give up with no answer to forward', () => {
    const c = new FailoverChain('c8', regions({ name: 'a' }), POLICY);
    c.start(0);
    expect(types(c.onTimer(500))).toEqual(['abandon a', 'outcome a timeout', 'give-up none']);
  });

  it('no region at all: give up at once', () => {
    const c = new FailoverChain('c9', [], POLICY);
    expect(types(c.start(0))).toEqual(['give-up none']);
    expect(c.state).toBe('Exhausted');
  });

  it('a 401 from a region with credentials is answered once on the same target; a second one fails over', () => {
    const c = new FailoverChain('c10', regions({ name: 'a', hasCredentials: true }, { name: 'b' }), POLICY);
    const a = sent(c.start(0));
    const again = c.final(a, 401, 'Unauthorized', 5);
    expect(types(again)).toEqual(['send a#0+auth']);
    const a2 = sent(again);
    expect(types(c.final(a2, 401, 'Unauthorized', 10))).toEqual(['send b#0']);
  });

  it('CANCEL stops the chain: abandon the branch, 487 to the PBX; later events change nothing', () => {
    const c = new FailoverChain('c11', regions({ name: 'a' }, { name: 'b' }), POLICY);
    const a = sent(c.start(0));
    c.provisional(a, 50);
    expect(types(c.cancel(100))).toEqual(['abandon a', 'reply 487']);
    expect(c.state).toBe('Cancelled');
    expect(c.onTimer(10_000)).toEqual([]);
    expect(c.final(a, 487, 'Request Terminated', 120)).toEqual([]);
    expect(c.cancel(130)).toEqual([]);
    expect(c.attempts[0]?.outcome).toBe('cancelled');
  });

  it('a CANCEL crossing a 200: the 2xx on the cancelled branch is released', () => {
    const c = new FailoverChain('c12', regions({ name: 'a' }), POLICY);
    const a = sent(c.start(0));
    c.provisional(a, 10);
    c.cancel(20);
    expect(types(c.final(a, 200, 'OK', 25))).toEqual(['release a']);
  });

  it('a configured 6xx fails over; other 6xx are final', () => {
    const c = new FailoverChain('c13', regions({ name: 'a' }, { name: 'b' }, { name: 'c' }), POLICY);
    const a = sent(c.start(0));
    const b = sent(c.final(a, 600, 'Busy Everywhere', 1));
    expect(types(c.final(b, 603, 'Decline', 2))).toEqual(['outcome b ok', 'forward b']);
  });

  it('throws on an illegal transition', () => {
    const c = new FailoverChain('c14', regions({ name: 'a' }), POLICY);
    const a = sent(c.start(0));
    c.final(a, 200, 'OK', 1);
    expect(() => (c as unknown as { transition(s: string): void }).transition('Trying')).toThrow(
      /cannot move from Answered to Trying/,
    );
  });
});

describe('decideNext', () => {
  const base = { canAuthenticate: false, moreTargets: true };
  it.each([
    [{ kind: 'response', status: 200 }, 'forward'],
    [{ kind: 'response', status: 302 }, 'forward'],
    [{ kind: 'response', status: 404 }, 'forward'],
    [{ kind: 'response', status: 486 }, 'forward'],
    [{ kind: 'response', status: 603 }, 'forward'],
    [{ kind: 'response', status: 408 }, 'retry'],
    [{ kind: 'response', status: 500 }, 'retry'],
    [{ kind: 'response', status: 503 }, 'retry'],
    [{ kind: 'response', status: 504 }, 'retry'],
    [{ kind: 'response', status: 600 }, 'retry'],
    [{ kind: 'response', status: 502 }, 'forward'],
    [{ kind: 'response', status: 401 }, 'retry'],
    [{ kind: 'timeout' }, 'retry'],
    [{ kind: 'transport-error' }, 'retry'],
  ] as const)('%j → %s', (end, action) => {
    const d = decideNext({ ...base, end }, POLICY);
    expect(d.action).toBe(action);
    expect(d.reason).toMatch(/\.$/);
  });

  it('gives up instead of retrying when no target is left', () => {
    expect(
      decideNext({ end: { kind: 'timeout' }, canAuthenticate: false, moreTargets: false }, POLICY).action,
    ).toBe('give-up');
  });

  it('authenticates a 407 when it can', () => {
    const d = decideNext(
      { end: { kind: 'response', status: 407 }, canAuthenticate: true, moreTargets: false },
      POLICY,
    );
    expect(d.action).toBe('authenticate');
  });
});

describe('chooseBestResponse (§16.7 item 6)', () => {
  it.each([
    [[503, 486], 1],
    [[503, 600, 404], 1],
    [[404, 484], 1],
    [[500, 503], 0],
    [[401, 407], -1],
    [[401, 503], 1],
    [[], -1],
  ])('%j → index %i', (statuses, index) => {
    expect(chooseBestResponse(statuses)).toBe(index);
  });
});
