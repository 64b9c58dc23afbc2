/**
 * decideHealth: the health state of one region from its record, the configuration and the clock.
 * The rules, in the order they are tried (the first that holds wins), are docs/health-and-failover.md
 * "Health states"; keep the two in step.
 */
import { HealthState } from '../model/health-state';
import { clockTime, seconds } from './decide-format';
import {
  primaryMethod,
  simulationInForce,
  type CallOutcome,
  type CallOutcomeReport,
  type CheckResult,
  type DownLatch,
  type FailStreak,
  type HealthDecisionConfig,
  type RegionHealthRecord,
} from './decide-health-types';
import { healthScore } from './score';

export interface HealthDecision {
  readonly state: HealthState;
  /** One sentence, logged and recorded. */
  readonly reason: string;
  /** Start of the current failing episode (or of the simulated failure); null when not failing. */
  readonly firstFailureAt: number | null;
  /** Since when the region has been HEALTHY or WARNING without a break; null when it is not. */
  readonly healthySince: number | null;
  /** Health score over the window, 0..1, or null with no result in the window. */
  readonly score: number | null;
}

export function decideHealth(
  record: RegionHealthRecord,
  cfg: HealthDecisionConfig,
  now: number,
): HealthDecision {
  const { state, reason } = evaluateHealth(record, cfg, now);
  const simulating = simulationInForce(record, now);
  const eligibleNow = state === HealthState.HEALTHY || state === HealthState.WARNING;
  const simFrom = simulating ? record.simulation!.since : null;
  const firstFailureAt =
    simFrom === null ? record.firstFailureAt : Math.min(simFrom, record.firstFailureAt ?? simFrom);
  // A simulated failure is an interruption of health too: continuous health restarts when it ends.
  const simEnd = record.simulation && record.simulation.until <= now ? record.simulation.until : null;
  const healthySince =
    eligibleNow && record.healthySince !== null ? Math.max(record.healthySince, simEnd ?? -Infinity) : null;
  return { state, reason, firstFailureAt, healthySince, score: healthScore(record.score, now) };
}

/** State and reason only; the reducers use it to keep healthySince. */
export function evaluateHealth(
  record: RegionHealthRecord,
  cfg: HealthDecisionConfig,
  now: number,
): { state: HealthState; reason: string } {
  const hc = cfg.health_check;
  const name = record.region;
  const say = (state: HealthState, why: string) => ({
    state,
    reason: `${name} is ${state.toUpperCase()}: ${why}`,
  });

  if (simulationInForce(record, now)) {
    return say(HealthState.DOWN, `failure simulated until ${clockTime(record.simulation!.until)}`);
  }

  const down = record.down ?? durationLatch(record, cfg, now);
  if (down) return say(HealthState.DOWN, downDetail(record, down, cfg));

  // Enough failures for DOWN, but not yet failing for min_failure_duration: the minimum holds it back.
  const minMs = cfg.failover.min_failure_duration * 1000;
  const streak = record.failStreak;
  const calls = record.calls;
  const threshold = hc.passive_failure_threshold;
  if (streak && streak.count >= hc.retry_count) {
    return say(
      HealthState.CRITICAL,
      `${failuresDetail(streak)}; DOWN at ${clockTime(streak.since + minMs)} if still failing, after ` +
        `min_failure_duration (${seconds(minMs)}) of continuous failure`,
    );
  }
  if (threshold > 0 && calls.failures >= threshold && calls.since !== null && calls.last) {
    return say(
      HealthState.CRITICAL,
      `${callsDetail(calls.failures, calls.last)}; DOWN at ${clockTime(calls.since + minMs)} if calls ` +
        `still fail, after min_failure_duration (${seconds(minMs)})`,
    );
  }
  if (streak) {
    return say(
      HealthState.CRITICAL,
      `${plural(streak.count, `consecutive ${streak.method} failure`)} of the ${hc.retry_count} that mean DOWN ` +
        `(${failureText(streak.last)}), the last at ${clockTime(streak.last.at)}`,
    );
  }
  if (record.recovering) {
    return say(
      HealthState.CRITICAL,
      `recovering, ${record.successStreak} of ${hc.success_threshold} consecutive ` +
        `${primaryMethod(cfg)} successes needed to be HEALTHY`,
    );
  }

  const methods = hc.check_methods;
  const results = methods.map((m) => record.latest[m]).filter((r): r is CheckResult => r !== undefined);
  const failing = results.filter((r) => !r.success);
  if (failing.length > 0 && failing.length * 2 >= methods.length) {
    return say(
      HealthState.DEGRADED,
      `${failing.length} of ${methods.length} check methods failing (${failing.map(methodFailure).join(', ')})`,
    );
  }
  const reg = record.registration;
  if (reg && reg.status === 'failed') {
    return say(
      HealthState.DEGRADED,
      `${primaryMethod(cfg)} passes but the trunk registration fails` +
        `${reg.detail ? ` (${reg.detail})` : ''} since ${clockTime(reg.at)}`,
    );
  }
  if (failing.length > 0) {
    return say(
      HealthState.WARNING,
      `${failing.length} of ${methods.length} check methods failing (${failing.map(methodFailure).join(', ')})`,
    );
  }
  const slow = results.filter((r) => r.latency_ms > hc.latency_warning_ms);
  if (slow.length > 0) {
    return say(
      HealthState.WARNING,
      `${slow.map((r) => `${r.method} answered in ${r.latency_ms} ms`).join(', ')}, ` +
        `above latency_warning_ms (${hc.latency_warning_ms} ms)`,
    );
  }
  const warned = results.filter((r) => r.warning !== undefined);
  if (warned.length > 0) {
    return say(HealthState.WARNING, warned.map((r) => `${r.method} warns: ${r.warning}`).join(', '));
  }
  if (results.length === 0) {
    return say(HealthState.HEALTHY, 'no check result yet, assumed healthy until the first probe answers');
  }
  return say(
    HealthState.HEALTHY,
    `${results.length === methods.length ? 'all ' : ''}${results.length} of ${methods.length} check methods ` +
      `pass within latency_warning_ms (${hc.latency_warning_ms} ms)`,
  );
}

