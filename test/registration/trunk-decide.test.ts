/** The pure registration decisions, in virtual time: refresh points, backoff, "rejected" and the state guard. */
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  canTransition,
  DEFAULT_TIMING,
  judgeRegisterResponse,
  nextRegistrationAction,
  RegistrationMachine,
  refreshDelayMs,
  resolveTiming,
  type RegisterAnswer,
  type RegistrationFacts,
} from '../../src/registration';

const T0 = 1_800_000_000_000;
const timing = DEFAULT_TIMING;

function facts(over: Partial<RegistrationFacts>): RegistrationFacts {
  return { state: 'unregistered', since: T0, failures: 0, granted: null, ...over };
}

describe('nextRegistrationAction', () => {
  it('registers at once when unregistered, and waits while a REGISTER is in flight', () => {
    expect(nextRegistrationAction(facts({}), timing, T0 + 5, 0.5)).toMatchObject({
      at: T0 + 5,
      action: 'register',
    });
    for (const state of ['registering', 'refreshing'] as const) {
      expect(nextRegistrationAction(facts({ state }), timing, T0, 0.5)).toMatchObject({
        at: null,
        action: 'wait',
      });
    }
  });

  it('refreshes at the shorter of 90 % of the grant and the grant minus 10 s', () => {
    const at = (seconds: number) =>
      nextRegistrationAction(facts({ state: 'registered', granted: { seconds, at: T0 } }), timing, T0, 0.5);
    expect(at(3600)).toMatchObject({ at: T0 + 3_240_000, action: 'refresh' }); // 90 % < 3590 s
    expect(at(60).at).toBe(T0 + 50_000); // 50 s < 54 s
    expect(at(100).at).toBe(T0 + 90_000); // both 90 s
    expect(at(3).at).toBe(T0 + 1_500); // too short for a 10 s margin: half the grant
    expect(at(3600).reason).toMatch(/granted 3600 s/);
  });

  it('refreshes before expiry for every grant, never in a busy loop', () => {
    for (let seconds = 1; seconds <= 7200; seconds++) {
      const d = refreshDelayMs(seconds, timing);
      expect(d).toBeLessThan(seconds * 1000);
      expect(d).toBeGreaterThanOrEqual((seconds * 1000) / 2);
    }
  });

  it('backs off exponentially with jitter, capped at 5 minutes', () => {
    const mid = [1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, timing, 0.5));
    expect(mid).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(backoffDelayMs(1, timing, 0)).toBe(800);
    expect(backoffDelayMs(1, timing, 0.999999)).toBeCloseTo(1_200, 0);
    expect(backoffDelayMs(30, timing, 0.999)).toBe(300_000);
    expect(backoffDelayMs(2000, timing, 0.5)).toBe(300_000);
    const d = nextRegistrationAction(facts({ state: 'failed', failures: 3 }), timing, T0 + 100, 0.5);
    expect(d).toMatchObject({ at: T0 + 4_000, action: 'register' });
    expect(d.reason).toMatch(/failure 3 in a row/);
  });

  it('retries a rejected registration only after the long interval, never sooner', () => {
    for (const r of [0, 0.3, 0.999]) {
      const d = nextRegistrationAction(facts({ state: 'rejected', failures: 1 }), timing, T0, r);
      expect(d.action).toBe('register');
      expect(d.at! - T0).toBeLessThanOrEqual(1_800_000);
      expect(d.at! - T0).toBeGreaterThanOrEqual(1_800_000 * 0.8);
    }
    const custom = resolveTiming({ rejectedRetryMs: 60_000, jitter: 0 });
    expect(nextRegistrationAction(facts({ state: 'rejected' }), custom, T0, 0.7).at).toBe(T0 + 60_000);
  });

  it('refuses nonsensical timing', () => {
    expect(() => resolveTiming({ backoffInitialMs: 0 })).toThrow(/backoffInitialMs/);
    expect(() => resolveTiming({ backoffMaxMs: 10, backoffInitialMs: 100 })).toThrow(/backoffMaxMs/);
    expect(() => resolveTiming({ refreshFraction: 1 })).toThrow(/refreshFraction/);
    expect(() => resolveTiming({ jitter: 1 })).toThrow(/jitter/);
  });
});

