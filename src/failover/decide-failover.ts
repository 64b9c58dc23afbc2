/**
 * decideFailover: which region should be active now, as a pure function of the regions' health, the
 * operators' inputs (pin, schedules, approval), the configuration and the clock. The rules, in the order
 * they are tried, are docs/health-and-failover.md "Failover decisions"; keep the two in step.
 */
import { HealthState } from '../model/health-state';
import { clockTime, isoTime, seconds } from '../health/decide-format';
import {
  INITIATED_BY_GEORED,
  type FailoverDecision,
  type FailoverDecisionConfig,
  type FailoverInput,
  type RegionView,
  type ScheduledFailover,
} from './decide-failover-types';
import { flapGuardBlocks } from './decide-flap-guard';
import { compareRegions, eligibleRanked, isEligible, rankRegions } from './decide-select';

export function decideFailover(
  input: FailoverInput,
  cfg: FailoverDecisionConfig,
  now: number,
): FailoverDecision {
  const { regions } = input;
  const byName = new Map(regions.map((r) => [r.name, r]));
  const active = input.active === null ? null : (byName.get(input.active) ?? null);

  if (regions.length === 0) {
    return {
      kind: 'stay',
      active: input.active,
      reason: 'no region is configured, so no region can be active',
    };
  }

  if (regions.every((r) => r.state === HealthState.DOWN)) return allDown(input, active, regions);

  if (!active) return initialChoice(input, regions, cfg);

  const schedule = scheduleInForce(input.scheduled, now);
  let note = '';
  if (schedule) {
    const target = byName.get(schedule.target);
    if (target && isEligible(target.state, cfg)) {
      if (target.name === active.name) {
        return stay(
          active,
          `scheduled failover ${schedule.id} keeps ${target.name} active until ${isoTime(schedule.end)}`,
        );
      }
      return {
        kind: 'switch',
        from: active.name,
        to: target.name,
        automatic: false,
        initiated_by: `schedule:${schedule.id}`,
        reason:
          `scheduled failover ${schedule.id}${schedule.reason ? ` (${schedule.reason})` : ''} from ` +
          `${isoTime(schedule.start)} to ${isoTime(schedule.end)}: switching from ${active.name} to ${target.name}`,
        pin: { kind: 'scheduled', id: schedule.id, target: target.name },
      };
    }
    note = target
      ? `scheduled failover ${schedule.id} wants ${target.name} but it is ${upper(target.state)}, so the normal rules apply: `
      : `scheduled failover ${schedule.id} names ${schedule.target}, which is not a region, so the normal rules apply: `;
  }

  // A pin that no longer describes the active region (its schedule ended, or geored moved away) is void.
  const pin = input.pin;
  const pinHolds =
    pin !== null &&
    pin.target === active.name &&
    (pin.kind === 'manual' || (schedule !== null && schedule.id === pin.id));
  if (pin && pin.kind === 'scheduled' && pin.target === active.name && !pinHolds) {
    const best = eligibleRanked(regions, cfg)[0];
    if (best && best.name !== active.name) {
      return {
        kind: 'switch',
        from: active.name,
        to: best.name,
        automatic: false,
        initiated_by: `schedule:${pin.id}`,
        reason:
          `scheduled failover ${pin.id} is over: returning from ${active.name} to ${best.name}, ` +
          `the eligible region with the best priority (${best.priority})`,
        pin: null,
      };
    }
  }
  const decision = isEligible(active.state, cfg)
    ? failbackDecision(input, active, pinHolds && pin?.kind === 'manual' ? pin : null, cfg, now)
    : failoverDecision(input, active, cfg, now);
  const withNote = note ? prefixReason(decision, note) : decision;
  return pin && !pinHolds && withNote.kind === 'stay' ? { ...withNote, clear_pin: true } : withNote;
}

