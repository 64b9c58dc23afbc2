import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideFailover } from '../../src/failover/decide-failover';
import type { FailoverDecision, RegionView } from '../../src/failover/decide-failover-types';
import { isEligible, selectActive } from '../../src/failover/decide-select';
import { applyCheckResult } from '../../src/health/decide-health-apply';
import { decideHealth } from '../../src/health/decide-health';
import { newRegionHealthRecord } from '../../src/health/decide-health-types';
import { HEALTH_STATES, HealthState } from '../../src/model/health-state';
import { decisionConfig as config, decisionInput as input, T0 } from './fixtures';

const { HEALTHY, WARNING, CRITICAL, DOWN, DEGRADED } = HealthState;

function region(
  name: string,
  priority: number,
  state: HealthState,
  extra: Partial<RegionView> = {},
): RegionView {
  const healthy = state === HEALTHY || state === WARNING;
  return {
    name,
    priority,
    weight: 1,
    state,
    stateSince: T0,
    healthySince: healthy ? T0 - 3_600_000 : null,
    firstFailureAt: healthy ? null : T0 - 1000,
    score: healthy ? 1 : 0,
    ...extra,
  };
}

const east = (s: HealthState, x: Partial<RegionView> = {}) => region('us-east-1', 1, s, x);
const west = (s: HealthState, x: Partial<RegionView> = {}) => region('us-west-1', 2, s, x);
const eu = (s: HealthState, x: Partial<RegionView> = {}) => region('eu-west-1', 3, s, x);

describe('selectActive', () => {
  it('picks the eligible region with the lowest priority number', () => {
    expect(selectActive(input([east(DOWN), west(HEALTHY), eu(HEALTHY)], null), config())).toBe('us-west-1');
  });

  it('breaks priority ties by the higher weight, then by name', () => {
    const a = region('b-region', 1, HEALTHY, { weight: 5 });
    const b = region('a-region', 1, HEALTHY, { weight: 5 });
    const c = region('c-region', 1, HEALTHY, { weight: 9 });
    expect(selectActive(input([a, b, c], null), config())).toBe('c-region');
    expect(selectActive(input([a, b], null), config())).toBe('a-region');
  });

  it('counts HEALTHY and WARNING as eligible, DEGRADED only when degraded_is_eligible', () => {
    const eligible = HEALTH_STATES.filter((s) => isEligible(s, config()));
    expect(eligible.sort()).toEqual([HEALTHY, WARNING].sort());
    expect(isEligible(DEGRADED, config({ degraded_is_eligible: true }))).toBe(true);
    expect(selectActive(input([east(DEGRADED), west(CRITICAL)], null), config())).toBeNull();
  });
});

