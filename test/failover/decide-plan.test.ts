import { describe, expect, it } from 'vitest';
import { decideManualFailover } from '../../src/failover/decide-manual';
import type { FailoverInput, RegionView } from '../../src/failover/decide-failover-types';
import { planFailover } from '../../src/failover/decide-plan';
import { HealthState } from '../../src/model/health-state';
import { decisionConfig, decisionInput, T0 } from './fixtures';

const cfg = decisionConfig();

function region(
  name: string,
  priority: number,
  state: HealthState,
  extra: Partial<RegionView> = {},
): RegionView {
  return {
    name,
    priority,
    weight: 1,
    state,
    stateSince: T0,
    healthySince: T0,
    firstFailureAt: null,
    score: 1,
    ...extra,
  };
}
function input(regions: RegionView[], active: string | null): FailoverInput {
  return decisionInput(regions, active, { activeSince: T0 });
}

describe('planFailover (test_failover, dry run)', () => {
  it('plans a failover to a healthy, registered target', () => {
    const regions = [
      region('us-east-1', 1, HealthState.HEALTHY),
      region('us-west-1', 2, HealthState.HEALTHY, { registration: 'registered', score: 0.99 }),
      region('eu-west-1', 3, HealthState.HEALTHY),
    ];
    const plan = planFailover('us-east-1', 'us-west-1', input(regions, 'us-east-1'), cfg, T0);
    expect(plan.ok).toBe(true);
    expect(plan.reason).toBe(
      'a failover from us-east-1 to us-west-1 would succeed: us-west-1 is HEALTHY with health score 0.99',
    );
    expect(plan.checks.map((c) => c.name)).toEqual([
      'source-exists',
      'target-exists',
      'different-regions',
      'source-is-active',
      'target-not-active',
      'target-eligible',
      'target-health-score',
      'target-registration',
    ]);
    expect(plan.steps).toContain('send new calls to us-west-1, then us-east-1, then eu-west-1');
  });

  it('plans nothing to switch when the target is already active (not "us-east-1 in place of us-east-1")', () => {
    const regions = [
      region('us-east-1', 1, HealthState.HEALTHY, { registration: 'registered' }),
      region('eu-west-1', 2, HealthState.HEALTHY, { registration: 'registered' }),
    ];
    const plan = planFailover('eu-west-1', 'us-east-1', input(regions, 'us-east-1'), cfg, T0);
    expect(plan.ok).toBe(false);
    expect(plan.steps).toEqual([
      'nothing to switch: us-east-1 is already the active region, and new calls keep going to it',
    ]);
    expect(plan.reason).toBe(
      'a failover from eu-west-1 to us-east-1 would not succeed: the active region is us-east-1, not eu-west-1; ' +
        'us-east-1 is already the active region',
    );
    expect(plan.steps.join(' ')).not.toContain('in place of us-east-1');
  });

  it('names the region actually active when the source is not it', () => {
    const regions = [
      region('us-east-1', 1, HealthState.HEALTHY),
      region('us-west-1', 2, HealthState.HEALTHY),
      region('eu-west-1', 3, HealthState.HEALTHY),
    ];
    const plan = planFailover('eu-west-1', 'us-west-1', input(regions, 'us-east-1'), cfg, T0);
    expect(plan.ok).toBe(false);
    expect(plan.steps[0]).toBe(
      'make us-west-1 the active region in place of us-east-1 (eu-west-1 is not the active region)',
    );
    expect(plan.steps).toContain(
      'record the switch in geo_failover_history (from us-east-1 to us-west-1, automatic false)',
    );
  });

  it('reports every failed check in the reason', () => {
    const regions = [
      region('us-east-1', 1, HealthState.HEALTHY),
      region('us-west-1', 2, HealthState.DOWN, { registration: 'failed', score: 0.2 }),
    ];
    const plan = planFailover('us-east-1', 'us-west-1', input(regions, 'us-east-1'), cfg, T0);
    expect(plan.ok).toBe(false);
    expect(plan.reason).toBe(
      'a failover from us-east-1 to us-west-1 would not succeed: us-west-1 is DOWN, not eligible to be active; ' +
        "us-west-1's health score is 0.20 (health_threshold 0.95); us-west-1's trunk registration is failing",
    );
  });

  it('rejects unknown regions and a failover to itself without steps', () => {
    const regions = [region('us-east-1', 1, HealthState.HEALTHY)];
    const unknown = planFailover('us-east-1', 'mars-1', input(regions, 'us-east-1'), cfg, T0);
    expect(unknown.ok).toBe(false);
    expect(unknown.steps).toEqual([]);
    expect(unknown.checks.find((c) => c.name === 'target-exists')).toEqual({
      name: 'target-exists',
      ok: false,
      detail: 'no region named mars-1',
    });
    const same = planFailover('us-east-1', 'us-east-1', input(regions, 'us-east-1'), cfg, T0);
    expect(same.checks.find((c) => c.name === 'different-regions')?.ok).toBe(false);
  });
});

describe('decideManualFailover', () => {
  const regions = [
    region('us-east-1', 1, HealthState.DOWN, { firstFailureAt: T0 - 2000 }),
    region('us-west-1', 2, HealthState.HEALTHY),
    region('eu-west-1', 3, HealthState.CRITICAL),
  ];

  it('switches to the target with a manual pin and the operator as initiator', () => {
    const d = decideManualFailover(
      { target: 'us-west-1', by: 'alice', reason: 'Planned maintenance' },
      input(regions, 'us-east-1'),
      cfg,
      T0,
    );
    expect(d).toEqual({
      kind: 'switch',
      from: 'us-east-1',
      to: 'us-west-1',
      automatic: false,
      initiated_by: 'alice',
      reason: 'manual failover from us-east-1 to us-west-1 by alice: Planned maintenance',
      duration_ms: 2000,
      pin: { kind: 'manual', target: 'us-west-1', at: T0, by: 'alice', reason: 'Planned maintenance' },
    });
  });

  it('refuses unknown, already active and non-eligible targets (unless forced)', () => {
    const i = input(regions, 'us-east-1');
    expect(() => decideManualFailover({ target: 'mars-1', by: 'a', reason: 'r' }, i, cfg, T0)).toThrow(
      expect.objectContaining({ code: 'FAILOVER_UNKNOWN_REGION', http: 404 }),
    );
    expect(() => decideManualFailover({ target: 'us-east-1', by: 'a', reason: 'r' }, i, cfg, T0)).toThrow(
      expect.objectContaining({ code: 'FAILOVER_ALREADY_ACTIVE', http: 409 }),
    );
    expect(() => decideManualFailover({ target: 'eu-west-1', by: 'a', reason: 'r' }, i, cfg, T0)).toThrow(
      'cannot fail over to eu-west-1: it is CRITICAL; pass force to fail over anyway',
    );
    const forced = decideManualFailover(
      { target: 'eu-west-1', by: 'a', reason: 'r', force: true },
      i,
      cfg,
      T0,
    );
    expect(forced.reason).toBe(
      'manual failover from us-east-1 to eu-west-1 by a: r (forced although eu-west-1 is CRITICAL)',
    );
  });
});
