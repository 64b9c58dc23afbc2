/**
 * The pure decisions: which GeoEvent raises which alert (alertOf), send or suppress with grouping per
 * condition (decideAlert, decideRecheck), and retry with backoff and jitter (decideRetry); each sentence
 * asserted.
 */
import { describe, expect, it } from 'vitest';
import { alertOf } from '../../src/alerts/alert-of';
import { decideAlert, decideRecheck, type ConditionState } from '../../src/alerts/decide-alert';
import { decideRetry } from '../../src/alerts/decide-retry';
import { ALERT_EVENTS, type Alert } from '../../src/alerts/types';
import type { GeoEvent } from '../../src/geo/types';
import { HealthState } from '../../src/model/health-state';

const T0 = Date.parse('2026-01-20T02:00:00Z');
const ctx = {
  id: 'msg_1',
  instance: 'geo-a',
  priorityOf: (r: string) => ({ 'us-east-1': 1, 'us-west-1': 2 })[r],
};
const state = (to: HealthState, from: HealthState, at = T0): GeoEvent => ({
  type: 'state',
  region: 'us-east-1',
  from,
  to,
  reason: `us-east-1 is ${to.toUpperCase()}: why`,
  at,
});
const cfg = { on_events: [...ALERT_EVENTS], repeat_interval: 600 };

function run(events: GeoEvent[], config = cfg) {
  const conditions = new Map<string, ConditionState>();
  return events.map((e) => {
    const a = alertOf(e, ctx)!;
    const d = decideAlert(a, conditions, config, e.at);
    for (const [c, s] of d.updates) conditions.set(c, s);
    return { alert: a, decision: d, conditions };
  });
}

describe('alertOf', () => {
  it('maps each event of the service to its alert, with regions, states and the reason', () => {
    expect(alertOf(state(HealthState.DOWN, HealthState.CRITICAL), ctx)).toEqual({
      id: 'msg_1',
      event: 'region_down',
      severity: 'critical',
      kind: 'trigger',
      region: 'us-east-1',
      regions: ['us-east-1'],
      state_before: 'critical',
      state_after: 'down',
      reason: 'us-east-1 is DOWN: why',
      time: '2026-01-20T02:00:00.000Z',
      instance: 'geo-a',
      condition: 'region_down:us-east-1',
      resolves: [],
    });
    const f = (from: string, to: string) =>
      alertOf(
        {
          type: 'failover',
          from_region: from,
          to_region: to,
          reason: 'r',
          automatic: true,
          at: T0,
          record: null,
        },
        ctx,
      )!;
    expect(f('us-east-1', 'us-west-1')).toMatchObject({
      event: 'failover',
      regions: ['us-east-1', 'us-west-1'],
    });
    expect(f('us-west-1', 'us-east-1')).toMatchObject({ event: 'failback', state_after: 'us-east-1' });
    expect(alertOf(state(HealthState.DEGRADED, HealthState.HEALTHY), ctx)?.event).toBe('region_degraded');
    expect(alertOf(state(HealthState.HEALTHY, HealthState.DOWN), ctx)).toMatchObject({
      event: 'region_recovered',
      kind: 'resolve',
      resolves: ['region_down:us-east-1', 'region_degraded:us-east-1', 'all_regions_down:all'],
    });
    // Back but slow is back: WARNING carries calls, so it resolves the page as HEALTHY does.
    expect(alertOf(state(HealthState.WARNING, HealthState.DOWN), ctx)).toMatchObject({
      event: 'region_recovered',
      kind: 'resolve',
    });
    expect(alertOf(state(HealthState.HEALTHY, HealthState.WARNING), ctx)).toBeNull();
    // A failure streak being confirmed, and slow answers, page nobody.
    expect(alertOf(state(HealthState.CRITICAL, HealthState.HEALTHY), ctx)).toBeNull();
    expect(alertOf(state(HealthState.WARNING, HealthState.HEALTHY), ctx)).toBeNull();
    expect(alertOf(state(HealthState.HEALTHY, HealthState.WARNING), ctx)).toBeNull();
    expect(alertOf({ type: 'all-down', keep: 'us-east-1', reason: 'all down', at: T0 }, ctx)).toMatchObject({
      event: 'all_regions_down',
      condition: 'all_regions_down:all',
    });
    expect(
      alertOf(
        { type: 'suppressed', from_region: 'us-west-1', wanted_to: 'us-east-1', reason: 'flap', at: T0 },
        ctx,
      ),
    ).toMatchObject({ event: 'flap_suppressed', regions: ['us-west-1', 'us-east-1'] });
    expect(
      alertOf(
        {
          type: 'failback-pending',
          id: 7,
          from_region: 'us-west-1',
          to_region: 'us-east-1',
          reason: 'x',
          at: T0,
        },
        ctx,
      ),
    ).toMatchObject({ event: 'failback_pending_approval', condition: 'failback_pending_approval:7' });
    const schedule = {
      id: 3,
      target_region: 'us-west-1',
      start_time: '2026-01-20T02:00:00Z',
      duration: 60,
      reason: 'maintenance',
      status: 'active' as const,
      created_by: null,
    };
    expect(alertOf({ type: 'scheduled', action: 'started', schedule, at: T0 }, ctx)).toMatchObject({
      event: 'scheduled_failover_started',
      reason: 'scheduled failover 3 to us-west-1 started: maintenance',
    });
    expect(alertOf({ type: 'scheduled', action: 'completed', schedule, at: T0 }, ctx)?.event).toBe(
      'scheduled_failover_ended',
    );
    expect(alertOf({ type: 'scheduled', action: 'created', schedule, at: T0 }, ctx)).toBeNull();
    const sim = (action: 'started' | 'ended'): GeoEvent => ({
      type: 'simulation',
      action,
      region: 'us-east-1',
      until: null,
      reason: 'drill',
      at: T0,
    });
    expect(alertOf(sim('started'), ctx)?.event).toBe('drill_started');
    expect(alertOf(sim('ended'), ctx)?.event).toBe('drill_ended');
    const reg = (from: string | null, to: string): GeoEvent => ({
      type: 'registration',
      region: 'us-east-1',
      from,
      to,
      reason: 'reg',
      at: T0,
    });
    expect(alertOf(reg('registered', 'failed'), ctx)).toMatchObject({
      event: 'registration_failed',
      kind: 'trigger',
    });
    expect(alertOf(reg('failed', 'registered'), ctx)).toMatchObject({ kind: 'resolve', silent: true });
    expect(alertOf(reg(null, 'registered'), ctx)).toBeNull();
  });
});

