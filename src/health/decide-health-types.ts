/**
 * What health monitoring remembers about one region between check results: the input of decideHealth.
 * The caller keeps one RegionHealthRecord per region and replaces it with what the reducers in
 * decide-health-apply.ts return; nothing here does I/O or reads the clock.
 */
import type { FailoverConfig, HealthCheckConfig } from '../config/types';
import { emptyScoreWindow, type ScoreWindow } from './score';

/** The part of the resolved configuration health decisions read (GeoConfig satisfies it). */
export interface HealthDecisionConfig {
  readonly health_check: HealthCheckConfig;
  readonly failover: Pick<FailoverConfig, 'min_failure_duration'>;
}

export interface CheckResult {
  readonly method: string;
  readonly success: boolean;
  readonly latency_ms: number;
  /** Why it failed, as it should read in a sentence: `timeout after 250 ms`, `503 Service Unavailable`. */
  readonly error?: string;
  /** A pass with a warning (an external command exiting 1): makes the region WARNING. */
  readonly warning?: string;
  /** When the result was known, ms epoch. */
  readonly at: number;
}

export type CallOutcome = 'ok' | 'timeout' | '408' | '5xx' | 'transport-error';

export interface CallOutcomeReport {
  readonly outcome: CallOutcome;
  readonly at: number;
  /**
   * Why the call failed, in the transport's words (`TLS handshake failed: certificate has expired
   * (CERT_HAS_EXPIRED)`, `connection refused`), for a transport error; applyCallOutcome bounds it.
   */
  readonly detail?: string;
}

/** 'none': the region has no credentials, so registration says nothing about its health. */
export type RegistrationStatus = 'registered' | 'failed' | 'none';

export interface RegistrationReport {
  readonly status: RegistrationStatus;
  readonly at: number;
  /** e.g. `403 Forbidden`, `no answer to REGISTER`. */
  readonly detail?: string;
}

/** Consecutive failures of the primary method. */
export interface FailStreak {
  readonly method: string;
  readonly count: number;
  /** `at` of the first failure of the streak. */
  readonly since: number;
  readonly last: CheckResult;
}

/** DOWN is latched: it holds until `success_threshold` consecutive successes, whatever caused it. */
export interface DownLatch {
  readonly at: number;
  readonly cause: 'probes' | 'duration' | 'passive';
  /** The reason fragment as it was when DOWN was decided. */
  readonly detail: string;
}

export interface PassiveStreak {
  /** Consecutive failed calls reported by the call path; a successful call resets it. */
  readonly failures: number;
  readonly since: number | null;
  readonly last: CallOutcomeReport | null;
}

export interface Simulation {
  readonly since: number;
  /** Exclusive; kept after the end so the moment the region came back is known. */
  readonly until: number;
}

export interface RegionHealthRecord {
  readonly region: string;
  /** The latest result of each method. */
  readonly latest: Readonly<Record<string, CheckResult>>;
  readonly failStreak: FailStreak | null;
  /** Consecutive successes of the primary method. */
  readonly successStreak: number;
  /** Failed since it was last HEALTHY: needs `success_threshold` consecutive successes to be HEALTHY again. */
  readonly recovering: boolean;
  readonly down: DownLatch | null;
  /** Start of the current failing episode (first failure, until recovered); duration_ms of a failover. */
  readonly firstFailureAt: number | null;
  /** When the region last became HEALTHY or WARNING from real check results; null while it is not. */
  readonly healthySince: number | null;
  readonly calls: PassiveStreak;
  readonly registration: RegistrationReport | null;
  readonly simulation: Simulation | null;
  readonly score: ScoreWindow;
}

export function newRegionHealthRecord(region: string, cfg: HealthDecisionConfig): RegionHealthRecord {
  return {
    region,
    latest: {},
    failStreak: null,
    successStreak: 0,
    recovering: false,
    down: null,
    firstFailureAt: null,
    healthySince: null,
    calls: { failures: 0, since: null, last: null },
    registration: null,
    simulation: null,
    score: emptyScoreWindow(cfg.health_check.score_window),
  };
}

/**
 * The method whose failures count towards CRITICAL and DOWN: `sip_options` when configured, because a
 * trunk that does not answer SIP cannot carry calls whatever HTTP or ICMP say; otherwise the first one.
 */
export function primaryMethod(cfg: HealthDecisionConfig): string {
  const methods = cfg.health_check.check_methods;
  return methods.includes('sip_options') ? 'sip_options' : (methods[0] ?? 'sip_options');
}

export function simulationInForce(record: RegionHealthRecord, now: number): boolean {
  const sim = record.simulation;
  return sim !== null && sim.since <= now && now < sim.until;
}
