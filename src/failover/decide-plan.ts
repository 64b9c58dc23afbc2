/**
 * test_failover(from, to, dry_run): what a failover from `from` to `to` would do and whether the target
 * is fit for it, computed from the same inputs as decideFailover and changing nothing.
 */
import { HealthState } from '../model/health-state';
import type { FailoverDecisionConfig, FailoverInput, RegionView } from './decide-failover-types';
import { isEligible, rankRegions } from './decide-select';

export interface PlanCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface FailoverPlan {
  /** Every check passed. */
  readonly ok: boolean;
  /** What the failover would do, in order; empty when from or to is not a region. */
  readonly steps: readonly string[];
  readonly checks: readonly PlanCheck[];
  readonly reason: string;
}

export function planFailover(
  from: string,
  to: string,
  input: FailoverInput,
  cfg: FailoverDecisionConfig,
  _now: number,
): FailoverPlan {
  const byName = new Map(input.regions.map((r) => [r.name, r]));
  const source = byName.get(from);
  const target = byName.get(to);
  const checks: PlanCheck[] = [
    check('source-exists', source !== undefined, source ? `${from} is a region` : `no region named ${from}`),
    check('target-exists', target !== undefined, target ? `${to} is a region` : `no region named ${to}`),
    check(
      'different-regions',
      from !== to,
      from !== to ? `${from} and ${to} differ` : `${from} is both source and target`,
    ),
    check(
      'source-is-active',
      input.active === from,
      input.active === from
        ? `${from} is the active region`
        : `the active region is ${input.active ?? 'none'}, not ${from}`,
    ),
    check(
      'target-not-active',
      input.active !== to,
      input.active === to ? `${to} is already the active region` : `${to} is not the active region`,
    ),
  ];
  if (target) checks.push(...targetChecks(target, cfg));

  const ok = checks.every((c) => c.ok);
  const failed = checks.filter((c) => !c.ok).map((c) => c.detail);
  const steps = source && target ? planSteps(source, target, input) : [];
  return {
    ok,
    steps,
    checks,
    reason: ok
      ? `a failover from ${from} to ${to} would succeed: ${to} is ${target!.state.toUpperCase()} with health score ` +
        `${target!.score!.toFixed(2)}`
      : `a failover from ${from} to ${to} would not succeed: ${failed.join('; ')}`,
  };
}

function targetChecks(target: RegionView, cfg: FailoverDecisionConfig): PlanCheck[] {
  const threshold = cfg.failback.health_threshold;
  const registration = target.registration;
  return [
    check(
      'target-eligible',
      isEligible(target.state, cfg),
      isEligible(target.state, cfg)
        ? `${target.name} is ${target.state.toUpperCase()}, eligible to be active`
        : `${target.name} is ${target.state.toUpperCase()}, not eligible to be active` +
            (target.state === HealthState.DEGRADED ? ' (degraded_is_eligible is off)' : ''),
    ),
    check(
      'target-health-score',
      target.score !== null && target.score >= threshold,
      target.score === null
        ? `${target.name} has no health score yet`
        : `${target.name}'s health score is ${target.score.toFixed(2)} (health_threshold ${threshold})`,
    ),
    check(
      'target-registration',
      registration !== 'failed',
      registration === 'registered'
        ? `${target.name}'s trunk registration is up`
        : registration === 'failed'
          ? `${target.name}'s trunk registration is failing`
          : registration === 'none'
            ? `${target.name} has no registration configured`
            : `${target.name}'s registration state is not known`,
    ),
  ];
}

function planSteps(source: RegionView, target: RegionView, input: FailoverInput): string[] {
  // A failover to the region already active changes nothing: say so rather than "X in place of X".
  if (input.active === target.name) {
    return [`nothing to switch: ${target.name} is already the active region, and new calls keep going to it`];
  }
  const order = [target, ...rankRegions(input.regions.filter((r) => r.name !== target.name))].map(
    (r) => r.name,
  );
  // The switch is from whatever is active, which is `source` only when the source-is-active check passes.
  const current = input.active ?? 'no region';
  return [
    `make ${target.name} the active region in place of ${current}` +
      (input.active !== source.name ? ` (${source.name} is not the active region)` : ''),
    `send new calls to ${order.join(', then ')}`,
    `leave calls in progress on ${current} where they are; their in-dialog requests follow Record-Route`,
    `record the switch in geo_failover_history (from ${current} to ${target.name}, automatic false)`,
    `keep ${target.name} active as the operator's choice until it fails or failback rules bring back a recovered region`,
  ];
}

function check(name: string, ok: boolean, detail: string): PlanCheck {
  return { name, ok, detail };
}
