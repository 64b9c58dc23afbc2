/**
 * A region's health score: the share of good check results over the last `score_window` seconds, 0..1.
 *
 * Memory is bounded by counting results in SCORE_BUCKETS time buckets (a ring keyed by bucket number)
 * rather than keeping each result, so the window slides in steps of score_window / SCORE_BUCKETS.
 * Values are immutable: adding a sample returns a new window, which keeps the health reducers pure.
 */

export const SCORE_BUCKETS = 60;

/** A slow answer still carries calls, but it is not full health: it counts this much of a success. */
export const SLOW_SUCCESS_WEIGHT = 0.5;

export interface ScoreBucket {
  /** floor(at / bucket_ms): which slice of time the counts belong to. */
  readonly index: number;
  readonly total: number;
  /** Sum of sample weights: 1 per good result, SLOW_SUCCESS_WEIGHT per slow or warning one, 0 per failure. */
  readonly good: number;
}

export interface ScoreWindow {
  readonly bucket_ms: number;
  readonly buckets: readonly (ScoreBucket | null)[];
}

export interface ScoreSample {
  readonly at: number;
  readonly success: boolean;
  readonly latency_ms: number;
  /** The check passed with a warning (an external command exiting 1). */
  readonly warning?: boolean;
}

export function emptyScoreWindow(scoreWindowSeconds: number): ScoreWindow {
  const bucket_ms = Math.max(1, Math.ceil((scoreWindowSeconds * 1000) / SCORE_BUCKETS));
  return { bucket_ms, buckets: new Array<ScoreBucket | null>(SCORE_BUCKETS).fill(null) };
}

export function sampleWeight(sample: ScoreSample, latencyWarningMs: number): number {
  if (!sample.success) return 0;
  if (sample.warning || sample.latency_ms > latencyWarningMs) return SLOW_SUCCESS_WEIGHT;
  return 1;
}

export function addScoreSample(
  window: ScoreWindow,
  sample: ScoreSample,
  latencyWarningMs: number,
): ScoreWindow {
  const index = Math.floor(sample.at / window.bucket_ms);
  const slot = mod(index, SCORE_BUCKETS);
  const current = window.buckets[slot] ?? null;
  // A late sample whose slot already holds a newer slice of time has fallen out of the window.
  if (current && current.index > index) return window;
  const base = current && current.index === index ? current : { index, total: 0, good: 0 };
  const buckets = window.buckets.slice();
  buckets[slot] = {
    index,
    total: base.total + 1,
    good: base.good + sampleWeight(sample, latencyWarningMs),
  };
  return { bucket_ms: window.bucket_ms, buckets };
}

/** The score at `now`, or null when no result falls inside the window (no evidence either way). */
export function healthScore(window: ScoreWindow, now: number): number | null {
  const nowIndex = Math.floor(now / window.bucket_ms);
  let total = 0;
  let good = 0;
  for (const bucket of window.buckets) {
    if (bucket && bucket.index > nowIndex - SCORE_BUCKETS && bucket.index <= nowIndex) {
      total += bucket.total;
      good += bucket.good;
    }
  }
  return total === 0 ? null : good / total;
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
