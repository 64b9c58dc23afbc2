/**
 * When to probe a region next. Normal pace is `interval` spread by jitter so that regions (and several
 * geored instances) do not probe in lockstep. A failure switches to confirmation pace: re-probe at once,
 * then one probe start every `timeout`, so DOWN is confirmed about `timeout × retry_count` after the first
 * failed probe instead of `interval × retry_count`. Once DOWN, probing returns to normal pace: recovery
 * needs `success_threshold` successes anyway, and a dead region gains nothing from being hammered.
 */
import type { RegionHealthRecord } from './decide-health-types';
import type { HealthCheckConfig } from '../config/types';

/**
 * Milliseconds until the next probe of the region, decided after a result was applied.
 * `randomUnit` is uniform in [0, 1) and supplied by the caller, which keeps this function pure.
 */
export function nextProbeDelay(
  record: RegionHealthRecord,
  cfg: { readonly health_check: Pick<HealthCheckConfig, 'interval' | 'timeout' | 'jitter'> },
  randomUnit: number,
): number {
  const { interval, timeout, jitter } = cfg.health_check;
  const streak = record.failStreak;
  if (streak && !record.down) {
    if (streak.count === 1) return 0;
    // The last probe already used up `latency_ms` of its slot (all of it when it timed out).
    return Math.max(0, Math.round(timeout * 1000 - streak.last.latency_ms));
  }
  const u = Math.min(Math.max(randomUnit, 0), 1);
  return Math.max(0, Math.round(interval * 1000 * (1 + jitter * (2 * u - 1))));
}