describe('decideFailover', () => {
  it('stays on the active region when it is the best eligible one', () => {
    expect(decideFailover(input([east(HEALTHY), west(HEALTHY)], 'us-east-1'), config(), T0)).toEqual({
      kind: 'stay',
      active: 'us-east-1',
      reason: 'us-east-1 is HEALTHY and the eligible region with the best priority (1)',
    });
  });

  it('chooses a first active region when there is none', () => {
    const d = decideFailover(input([east(CRITICAL), west(HEALTHY)], null), config(), T0);
    expect(d).toMatchObject({
      kind: 'switch',
      from: null,
      to: 'us-west-1',
      automatic: true,
      initiated_by: 'geored',
    });
    expect(d.reason).toBe(
      'no region is active yet: us-west-1 is the eligible region with the best priority (2)',
    );
  });

  it('fails over from a DOWN active region at once with failover_delay 0, with duration_ms', () => {
    const d = decideFailover(
      input([east(DOWN), west(HEALTHY), eu(HEALTHY)], 'us-east-1'),
      config(),
      T0 + 500,
    );
    expect(d).toEqual({
      kind: 'switch',
      from: 'us-east-1',
      to: 'us-west-1',
      automatic: true,
      initiated_by: 'geored',
      reason:
        'us-east-1 is DOWN since 10:00:00.000Z, so failing over to us-west-1, the eligible region with the best priority (2)',
      duration_ms: 1500,
      pin: null,
    });
  });

  it('waits failover_delay after the active region went DOWN', () => {
    const cfg = config({ failover_delay: 30 });
    const regions = [east(DOWN), west(HEALTHY)];
    const early = decideFailover(input(regions, 'us-east-1'), cfg, T0 + 29_999);
    expect(early.kind).toBe('stay');
    expect(early.reason).toBe(
      'us-east-1 is DOWN since 10:00:00.000Z; failing over to us-west-1 at 10:00:30.000Z, after failover_delay (30 s)',
    );
    expect(decideFailover(input(regions, 'us-east-1'), cfg, T0 + 30_000).kind).toBe('switch');
  });

  it('does not leave a CRITICAL active region: the failure is not confirmed yet', () => {
    const d = decideFailover(input([east(CRITICAL), west(HEALTHY)], 'us-east-1'), config(), T0 + 5000);
    expect(d).toEqual({
      kind: 'stay',
      active: 'us-east-1',
      reason:
        'us-east-1 is CRITICAL since 10:00:00.000Z, a failure not yet confirmed DOWN, so it stays active',
    });
  });

  it('leaves a DEGRADED active region unless degraded_is_eligible', () => {
    const regions = [east(DEGRADED), west(HEALTHY)];
    expect(decideFailover(input(regions, 'us-east-1'), config(), T0).kind).toBe('switch');
    expect(decideFailover(input(regions, 'us-east-1'), config({ degraded_is_eligible: true }), T0).kind).toBe(
      'stay',
    );
  });

  it('with automatic failover off, stays and says an operator must act', () => {
    const d = decideFailover(
      input([east(DOWN), west(HEALTHY)], 'us-east-1'),
      config({ automatic: false }),
      T0,
    );
    expect(d.kind).toBe('stay');
    expect(d.reason).toBe(
      'us-east-1 is DOWN since 10:00:00.000Z but automatic failover is off, so it stays active until an operator ' +
        'fails over (us-west-1 is eligible)',
    );
  });

  it('stays, loudly, when the active region is DOWN and no other region is eligible', () => {
    const d = decideFailover(input([east(DOWN), west(CRITICAL), eu(DOWN)], 'us-east-1'), config(), T0);
    expect(d.kind).toBe('stay');
    expect(d.reason).toBe(
      'us-east-1 is DOWN since 10:00:00.000Z and no other region is eligible (us-west-1 CRITICAL, eu-west-1 DOWN), ' +
        'so us-east-1 stays active',
    );
  });

  it('all regions DOWN: keeps the last active region and says so', () => {
    const d = decideFailover(input([east(DOWN), west(DOWN)], 'us-west-1'), config(), T0);
    expect(d).toEqual({
      kind: 'all-down',
      keep: 'us-west-1',
      reason:
        'ALL REGIONS ARE DOWN (us-east-1, us-west-1): keeping us-west-1, active since 09:00:00.000Z, and probing every ' +
        'region until one recovers',
    });
  });

  it('all regions DOWN with none active: keeps the best priority rather than nothing', () => {
    const d = decideFailover(input([west(DOWN), east(DOWN)], null), config(), T0);
    expect(d).toMatchObject({ kind: 'all-down', keep: 'us-east-1' });
  });
});