function failoverDecision(
  input: FailoverInput,
  active: RegionView,
  cfg: FailoverDecisionConfig,
  now: number,
): FailoverDecision {
  const what = `${active.name} is ${upper(active.state)}${active.stateSince !== null ? ` since ${clockTime(active.stateSince)}` : ''}`;
  if (active.state === HealthState.CRITICAL) {
    // retry_count exists to tell a lost probe from an outage: leave only once the failure is confirmed.
    return stay(active, `${what}, a failure not yet confirmed DOWN, so it stays active`);
  }
  const target = eligibleRanked(input.regions, cfg).find((r) => r.name !== active.name);
  if (!target) {
    const others = rankRegions(input.regions.filter((r) => r.name !== active.name))
      .map((r) => `${r.name} ${upper(r.state)}`)
      .join(', ');
    return stay(
      active,
      `${what} and no other region is eligible (${others}), so ${active.name} stays active`,
    );
  }
  if (!cfg.failover.automatic) {
    return stay(
      active,
      `${what} but automatic failover is off, so it stays active until an operator fails over ` +
        `(${target.name} is eligible)`,
    );
  }
  const switchAt = (active.stateSince ?? now) + cfg.failover.failover_delay * 1000;
  if (now < switchAt) {
    return stay(
      active,
      `${what}; failing over to ${target.name} at ${clockTime(switchAt)}, after failover_delay ` +
        `(${seconds(cfg.failover.failover_delay * 1000)})`,
    );
  }
  const guard = flapGuardBlocks(input.recentSwitches, cfg, now);
  if (guard) {
    return {
      kind: 'suppress',
      from: active.name,
      wanted_to: target.name,
      reason: `${guard}; not failing over from ${active.name} to ${target.name} although ${what}`,
    };
  }
  return {
    kind: 'switch',
    from: active.name,
    to: target.name,
    automatic: true,
    initiated_by: INITIATED_BY_GEORED,
    reason:
      `${what}, so failing over to ${target.name}, the eligible region with the best priority ` +
      `(${target.priority})`,
    ...(active.firstFailureAt !== null ? { duration_ms: now - active.firstFailureAt } : {}),
    pin: null,
  };
}

function failbackDecision(
  input: FailoverInput,
  active: RegionView,
  manual: Extract<FailoverInput['pin'], { kind: 'manual' }> | null,
  cfg: FailoverDecisionConfig,
  now: number,
): FailoverDecision {
  const better = eligibleRanked(input.regions, cfg).filter((r) => compareRegions(r, active) < 0);
  if (better.length === 0) {
    return stay(
      active,
      manual
        ? `${active.name} is ${upper(active.state)}, chosen by ${manual.by} (${manual.reason}) and no eligible region is preferred to it`
        : `${active.name} is ${upper(active.state)} and the eligible region with the best priority (${active.priority})`,
    );
  }
  let candidates = better;
  if (manual) {
    // An operator's choice is undone only by a region that failed and recovered after it was made.
    candidates = better.filter((r) => r.healthySince !== null && r.healthySince > manual.at);
    if (candidates.length === 0) {
      return stay(
        active,
        `manual failover to ${active.name} by ${manual.by} at ${clockTime(manual.at)} holds: ` +
          `${better[0]!.name} has not failed and recovered since`,
      );
    }
  }
  const first = candidates[0]!;
  const fb = cfg.failback;
  if (!fb.enabled) {
    return stay(
      active,
      `${first.name} (priority ${first.priority}) is ${upper(first.state)} but failback is disabled, ` +
        `so ${active.name} stays active`,
    );
  }
  const ready = candidates.find((r) => failbackShortfall(r, cfg, now) === null);
  if (!ready) {
    return stay(
      active,
      `failback from ${active.name} to ${first.name} waits: ${failbackShortfall(first, cfg, now)}`,
    );
  }
  const readyText =
    `${ready.name} has been healthy since ${clockTime(ready.healthySince!)} (failback delay ` +
    `${seconds(fb.delay * 1000)}) with health score ${ready.score!.toFixed(2)} (threshold ${fb.health_threshold})`;
  if (!fb.automatic) {
    const approval = input.failbackApproval;
    if (approval && approval.to === ready.name) {
      return {
        kind: 'switch',
        from: active.name,
        to: ready.name,
        automatic: false,
        initiated_by: approval.by,
        reason:
          `failback from ${active.name} to ${ready.name} approved by ${approval.by} at ` +
          `${clockTime(approval.at)}: ${readyText}`,
        pin: null,
      };
    }
    return {
      kind: 'await-approval',
      from: active.name,
      to: ready.name,
      reason: `failback from ${active.name} to ${ready.name} awaits an operator's approval: ${readyText}`,
    };
  }
  const guard = flapGuardBlocks(input.recentSwitches, cfg, now);
  if (guard) {
    return {
      kind: 'suppress',
      from: active.name,
      wanted_to: ready.name,
      reason: `${guard}; not failing back from ${active.name} to ${ready.name}`,
    };
  }
  return {
    kind: 'switch',
    from: active.name,
    to: ready.name,
    automatic: true,
    initiated_by: INITIATED_BY_GEORED,
    reason: `failing back from ${active.name} to ${ready.name}: ${readyText}`,
    pin: null,
  };
}