describe('decideAlert', () => {
  it('sends a new condition, suppresses it while it lasts within the repeat interval, sends the recovery once', () => {
    const [down, again, up, up2] = run([
      state(HealthState.DOWN, HealthState.CRITICAL),
      state(HealthState.DOWN, HealthState.CRITICAL, T0 + 5_000),
      state(HealthState.HEALTHY, HealthState.CRITICAL, T0 + 10_000),
      state(HealthState.HEALTHY, HealthState.CRITICAL, T0 + 20_000),
    ]);
    expect(down!.decision).toMatchObject({
      kind: 'send',
      reason: 'region_down for us-east-1 sent: a new condition',
    });
    expect(again!.decision).toMatchObject({
      kind: 'suppress',
      reason:
        'region_down for us-east-1 not sent again: the same was sent 5 s ago, within the repeat interval of 600 s',
    });
    expect(up!.decision).toMatchObject({
      kind: 'send',
      reason: 'region_recovered for us-east-1 sent once: it clears region_down:us-east-1, which was alerted',
      // Only what was alerted is resolved (not region_degraded or all_regions_down, never opened).
      clears: ['region_down:us-east-1'],
    });
    expect(up2!.decision).toMatchObject({
      kind: 'suppress',
      reason:
        'region_recovered for us-east-1 not sent: no alert sent for it is still open, so there is nothing to recover from',
    });
  });

  it('a flap within the repeat interval is suppressed and rechecked when the interval is over', () => {
    const steps = run([
      state(HealthState.DOWN, HealthState.CRITICAL),
      state(HealthState.HEALTHY, HealthState.CRITICAL, T0 + 1_000),
      state(HealthState.DOWN, HealthState.CRITICAL, T0 + 2_000),
    ]);
    const flap = steps[2]!.decision;
    expect(flap).toMatchObject({
      kind: 'suppress',
      reason:
        'region_down for us-east-1 not sent: it was alerted 2 s ago and cleared since; a flapping region is not ' +
        'alerted again within the repeat interval of 600 s (it is sent then if it still holds)',
      recheckAt: T0 + 600_000,
    });
    const conditions = steps[2]!.conditions;
    expect(decideRecheck('region_down:us-east-1', conditions, T0 + 600_000)).toMatchObject({
      kind: 'send',
      reason: 'region_down:us-east-1 still holds after flapping through the repeat interval: sent now',
    });
    conditions.set('region_down:us-east-1', { open: false, notified: false, lastSentAt: T0 });
    expect(decideRecheck('region_down:us-east-1', conditions, T0 + 600_000)).toMatchObject({
      kind: 'suppress',
      reason: 'region_down:us-east-1 cleared by the end of the repeat interval: nothing to send',
    });
  });

  it('past the repeat interval a lasting condition is sent again', () => {
    const [, later] = run([
      state(HealthState.DOWN, HealthState.CRITICAL),
      state(HealthState.DOWN, HealthState.CRITICAL, T0 + 601_000),
    ]);
    expect(later!.decision).toMatchObject({
      kind: 'send',
      reason:
        'region_down for us-east-1 sent: the last one went out 601 s ago, beyond the repeat interval of 600 s',
    });
  });

  it('events not in on_events are not sent, and a recovery of a condition never alerted is not sent either', () => {
    const steps = run(
      [
        state(HealthState.DOWN, HealthState.CRITICAL),
        state(HealthState.HEALTHY, HealthState.CRITICAL, T0 + 1),
      ],
      { on_events: ['failover', 'region_recovered'], repeat_interval: 600 },
    );
    expect(steps.map((s) => s.decision.reason)).toEqual([
      'region_down for us-east-1 not sent: region_down is not in on_events',
      'region_recovered for us-east-1 not sent: no alert sent for it is still open, so there is nothing to recover from',
    ]);
  });

  it('a test alert is always sent', () => {
    const a = { ...alertOf(state(HealthState.DOWN, HealthState.CRITICAL), ctx)!, event: 'test' } as Alert;
    expect(decideAlert(a, new Map(), { on_events: [], repeat_interval: 1 }, T0)).toMatchObject({
      kind: 'send',
      reason: 'a test alert asked for through the API is always sent',
    });
  });
});