describe('failback', () => {
  const recovered = (since: number, score = 1) => east(HEALTHY, { healthySince: since, score });

  it('fails back only after failback.delay of continuous health', () => {
    const regions = [recovered(T0), west(HEALTHY)];
    const early = decideFailover(input(regions, 'us-west-1'), config(), T0 + 299_000);
    expect(early.kind).toBe('stay');
    expect(early.reason).toBe(
      'failback from us-west-1 to us-east-1 waits: us-east-1 has been healthy for 299 s of the 300 s failback delay',
    );
    const d = decideFailover(input(regions, 'us-west-1'), config(), T0 + 300_000);
    expect(d).toMatchObject({ kind: 'switch', from: 'us-west-1', to: 'us-east-1', automatic: true });
    expect(d.reason).toBe(
      'failing back from us-west-1 to us-east-1: us-east-1 has been healthy since 10:00:00.000Z ' +
        '(failback delay 300 s) with health score 1.00 (threshold 0.95)',
    );
  });

  it('needs the health score at or above health_threshold', () => {
    const d = decideFailover(input([recovered(T0, 0.9), west(HEALTHY)], 'us-west-1'), config(), T0 + 600_000);
    expect(d.kind).toBe('stay');
    expect(d.reason).toBe(
      "failback from us-west-1 to us-east-1 waits: us-east-1's health score 0.90 is below health_threshold 0.95",
    );
  });

  it('does nothing when failback is disabled', () => {
    const d = decideFailover(
      input([recovered(T0), west(HEALTHY)], 'us-west-1'),
      config({}, { enabled: false }),
      T0 + 1e7,
    );
    expect(d.kind).toBe('stay');
    expect(d.reason).toBe(
      'us-east-1 (priority 1) is HEALTHY but failback is disabled, so us-west-1 stays active',
    );
  });

  it('awaits approval when failback.automatic is false, then switches on approval', () => {
    const cfg = config({}, { automatic: false });
    const regions = [recovered(T0), west(HEALTHY)];
    const waiting = decideFailover(input(regions, 'us-west-1'), cfg, T0 + 300_000);
    expect(waiting).toMatchObject({ kind: 'await-approval', from: 'us-west-1', to: 'us-east-1' });
    expect(waiting.reason).toMatch(/^failback from us-west-1 to us-east-1 awaits an operator's approval: /);
    const approval = { to: 'us-east-1', by: 'alice', at: T0 + 310_000 };
    const d = decideFailover(input(regions, 'us-west-1', { failbackApproval: approval }), cfg, T0 + 310_000);
    expect(d).toMatchObject({ kind: 'switch', to: 'us-east-1', automatic: false, initiated_by: 'alice' });
  });

  it('keeps a manual choice until the preferred region has failed and recovered since', () => {
    const pin = { kind: 'manual' as const, target: 'us-west-1', at: T0, by: 'bob', reason: 'maintenance' };
    const healthyAllAlong = decideFailover(
      input([east(HEALTHY), west(HEALTHY)], 'us-west-1', { pin }),
      config(),
      T0 + 1e7,
    );
    expect(healthyAllAlong.kind).toBe('stay');
    expect(healthyAllAlong.reason).toBe(
      'manual failover to us-west-1 by bob at 10:00:00.000Z holds: us-east-1 has not failed and recovered since',
    );
    const recoveredAfter = decideFailover(
      input([recovered(T0 + 60_000), west(HEALTHY)], 'us-west-1', { pin }),
      config(),
      T0 + 360_000,
    );
    expect(recoveredAfter.kind).toBe('switch');
  });
});

describe('flap guard', () => {
  it('suppresses an automatic switch beyond max_switches per window, with the reason', () => {
    const recent = [T0 - 500_000, T0 - 300_000, T0 - 100_000];
    const d = decideFailover(
      input([east(DOWN), west(HEALTHY)], 'us-east-1', { recentSwitches: recent }),
      config(),
      T0,
    );
    expect(d).toEqual({
      kind: 'suppress',
      from: 'us-east-1',
      wanted_to: 'us-west-1',
      reason:
        'flap guard: 3 automatic switches in the last 600 s (max 3), the next is allowed in 100 s; not failing over ' +
        'from us-east-1 to us-west-1 although us-east-1 is DOWN since 10:00:00.000Z',
    });
    expect(
      decideFailover(
        input([east(DOWN), west(HEALTHY)], 'us-east-1', { recentSwitches: recent }),
        config(),
        T0 + 100_000,
      ).kind,
    ).toBe('switch');
  });

  it('a flapping region yields at most max_switches switches per window; the rest are suppressed', () => {
    const cfg = config({ flap_guard: { max_switches: 2, window: 600 } }, { delay: 0, health_threshold: 0 });
    let active = 'us-east-1';
    const switches: number[] = [];
    const suppressed: string[] = [];
    // us-east-1 goes DOWN and comes back every 10 s for 10 minutes.
    for (let t = T0; t < T0 + 600_000; t += 10_000) {
      const eastUp = ((t - T0) / 10_000) % 2 === 1;
      const regions = [
        east(eastUp ? HEALTHY : DOWN, { stateSince: t, healthySince: eastUp ? t : null }),
        west(HEALTHY),
      ];
      const d = decideFailover(input(regions, active, { recentSwitches: switches }), cfg, t);
      if (d.kind === 'switch') {
        switches.push(t);
        active = d.to;
      }
      if (d.kind === 'suppress') suppressed.push(d.reason);
    }
    expect(switches.length).toBe(2);
    expect(suppressed.length).toBeGreaterThan(0);
    expect(
      suppressed.every((r) => r.startsWith('flap guard: 2 automatic switches in the last 600 s (max 2)')),
    ).toBe(true);
  });
});

describe('flap guard: max_switches 0 disables it (docs/health-and-failover.md; config.yml accepts 0)', () => {
  const recent = [T0 - 500_000, T0 - 300_000, T0 - 100_000, T0 - 50_000, T0 - 10_000];
  const CASES: ReadonlyArray<[number, FailoverDecision['kind']]> = [
    [0, 'switch'],
    [5, 'suppress'],
    [6, 'switch'],
  ];
  it.each(CASES)('max_switches %i with 5 switches in the window → %s', (max_switches, kind) => {
    const d = decideFailover(
      input([east(DOWN), west(HEALTHY)], 'us-east-1', { recentSwitches: recent }),
      config({ flap_guard: { max_switches, window: 600 } }),
      T0,
    );
    expect(d.kind).toBe(kind);
    if (kind === 'switch') expect(d.reason).not.toMatch(/flap guard/);
    else expect(d.reason).toMatch(/^flap guard: 5 automatic switches in the last 600 s \(max 5\)/);
  });
});

describe('scheduled failover', () => {
  const sched = {
    id: 's1',
    target: 'us-west-1',
    start: T0,
    end: T0 + 3_600_000,
    reason: 'Planned maintenance',
  };

  it('switches to the target at the start, holds it, and returns at the end', () => {
    const regions = [east(HEALTHY), west(HEALTHY)];
    const start = decideFailover(input(regions, 'us-east-1', { scheduled: [sched] }), config(), T0);
    expect(start).toEqual({
      kind: 'switch',
      from: 'us-east-1',
      to: 'us-west-1',
      automatic: false,
      initiated_by: 'schedule:s1',
      reason:
        'scheduled failover s1 (Planned maintenance) from 2025-01-15T10:00:00.000Z to 2025-01-15T11:00:00.000Z: ' +
        'switching from us-east-1 to us-west-1',
      pin: { kind: 'scheduled', id: 's1', target: 'us-west-1' },
    });
    const pin = { kind: 'scheduled' as const, id: 's1', target: 'us-west-1' };
    const during = decideFailover(
      input(regions, 'us-west-1', { scheduled: [sched], pin }),
      config(),
      T0 + 60_000,
    );
    expect(during.kind).toBe('stay');
    expect(during.reason).toBe('scheduled failover s1 keeps us-west-1 active until 2025-01-15T11:00:00.000Z');
    const end = decideFailover(
      input(regions, 'us-west-1', { scheduled: [sched], pin }),
      config(),
      T0 + 3_600_000,
    );
    expect(end).toMatchObject({
      kind: 'switch',
      to: 'us-east-1',
      automatic: false,
      initiated_by: 'schedule:s1',
      pin: null,
    });
    expect(end.reason).toBe(
      'scheduled failover s1 is over: returning from us-west-1 to us-east-1, the eligible region with the best priority (1)',
    );
  });

  it('an ineligible target is said so, and the normal rules apply', () => {
    const d = decideFailover(
      input([east(HEALTHY), west(DOWN)], 'us-east-1', { scheduled: [sched] }),
      config(),
      T0,
    );
    expect(d.kind).toBe('stay');
    expect(d.reason).toBe(
      'scheduled failover s1 wants us-west-1 but it is DOWN, so the normal rules apply: ' +
        'us-east-1 is HEALTHY and the eligible region with the best priority (1)',
    );
  });
});

describe('scenario: fast profile from outage to switch in virtual time', () => {
  it('interval 1, timeout 0.25, retry_count 2: DOWN and switch 0.5 s after the outage', () => {
    const hcfg = {
      health_check: {
        interval: 1,
        timeout: 0.25,
        retry_count: 2,
        success_threshold: 2,
        check_methods: ['sip_options'],
        custom_checks: [],
        jitter: 0,
        latency_warning_ms: 200,
        sip_options_ok_codes: [200],
        passive_failure_threshold: 3,
        score_window: 60,
        retention: { max_rows: 10, max_age_days: 1 },
      },
      failover: { min_failure_duration: 0 },
    };
    const outage = T0;
    let rec = newRegionHealthRecord('us-east-1', hcfg);
    let switchedAt: number | null = null;
    // Probes leave at the outage, time out, and are re-sent at once (nextProbeDelay 0).
    for (const at of [outage + 250, outage + 500]) {
      rec = applyCheckResult(
        rec,
        { method: 'sip_options', success: false, latency_ms: 250, error: 'timeout after 250 ms', at },
        hcfg,
        at,
      );
      const h = decideHealth(rec, hcfg, at);
      const view = east(h.state, {
        stateSince: at,
        firstFailureAt: h.firstFailureAt,
        healthySince: h.healthySince,
      });
      const d = decideFailover(input([view, west(HEALTHY)], 'us-east-1'), config(), at);
      if (d.kind === 'switch' && switchedAt === null) {
        switchedAt = at;
        expect(d.duration_ms).toBe(250);
      }
    }
    expect(switchedAt! - outage).toBe(500);
  });
});

const stateArb = fc.constantFrom(...HEALTH_STATES);
const regionsArb = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      priority: fc.integer({ min: 1, max: 3 }),
      weight: fc.integer({ min: 1, max: 3 }),
      state: stateArb,
      healthyFor: fc.integer({ min: 0, max: 1_000_000 }),
      score: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { selector: (r) => r.name, minLength: 1, maxLength: 5 },
  )
  .map((rs) =>
    rs.map((r) =>
      region(r.name, r.priority, r.state, {
        weight: r.weight,
        healthySince: T0 - r.healthyFor,
        score: r.score,
      }),
    ),
  );

