import { describe, expect, it } from 'vitest';
import {
  decideQuorum,
  requiredViews,
  type InstanceView,
  type QuorumSetting,
} from '../../src/health/decide-quorum';
import { HealthState } from '../../src/model/health-state';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const STALE = 3000;
const { HEALTHY: H, WARNING: W, CRITICAL: C, DOWN: D, DEGRADED: G } = HealthState;

/** A view checked `ageMs` before T0 (null: never checked). */
function view(instance: string, state: HealthState, ageMs: number | null = 100): InstanceView {
  return {
    instance,
    state,
    reason: `${instance} sees us-east-1 ${state}`,
    checkedAt: ageMs === null ? null : T0 - ageMs,
  };
}

function decide(
  views: InstanceView[],
  quorum: QuorumSetting = 'majority',
  previous: HealthState | null = null,
) {
  return decideQuorum('us-east-1', views, { quorum, staleAfterMs: STALE }, T0, previous);
}

describe('requiredViews', () => {
  it.each([
    ['majority', 1, 1],
    ['majority', 2, 2],
    ['majority', 3, 2],
    ['majority', 4, 3],
    ['majority', 5, 3],
    [2, 3, 2],
    [2, 1, 2],
    [1, 5, 1],
    [0.18, 15, 3],
    [0.5, 3, 2],
    [0.5, 4, 2],
    [0.34, 3, 2],
    [0.01, 3, 1],
  ] as const)('quorum %s with %i fresh views needs %i', (q, fresh, needed) => {
    expect(requiredViews(q, fresh)).toBe(needed);
  });
});

describe('decideQuorum', () => {
  // views, quorum, agreed state, the reason (exact), agreeing, source
  const table: Array<[string, InstanceView[], QuorumSetting, HealthState, string, string[], string | null]> =
    [
      [
        'one instance (memory live state) is a quorum of 1',
        [view('a', D)],
        'majority',
        D,
        'us-east-1 is DOWN: the only instance with a fresh view (a) sees it DOWN (quorum 1): a sees us-east-1 down',
        ['a'],
        'a',
      ],
      [
        'two of three see it down: DOWN',
        [view('a', D), view('b', D), view('c', H)],
        'majority',
        D,
        'us-east-1 is DOWN: 2 of 3 instances see it DOWN (quorum 2): a sees us-east-1 down',
        ['a', 'b'],
        'a',
      ],
      [
        "one of three sees it down: stays HEALTHY, that instance's path named",
        [view('a', H), view('b', D), view('c', H)],
        'majority',
        H,
        "us-east-1 is HEALTHY, not DOWN: only 1 of 3 instances sees it DOWN (quorum 2); instance b's own path may be broken",
        ['b', 'a', 'c'],
        'a',
      ],
      [
        'all healthy',
        [view('c', H), view('a', H), view('b', H)],
        'majority',
        H,
        'us-east-1 is HEALTHY: 3 of 3 instances see it HEALTHY (quorum 2): a sees us-east-1 healthy',
        ['a', 'b', 'c'],
        'a',
      ],
      [
        'mixed failures: the required-th worst view (CRITICAL) is the agreed state',
        [view('a', D), view('b', C), view('c', H)],
        'majority',
        C,
        "us-east-1 is CRITICAL, not DOWN: only 1 of 3 instances sees it DOWN (quorum 2); instance a's own path may be broken",
        ['a', 'b'],
        'b',
      ],
      [
        'a stale view does not count, and the sentence says so',
        [view('a', D), view('b', H, 5000), view('c', D)],
        'majority',
        D,
        'us-east-1 is DOWN: 2 of 2 instances see it DOWN (quorum 2): a sees us-east-1 down; not counted: b last ' +
          'checked 5 s ago (views older than 3 s are stale)',
        ['a', 'c'],
        'a',
      ],
      [
        "a dead instance's stale DOWN view cannot outvote the live ones",
        [view('a', D, 60_000), view('b', H), view('c', H)],
        'majority',
        H,
        'us-east-1 is HEALTHY: 2 of 2 instances see it HEALTHY (quorum 2): b sees us-east-1 healthy; not counted: ' +
          'a last checked 60 s ago (views older than 3 s are stale)',
        ['b', 'c'],
        'b',
      ],
      [
        'an instance that has not checked yet does not count',
        [view('a', D), view('b', H, null)],
        'majority',
        D,
        'us-east-1 is DOWN: the only instance with a fresh view (a) sees it DOWN (quorum 1): a sees us-east-1 down; ' +
          'not counted: b has not checked yet (views older than 3 s are stale)',
        ['a'],
        'a',
      ],
      [
        'a fixed quorum of 3 with two fresh views is never reached: nothing worse than HEALTHY',
        [view('a', D), view('b', D), view('c', H, 10_000)],
        3,
        H,
        'us-east-1 is HEALTHY, not DOWN: 2 of 2 instances see it DOWN (quorum 3, which 2 fresh views cannot reach); ' +
          'instances a, b may share a broken path; not counted: c last checked 10 s ago (views older than 3 s are stale)',
        ['a', 'b'],
        null,
      ],
      [
        'a fixed quorum of 1: any instance decides alone',
        [view('a', H), view('b', D), view('c', H)],
        1,
        D,
        'us-east-1 is DOWN: 1 of 3 instances sees it DOWN (quorum 1): b sees us-east-1 down',
        ['b'],
        'b',
      ],
      [
        'a fraction: 18 % of 5 fresh views is 1',
        [view('a', H), view('b', H), view('c', W), view('d', H), view('e', H)],
        0.18,
        W,
        'us-east-1 is WARNING: 1 of 5 instances sees it WARNING (quorum 1 (18 %)): c sees us-east-1 warning',
        ['c'],
        'c',
      ],
      [
        'two instances (majority 2) disagree: the better view holds',
        [view('a', G), view('b', H)],
        'majority',
        H,
        "us-east-1 is HEALTHY, not DEGRADED: only 1 of 2 instances sees it DEGRADED (quorum 2); instance a's own path may be broken",
        ['a', 'b'],
        'b',
      ],
    ];

  it.each(table)('%s', (_name, views, quorum, state, reason, agreeing, source) => {
    const d = decide(views, quorum);
    expect(d.state).toBe(state);
    expect(d.reason).toBe(reason);
    expect(d.agreeing).toEqual(agreeing);
    expect(d.source).toBe(source);
  });

  it('with no fresh view keeps the agreed state so far and says why', () => {
    const d = decide([view('a', H, 9000), view('b', D, 9000)], 'majority', D);
    expect(d).toEqual({
      state: D,
      reason:
        'us-east-1 stays DOWN: no instance has a fresh view of it (not counted: a last checked 9 s ago, b last ' +
        'checked 9 s ago (views older than 3 s are stale))',
      required: null,
      counted: [],
      ignored: ['a', 'b'],
      agreeing: [],
      source: null,
    });
  });

  it('with no view at all and nothing agreed yet, HEALTHY as before any probe', () => {
    const d = decide([]);
    expect(d.state).toBe(H);
    expect(d.reason).toBe('us-east-1 stays HEALTHY: no instance has a fresh view of it');
  });

  it('counts and ignores by instance, whatever order the views come in', () => {
    const d = decide([view('c', D), view('a', H, 4000), view('b', D)]);
    expect(d.counted).toEqual(['b', 'c']);
    expect(d.ignored).toEqual(['a']);
    expect(d.required).toBe(2);
    expect(d.state).toBe(D);
  });
});
