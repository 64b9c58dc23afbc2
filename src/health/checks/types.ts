/**
 * What every health-check method is: a function of one region and a deadline that always settles with an
 * outcome. A check never throws; a failure is an outcome with a one-line `error`, so the monitor can run
 * all methods side by side and record each result as it is.
 */
import type { RegionConfig } from '../../config/types';

export type CheckLevel = 'ok' | 'warning' | 'critical';

export interface CheckOutcome {
  readonly success: boolean;
  /** `warning`: the check passed but says something is off (an external command exiting 1). */
  readonly level?: CheckLevel;
  /** Round trip of the probe; null when there was no answer to time. */
  readonly latency_ms: number | null;
  /** Why it failed, one line: `503 Service Unavailable`, `no answer within 250 ms`, `connection refused`. */
  readonly error?: string;
  /** Anything worth showing beside the result: the endpoint probed, a command's output, a TTL note. */
  readonly detail?: string;
}

export interface CheckContext {
  readonly timeoutMs: number;
  /** Aborted when the monitor gives up on the probe (its timeout, stop, pause). */
  readonly signal: AbortSignal;
}

export type CheckFn = (region: RegionConfig, ctx: CheckContext) => Promise<CheckOutcome>;

/** A registered check: its function, and its own deadline when it has one (a command check's `timeout`). */
export interface CheckEntry {
  readonly name: string;
  readonly run: CheckFn;
  readonly timeoutMs?: number;
  /** False for a region the method says nothing about (http_ping without `http_check_url`). */
  readonly appliesTo?: (region: RegionConfig) => boolean;
}