describe('decideFailover properties', () => {
  it('never switches to a non-eligible region while an eligible one exists', () => {
    fc.assert(
      fc.property(regionsArb, fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e')), (regions, active) => {
        const d = decideFailover(input(regions, active), config(), T0);
        const anyEligible = regions.some((r) => isEligible(r.state, config()));
        if (d.kind === 'switch' && anyEligible) {
          const to = regions.find((r) => r.name === d.to)!;
          expect(isEligible(to.state, config())).toBe(true);
        }
        // A confirmed-DOWN active region with an eligible alternative is always left (no delay, no guard).
        const act = regions.find((r) => r.name === active);
        if (
          act &&
          act.state === DOWN &&
          regions.some((r) => r.name !== act.name && isEligible(r.state, config()))
        ) {
          expect(d.kind).toBe('switch');
        }
        if (act && regions.every((r) => r.state === DOWN)) {
          expect(d).toMatchObject({ kind: 'all-down', keep: act.name });
        }
      }),
    );
  });

  it('is deterministic: the same input gives the same decision', () => {
    fc.assert(
      fc.property(
        regionsArb,
        fc.option(fc.constantFrom('a', 'b', 'c')),
        fc.integer({ min: 0, max: 1e6 }),
        (regions, active, dt) => {
          const run = (): FailoverDecision => decideFailover(input(regions, active), config(), T0 + dt);
          expect(run()).toEqual(run());
        },
      ),
    );
  });
});