/** What keeps `region` from being failed back to, or null when nothing does. */
export function failbackShortfall(
  region: RegionView,
  cfg: FailoverDecisionConfig,
  now: number,
): string | null {
  const { delay, health_threshold } = cfg.failback;
  if (region.healthySince === null) return `${region.name} has no stretch of continuous health yet`;
  const healthyFor = now - region.healthySince;
  if (healthyFor < delay * 1000) {
    return `${region.name} has been healthy for ${seconds(healthyFor)} of the ${seconds(delay * 1000)} failback delay`;
  }
  if (region.score === null) return `${region.name} has no health score yet`;
  if (region.score < health_threshold) {
    return `${region.name}'s health score ${region.score.toFixed(2)} is below health_threshold ${health_threshold}`;
  }
  return null;
}

/** The schedule in force at `now`: start <= now < end; the latest start wins, then the smaller id. */
export function scheduleInForce(
  scheduled: readonly ScheduledFailover[],
  now: number,
): ScheduledFailover | null {
  let found: ScheduledFailover | null = null;
  for (const s of scheduled) {
    if (!(s.start <= now && now < s.end)) continue;
    if (!found || s.start > found.start || (s.start === found.start && s.id < found.id)) found = s;
  }
  return found;
}

function allDown(
  input: FailoverInput,
  active: RegionView | null,
  regions: readonly RegionView[],
): FailoverDecision {
  const names = rankRegions(regions)
    .map((r) => r.name)
    .join(', ');
  if (active) {
    const since = input.activeSince !== null ? `, active since ${clockTime(input.activeSince)}` : '';
    return {
      kind: 'all-down',
      keep: active.name,
      reason: `ALL REGIONS ARE DOWN (${names}): keeping ${active.name}${since}, and probing every region until one recovers`,
    };
  }
  const best = rankRegions(regions)[0]!;
  return {
    kind: 'all-down',
    keep: best.name,
    reason:
      `ALL REGIONS ARE DOWN (${names}) and none was active: keeping ${best.name}, the best priority ` +
      `(${best.priority}), and probing every region until one recovers`,
  };
}

function initialChoice(
  input: FailoverInput,
  regions: readonly RegionView[],
  cfg: FailoverDecisionConfig,
): FailoverDecision {
  const why =
    input.active === null
      ? 'no region is active yet'
      : `the active region ${input.active} is no longer configured`;
  const eligible = eligibleRanked(regions, cfg)[0];
  // Routing needs a region: with nothing eligible, the best one that is at least not DOWN.
  const chosen = eligible ?? rankRegions(regions.filter((r) => r.state !== HealthState.DOWN))[0]!;
  return {
    kind: 'switch',
    from: input.active,
    to: chosen.name,
    automatic: true,
    initiated_by: INITIATED_BY_GEORED,
    reason: eligible
      ? `${why}: ${chosen.name} is the eligible region with the best priority (${chosen.priority})`
      : `${why} and no region is eligible: ${chosen.name} (${upper(chosen.state)}) is the best region that is not DOWN`,
    pin: null,
  };
}

function stay(active: RegionView, reason: string): FailoverDecision {
  return { kind: 'stay', active: active.name, reason };
}

function prefixReason(decision: FailoverDecision, note: string): FailoverDecision {
  return { ...decision, reason: note + decision.reason };
}

function upper(state: HealthState): string {
  return state.toUpperCase();
}
