/** `geored status` with several instances sharing Redis: a VIEWS column shows how their views split. */
import { describe, expect, it } from 'vitest';
import { colors } from '../../src/cli/colors';
import { statusLines, viewsText, type RegionReport } from '../../src/cli/status';
import type { HealthViewInfo, RegionHealth } from '../../src/geo/types';
import { HealthState } from '../../src/model/health-state';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const AT = new Date(NOW - 1000).toISOString();

function view(instance: string, state: HealthState, counted = true): HealthViewInfo {
  return { instance, state, reason: `${instance}: ${state}`, checked_at: AT, counted };
}

function health(views: HealthViewInfo[], shared: boolean): RegionHealth {
  return {
    region: 'us-east-1',
    state: HealthState.HEALTHY,
    reason: 'us-east-1 is HEALTHY, not DOWN: only 1 of 3 instances sees it DOWN (quorum 2)',
    score: 1,
    last_check: AT,
    state_since: null,
    first_failure_at: null,
    healthy_since: AT,
    registration: 'none',
    simulated_until: null,
    checks: [],
    views,
    quorum: {
      setting: 'majority',
      required: 2,
      fresh: views.filter((v) => v.counted).length,
      state: HealthState.HEALTHY,
      reason: 'x',
      shared,
    },
  };
}

function report(h: RegionHealth): RegionReport {
  return {
    name: 'us-east-1',
    priority: 1,
    health_state: h.state,
    is_active: true,
    last_check: AT,
    health: h,
    metrics: {
      uptime_percentage: 100,
      average_latency_ms: 0,
      calls_handled: 0,
      failover_count: 0,
      last_failover: null,
    },
  };
}

describe('geored status: views of several instances', () => {
  it.each([
    [
      'one of three down',
      [view('a', HealthState.HEALTHY), view('b', HealthState.DOWN), view('c', HealthState.HEALTHY)],
      '1/3 down (quorum 2)',
    ],
    [
      'all healthy',
      [view('a', HealthState.HEALTHY), view('b', HealthState.HEALTHY)],
      '2/2 healthy (quorum 2)',
    ],
    [
      'a stale view is not counted',
      [view('a', HealthState.DOWN, false), view('b', HealthState.CRITICAL)],
      '1/1 critical (quorum 2)',
    ],
    ['nothing fresh', [view('a', HealthState.DOWN, false)], '0 fresh'],
  ])('%s: %s', (_name, views, text) => {
    expect(viewsText(health(views, true))).toBe(text);
  });

  it('adds a VIEWS column only when several instances share live state', () => {
    const c = colors(false);
    const shared = statusLines(
      {
        active_region: null,
        regions: [
          report(
            health(
              [view('a', HealthState.HEALTHY), view('b', HealthState.DOWN), view('c', HealthState.HEALTHY)],
              true,
            ),
          ),
        ],
      },
      { c },
      NOW,
    );
    expect(shared[2]).toMatch(/\bVIEWS\b/);
    expect(shared[3]).toContain('1/3 down (quorum 2)');
    const alone = statusLines(
      { active_region: null, regions: [report(health([view('a', HealthState.HEALTHY)], false))] },
      { c },
      NOW,
    );
    expect(alone[2]).not.toMatch(/\bVIEWS\b/);
  });
});