describe('judgeRegisterResponse', () => {
  const base: RegisterAnswer = {
    status: 200,
    reasonPhrase: 'OK',
    synthetic: false,
    unregistering: false,
    grantedSeconds: 120,
    digest: null,
    authRounds: 0,
    minExpires: null,
    requested: 3600,
  };
  const judge = (over: Partial<RegisterAnswer>) => judgeRegisterResponse({ ...base, ...over }, timing);

  it('reads a 2xx as registered for the grant, or as removed for Expires: 0', () => {
    expect(judge({})).toMatchObject({ kind: 'registered', grantedSeconds: 120 });
    expect(judge({ unregistering: true })).toMatchObject({ kind: 'unregistered' });
    expect(judge({ grantedSeconds: null })).toMatchObject({ kind: 'failed' });
  });

  it('answers a first challenge and a stale one, and calls a repeated one "rejected"', () => {
    const challenged = { status: 401, reasonPhrase: 'Unauthorized', grantedSeconds: null };
    expect(judge({ ...challenged, digest: { ok: true, stale: false } })).toMatchObject({
      kind: 'authenticate',
    });
    expect(judge({ ...challenged, digest: { ok: true, stale: true }, authRounds: 1 }).reason).toMatch(
      /stale/,
    );
    const repeated = judge({
      ...challenged,
      digest: { ok: false, reason: 'the realm rejected them' },
      authRounds: 1,
    });
    expect(repeated).toMatchObject({ kind: 'rejected' });
    expect(
      judge({ ...challenged, status: 407, digest: { ok: true, stale: true }, authRounds: 3 }),
    ).toMatchObject({
      kind: 'failed',
    });
  });

  it('reads 403 as rejected; timeouts, transport errors and 5xx as failed', () => {
    expect(judge({ status: 403, reasonPhrase: 'Forbidden' })).toMatchObject({ kind: 'rejected' });
    expect(judge({ status: 408, reasonPhrase: 'Request Timeout', synthetic: true }).reason).toMatch(
      /no answer/,
    );
    expect(judge({ status: 503, reasonPhrase: 'Service Unavailable', synthetic: true }).reason).toMatch(
      /transport/,
    );
    expect(judge({ status: 500, reasonPhrase: 'Server Internal Error' })).toMatchObject({ kind: 'failed' });
  });

  it('retries once with Min-Expires after a 423', () => {
    expect(judge({ status: 423, reasonPhrase: 'Interval Too Brief', minExpires: 7200 })).toMatchObject({
      kind: 'retry-expires',
      expires: 7200,
    });
    expect(
      judge({ status: 423, reasonPhrase: 'Interval Too Brief', minExpires: 7200, requested: 7200 }),
    ).toMatchObject({ kind: 'failed' });
  });
});

describe('RegistrationMachine', () => {
  it('guards its transitions and counts consecutive failures', () => {
    const m = new RegistrationMachine('r', T0);
    expect(() => m.transition('registered', T0, { reason: 'x' })).toThrow(
      /illegal transition unregistered -> registered/,
    );
    m.transition('registering', T0, { reason: 'go' });
    m.transition('failed', T0 + 1, { reason: 'timeout', lastStatus: 408 });
    m.transition('registering', T0 + 2, { reason: 'go' });
    expect(m.transition('rejected', T0 + 3, { reason: 'no', lastStatus: 403 })).toMatchObject({
      state: 'rejected',
      failures: 2,
      last_status: 403,
      since: T0 + 3,
    });
    m.transition('registering', T0 + 4, { reason: 'go' });
    const ok = m.transition('registered', T0 + 5, { reason: 'ok', granted: { seconds: 60, at: T0 + 5 } });
    expect(ok.failures).toBe(0);
    expect(m.facts().granted).toEqual({ seconds: 60, at: T0 + 5 });
    expect(canTransition('registered', 'failed')).toBe(false);
    expect(canTransition('refreshing', 'failed')).toBe(true);
  });
});