/**
 * DOWN at time `t`, if the record shows it: `retry_count` consecutive primary failures, or
 * `passive_failure_threshold` consecutive failed calls, in either case failing continuously for at least
 * `min_failure_duration` (measured from the first failure seen). The minimum is a minimum: however many
 * failures arrive sooner, a region is not DOWN before it (the guide's "fail after 60 seconds of issues").
 * Failed calls are bound by it too, so an operator who sets 60 s sees no DOWN before 60 s; meanwhile each
 * call still moves to the next region on the wire, and a region that fails enough is CRITICAL, which
 * new calls avoid.
 */
export function durationLatch(
  record: RegionHealthRecord,
  cfg: HealthDecisionConfig,
  t: number,
): DownLatch | null {
  const minMs = cfg.failover.min_failure_duration * 1000;
  const lasted = lastedText(cfg);
  const streak = record.failStreak;
  if (streak && streak.count >= cfg.health_check.retry_count && t >= streak.since + minMs) {
    return {
      at: Math.max(streak.since + minMs, streak.last.at),
      cause: 'probes',
      detail: failuresDetail(streak) + lasted,
    };
  }
  const calls = record.calls;
  const threshold = cfg.health_check.passive_failure_threshold;
  if (
    threshold > 0 &&
    calls.failures >= threshold &&
    calls.since !== null &&
    calls.last &&
    t >= calls.since + minMs
  ) {
    return {
      at: Math.max(calls.since + minMs, calls.last.at),
      cause: 'passive',
      detail: callsDetail(calls.failures, calls.last) + lasted,
    };
  }
  return null;
}

function lastedText(cfg: HealthDecisionConfig): string {
  const minMs = cfg.failover.min_failure_duration * 1000;
  return minMs > 0 ? `, failing continuously for min_failure_duration (${seconds(minMs)}) or more` : '';
}

const CALL_OUTCOME_TEXT: Record<Exclude<CallOutcome, 'ok'>, string> = {
  timeout: 'a timeout',
  '408': 'a 408',
  '5xx': 'a 5xx',
  'transport-error': 'a transport error',
};

function callsDetail(failures: number, last: CallOutcomeReport): string {
  const what = last.outcome === 'ok' ? 'a success' : CALL_OUTCOME_TEXT[last.outcome];
  const why = last.detail ? ` (${last.detail})` : '';
  return (
    `${failures} consecutive failed calls reported by the call path, ` +
    `the last ${what}${why} at ${clockTime(last.at)}`
  );
}

export function failuresDetail(streak: FailStreak): string {
  return (
    `${plural(streak.count, `consecutive ${streak.method} failure`)} (${failureText(streak.last)}), ` +
    `the last at ${clockTime(streak.last.at)}`
  );
}

function downDetail(record: RegionHealthRecord, down: DownLatch, cfg: HealthDecisionConfig): string {
  const streak = record.failStreak;
  // Still failing: the live count says more than the one frozen when DOWN was decided.
  if (streak && streak.count >= cfg.health_check.retry_count && down.cause === 'probes') {
    return failuresDetail(streak) + lastedText(cfg);
  }
  // Successes count towards recovery only once DOWN is latched (before, they came before the failures).
  if (record.down && record.successStreak > 0) {
    return (
      `${down.detail}; recovering, ${record.successStreak} of ${cfg.health_check.success_threshold} ` +
      `consecutive ${primaryMethod(cfg)} successes needed`
    );
  }
  return down.detail;
}

function failureText(r: CheckResult): string {
  return r.error ?? 'failed';
}

function methodFailure(r: CheckResult): string {
  return `${r.method}: ${failureText(r)}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
