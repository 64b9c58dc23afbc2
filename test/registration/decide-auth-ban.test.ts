/** The failed-authentication ban rules (src/registration/decide-auth-ban.ts), in virtual time. */
import { describe, expect, it } from 'vitest';
import {
  decideAdmission,
  decideAfterFailure,
  type AuthAttempt,
  type AuthBanPolicy,
  type FailureRecord,
} from '../../src/registration/decide-auth-ban';

const policy: AuthBanPolicy = { perSource: 3, perUser: 5, windowMs: 60_000, banMs: 600_000 };
const T0 = Date.parse('2026-01-01T00:00:00Z');

function fail(
  state: { source?: FailureRecord; user?: FailureRecord },
  attempt: AuthAttempt,
  now: number,
): { source: FailureRecord; user: FailureRecord | undefined; bans: string[] } {
  const after = decideAfterFailure({ source: state.source, user: state.user }, attempt, policy, now);
  return { source: after.source, user: after.user, bans: after.bans.map((b) => b.reason) };
}

describe('decideAfterFailure / decideAdmission', () => {
  const attacker: AuthAttempt = { source: '127.0.0.9', username: 'pbx', trusted: false };

  it('bans a source at its third failure within the window, for the ban time, and says why', () => {
    let s = fail({}, attacker, T0);
    s = fail({ source: s.source }, attacker, T0 + 1000);
    expect(s.bans).toEqual([]);
    expect(decideAdmission({ source: s.source, user: undefined }, attacker, T0 + 1500)).toEqual({
      admit: true,
      reason: 'no ban applies to 127.0.0.9',
    });
    s = fail({ source: s.source }, attacker, T0 + 2000);
    expect(s.bans).toEqual(['3 failed authentications from 127.0.0.9 within 60 s: source banned for 600 s']);
    expect(decideAdmission({ source: s.source, user: undefined }, attacker, T0 + 2001)).toEqual({
      admit: false,
      kind: 'source',
      until: T0 + 2000 + 600_000,
      reason: 'source 127.0.0.9 is banned until 2026-01-01T00:10:02.000Z after failed authentication',
    });
    // The ban expires by itself.
    expect(decideAdmission({ source: s.source, user: undefined }, attacker, T0 + 602_000).admit).toBe(true);
  });

  it('forgets failures older than the window', () => {
    let s = fail({}, attacker, T0);
    s = fail({ source: s.source }, attacker, T0 + 1000);
    s = fail({ source: s.source }, attacker, T0 + 61_500);
    expect(s.bans).toEqual([]);
    expect(s.source.times).toEqual([T0 + 61_500]);
  });

  it('bans a user name for untrusted sources only: the PBX at a trusted address still gets in', () => {
    let user: FailureRecord | undefined;
    const reasons: string[] = [];
    for (let i = 0; i < 5; i++) {
      // Five different sources (a distributed guesser): no source reaches its own limit.
      const s = fail({ user }, { ...attacker, source: `127.0.1.${i}` }, T0 + i);
      user = s.user;
      reasons.push(...s.bans);
    }
    expect(reasons).toEqual([
      "5 failed authentications for user pbx within 60 s: user banned for 600 s for sources other than the PBX's",
    ]);
    const elsewhere = decideAdmission(
      { source: undefined, user },
      { ...attacker, source: '127.0.2.1' },
      T0 + 10,
    );
    expect(elsewhere).toMatchObject({ admit: false, kind: 'user' });
    expect(elsewhere.reason).toBe(
      'user pbx is banned for untrusted sources until 2026-01-01T00:10:00.004Z; 127.0.2.1 is not a trusted PBX address',
    );
    const pbx = decideAdmission(
      { source: undefined, user },
      { source: '127.0.0.1', username: 'pbx', trusted: true },
      T0 + 10,
    );
    expect(pbx).toEqual({
      admit: true,
      reason: 'user pbx is banned, but 127.0.0.1 is a trusted PBX address',
    });
  });

  it('counts a failure without a user name against the source only', () => {
    const s = fail({}, { ...attacker, username: null }, T0);
    expect(s.source.times).toEqual([T0]);
    expect(s.user).toBeUndefined();
  });
});