describe('decideRetry', () => {
  const c = { retry_attempts: 4, retry_initial_delay: 1, retry_max_delay: 3 };
  it('doubles the delay up to the cap, with half of it random, then gives up', () => {
    expect(decideRetry(1, 'HTTP 503', c, 0)).toEqual({
      kind: 'retry',
      delayMs: 500,
      reason: 'attempt 1 of 4 failed (HTTP 503); retrying in 500 ms',
    });
    expect(decideRetry(1, 'x', c, 0.999_999)).toMatchObject({ delayMs: 1000 });
    expect(decideRetry(2, 'x', c, 0)).toMatchObject({ delayMs: 1000 });
    expect(decideRetry(3, 'x', c, 0.5)).toMatchObject({ delayMs: 2250 });
    expect(decideRetry(4, 'HTTP 503', c, 0.5)).toEqual({
      kind: 'give-up',
      reason: 'failed 4 times, the most retry_attempts allows: HTTP 503',
    });
  });
});

describe('replication_lag', () => {
  const lag = (lagging: boolean, at: number): GeoEvent => ({
    type: 'replication_lag',
    lagging,
    publisher: 'eu-west-1',
    subscriber: 'us-west-1',
    lag_seconds: lagging ? 45 : 0.2,
    lag_bytes: lagging ? 5_000_000 : 0,
    threshold_seconds: 30,
    threshold_bytes: null,
    reason: lagging ? 'us-west-1 lags 45.0 s behind eu-west-1' : 'us-west-1 is back within 30 s',
    at,
  });

  it('alerts once when a region crosses the threshold and once when it is back; a relapse inside the repeat interval is not sent', () => {
    const out = run([lag(true, T0), lag(false, T0 + 60_000), lag(true, T0 + 120_000)]);
    expect(out.map((o) => [o.alert.event, o.alert.kind, o.alert.condition, o.decision.kind])).toEqual([
      ['replication_lag', 'trigger', 'replication_lag:eu-west-1->us-west-1', 'send'],
      ['replication_lag_recovered', 'resolve', 'replication_lag_recovered:eu-west-1->us-west-1', 'send'],
      ['replication_lag', 'trigger', 'replication_lag:eu-west-1->us-west-1', 'suppress'],
    ]);
    expect(out[0]!.alert).toMatchObject({
      severity: 'warning',
      region: 'us-west-1',
      regions: ['eu-west-1', 'us-west-1'],
      reason: 'us-west-1 lags 45.0 s behind eu-west-1',
    });
    expect(out[1]!.decision.reason).toBe(
      'replication_lag_recovered for us-west-1 sent once: it clears replication_lag:eu-west-1->us-west-1, which was alerted',
    );
    expect(out[1]!.alert.resolves).toEqual(['replication_lag:eu-west-1->us-west-1']);
  });

  it('a recovery of a lag never alerted is not sent', () => {
    const [only] = run([lag(false, T0)]);
    expect(only!.decision.kind).toBe('suppress');
  });
});
