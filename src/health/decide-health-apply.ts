/**
 * Pure reducers over a RegionHealthRecord: each takes the record and one event (a check result, a call
 * outcome from the call path, a registration change, a simulated failure) and returns the next record.
 * Time comes in as arguments only.
 */
import { errorFactory } from '../errors/catalogue';
import { HEALTH_ERRORS } from '../errors/health';
import { HealthState } from '../model/health-state';
import { detailText } from './decide-format';
import { durationLatch, evaluateHealth } from './decide-health';
import {
  primaryMethod,
  type CallOutcomeReport,
  type CheckResult,
  type HealthDecisionConfig,
  type RegionHealthRecord,
  type RegistrationReport,
} from './decide-health-types';
import { addScoreSample } from './score';

const healthError = errorFactory(HEALTH_ERRORS);

export function applyCheckResult(
  record: RegionHealthRecord,
  result: CheckResult,
  cfg: HealthDecisionConfig,
  _now: number,
): RegionHealthRecord {
  const hc = cfg.health_check;
  // Results of a method no longer configured say nothing about the rules the operator asked for.
  if (!hc.check_methods.includes(result.method)) return record;

  // The region was failing continuously up to this result: latch DOWN first if that lasted long enough.
  let next: RegionHealthRecord = withDurationLatch(record, cfg, result.at);
  next = {
    ...next,
    latest: { ...next.latest, [result.method]: result },
    score: addScoreSample(
      next.score,
      {
        at: result.at,
        success: result.success,
        latency_ms: result.latency_ms,
        warning: result.warning !== undefined,
      },
      hc.latency_warning_ms,
    ),
  };

  if (result.method === primaryMethod(cfg)) {
    next = result.success ? primarySuccess(next, cfg) : primaryFailure(next, result, cfg);
  }
  return withHealthySince(next, cfg, result.at);
}

function primaryFailure(
  record: RegionHealthRecord,
  result: CheckResult,
  cfg: HealthDecisionConfig,
): RegionHealthRecord {
  const prev = record.failStreak;
  const failStreak = {
    method: result.method,
    count: (prev?.count ?? 0) + 1,
    since: prev?.since ?? result.at,
    last: result,
  };
  const next: RegionHealthRecord = {
    ...record,
    failStreak,
    successStreak: 0,
    recovering: true,
    firstFailureAt: record.firstFailureAt ?? result.at,
  };
  // DOWN needs retry_count failures and min_failure_duration of failing (durationLatch has both rules).
  return { ...next, down: record.down ?? durationLatch(next, cfg, result.at) };
}

function primarySuccess(record: RegionHealthRecord, cfg: HealthDecisionConfig): RegionHealthRecord {
  const successStreak = record.successStreak + 1;
  if (record.recovering && successStreak >= cfg.health_check.success_threshold) {
    // Recovered: the outage is over, and call failures counted during it no longer mean anything.
    return {
      ...record,
      failStreak: null,
      successStreak,
      recovering: false,
      down: null,
      firstFailureAt: null,
      calls: { failures: 0, since: null, last: record.calls.last },
    };
  }
  return { ...record, failStreak: null, successStreak };
}

/** A per-call outcome from the call path: `passive_failure_threshold` failed calls in a row mean DOWN at once. */
/**
 * False for an answered call after answered calls: what decideHealth reads is unchanged (it reads the last
 * call only while calls fail), so the call path's commonest signal needs no decision; the probes' own
 * evaluations still see the clock move.
 */
export function callOutcomeMatters(record: RegionHealthRecord, report: CallOutcomeReport): boolean {
  return report.outcome !== 'ok' || record.calls.failures !== 0;
}

export function applyCallOutcome(
  record: RegionHealthRecord,
  input: CallOutcomeReport,
  cfg: HealthDecisionConfig,
  _now: number,
): RegionHealthRecord {
  const report = boundedReport(input);
  if (report.outcome === 'ok') {
    return { ...record, calls: { failures: 0, since: null, last: report } };
  }
  const calls = {
    failures: record.calls.failures + 1,
    since: record.calls.since ?? report.at,
    last: report,
  };
  let next: RegionHealthRecord = { ...record, calls };
  next = withDurationLatch(next, cfg, report.at);
  return withHealthySince(next, cfg, report.at);
}

/**
 * The detail as the reason will quote it (one line, bounded: a remote party can influence a transport
 * error's text); none when empty, and none for an answered call, which has nothing to explain.
 */
function boundedReport(report: CallOutcomeReport): CallOutcomeReport {
  if (report.detail === undefined) return report;
  const detail = report.outcome === 'ok' ? '' : detailText(report.detail);
  return detail === '' ? { outcome: report.outcome, at: report.at } : { ...report, detail };
}

export function applyRegistrationStatus(
  record: RegionHealthRecord,
  report: RegistrationReport,
  cfg: HealthDecisionConfig,
  _now: number,
): RegionHealthRecord {
  return withHealthySince(
    { ...record, registration: report.status === 'none' ? null : report },
    cfg,
    report.at,
  );
}

/** simulate-failure: the region looks DOWN until `until` (ms epoch), touching nothing on the network. */
export function startSimulation(record: RegionHealthRecord, until: number, now: number): RegionHealthRecord {
  if (!(until > now)) {
    throw healthError('HEALTH_SIMULATION_TOO_SHORT', {
      region: record.region,
      until: new Date(until).toISOString(),
      now: new Date(now).toISOString(),
    });
  }
  return { ...record, simulation: { since: now, until } };
}

/** end-simulation: the region shows its real state again at once (its probes never stopped). */
export function endSimulation(record: RegionHealthRecord, now: number): RegionHealthRecord {
  const sim = record.simulation;
  if (!sim || sim.until <= now) return record;
  return { ...record, simulation: { since: sim.since, until: Math.max(sim.since, now) } };
}

function withDurationLatch(
  record: RegionHealthRecord,
  cfg: HealthDecisionConfig,
  t: number,
): RegionHealthRecord {
  if (record.down) return record;
  const latch = durationLatch(record, cfg, t);
  if (!latch) return record;
  if (latch.cause !== 'passive') return { ...record, down: latch };
  return {
    ...record,
    down: latch,
    // Recovery is proven by probes only: calls are no longer sent to a DOWN region.
    recovering: true,
    successStreak: 0,
    firstFailureAt: record.firstFailureAt ?? record.calls.since,
  };
}

function withHealthySince(
  record: RegionHealthRecord,
  cfg: HealthDecisionConfig,
  at: number,
): RegionHealthRecord {
  const { state } = evaluateHealth(record, cfg, at);
  // "Assumed healthy" before the first probe is not evidence: continuous health starts with a real answer.
  const answered = record.latest[primaryMethod(cfg)] !== undefined;
  const healthy = answered && (state === HealthState.HEALTHY || state === HealthState.WARNING);
  const healthySince = healthy ? (record.healthySince ?? at) : null;
  return healthySince === record.healthySince ? record : { ...record, healthySince };
}
