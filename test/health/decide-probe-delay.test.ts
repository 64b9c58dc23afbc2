import { describe, expect, it } from 'vitest';
import type { HealthCheckConfig } from '../../src/config/types';
import { applyCheckResult } from '../../src/health/decide-health-apply';
import { decideHealth } from '../../src/health/decide-health';
import { newRegionHealthRecord, type HealthDecisionConfig } from '../../src/health/decide-health-types';
import { nextProbeDelay } from '../../src/health/decide-probe-delay';
import { HealthState } from '../../src/model/health-state';
import { decisionConfig, T0 } from './fixtures';

/** The shared fixture with the shipped success_threshold of 2. */
function config(hc: Partial<HealthCheckConfig>): HealthDecisionConfig {
  return decisionConfig({ success_threshold: 2, ...hc });
}

/**
 * Virtual-time probe loop: one probe at a time, sent at `t`; a live region answers after `rtt` ms, a dead
 * one is a timeout after `timeout`. Returns when the region is first DOWN and when the first probe met the
 * outage.
 */
function timeToDown(
  cfg: HealthDecisionConfig,
  outageAt: number,
  firstProbeAt: number,
  rtt = 20,
): { downAt: number; firstDeadProbe: number } {
  let firstDeadProbe: number | null = null;
  let rec = newRegionHealthRecord('us-east-1', cfg);
  let t = firstProbeAt;
  const timeoutMs = cfg.health_check.timeout * 1000;
  for (let i = 0; i < 1000; i++) {
    const dead = t >= outageAt;
    if (dead) firstDeadProbe ??= t;
    const at = t + (dead ? timeoutMs : rtt);
    rec = applyCheckResult(
      rec,
      dead
        ? { method: 'sip_options', success: false, latency_ms: timeoutMs, error: 'timeout', at }
        : { method: 'sip_options', success: true, latency_ms: rtt, at },
      cfg,
      at,
    );
    if (decideHealth(rec, cfg, at).state === HealthState.DOWN)
      return { downAt: at, firstDeadProbe: firstDeadProbe! };
    t = at + nextProbeDelay(rec, cfg, 0.5);
  }
  throw new Error('never DOWN');
}

describe('nextProbeDelay', () => {
  it('paces healthy probes at interval, spread by ± jitter from the random unit', () => {
    const cfg = config({ interval: 30, jitter: 0.1 });
    const rec = newRegionHealthRecord('us-east-1', cfg);
    expect(nextProbeDelay(rec, cfg, 0.5)).toBe(30_000);
    expect(nextProbeDelay(rec, cfg, 0)).toBe(27_000);
    expect(nextProbeDelay(rec, cfg, 0.999999)).toBe(33_000);
  });

  it('re-probes at once after the first failure, then one probe start every timeout', () => {
    const cfg = config({ timeout: 10, retry_count: 4 });
    let rec = newRegionHealthRecord('us-east-1', cfg);
    rec = applyCheckResult(
      rec,
      { method: 'sip_options', success: false, latency_ms: 3, error: 'refused', at: T0 },
      cfg,
      T0,
    );
    expect(nextProbeDelay(rec, cfg, 0.5)).toBe(0);
    rec = applyCheckResult(
      rec,
      { method: 'sip_options', success: false, latency_ms: 3, error: 'refused', at: T0 + 3 },
      cfg,
      T0 + 3,
    );
    expect(nextProbeDelay(rec, cfg, 0.5)).toBe(9_997);
    const timedOut = applyCheckResult(
      rec,
      { method: 'sip_options', success: false, latency_ms: 10_000, error: 'timeout', at: T0 + 20_000 },
      cfg,
      T0 + 20_000,
    );
    expect(nextProbeDelay(timedOut, cfg, 0.5)).toBe(0);
  });

  it('returns to interval once DOWN, to watch for recovery without hammering', () => {
    const cfg = config({ retry_count: 2 });
    let rec = newRegionHealthRecord('us-east-1', cfg);
    for (const at of [T0, T0 + 10_000]) {
      rec = applyCheckResult(rec, { method: 'sip_options', success: false, latency_ms: 10_000, at }, cfg, at);
    }
    expect(decideHealth(rec, cfg, T0 + 10_000).state).toBe(HealthState.DOWN);
    expect(nextProbeDelay(rec, cfg, 0.5)).toBe(30_000);
  });

  it('guide defaults (interval 30, timeout 10, retry_count 3): DOWN timeout × retry_count after the outage', () => {
    const cfg = config({ interval: 30, timeout: 10, retry_count: 3 });
    const { downAt, firstDeadProbe } = timeToDown(cfg, T0 + 45_000, T0);
    expect(downAt - firstDeadProbe).toBe(30_000);
    // Probes run every interval: the outage is met at most one interval (plus jitter) after it starts.
    expect(downAt - (T0 + 45_000)).toBeLessThanOrEqual(33_000 + 30_000);
  });

  it('fast profile (interval 1, timeout 0.25, retry_count 2): DOWN 0.5 s after the outage', () => {
    const cfg = config({ interval: 1, timeout: 0.25, retry_count: 2 });
    // The outage starts as a probe goes out (the second probe leaves at T0 + 20 ms rtt + 1 s).
    const { downAt, firstDeadProbe } = timeToDown(cfg, T0 + 1020, T0);
    expect(firstDeadProbe).toBe(T0 + 1020);
    expect(downAt - firstDeadProbe).toBe(500);
  });
});
