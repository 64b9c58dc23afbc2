import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SCORE_BUCKETS,
  SLOW_SUCCESS_WEIGHT,
  addScoreSample,
  emptyScoreWindow,
  healthScore,
  type ScoreWindow,
} from '../../src/health/score';

const T0 = Date.parse('2025-01-15T10:00:00.000Z');
const WARN_MS = 500;

function add(w: ScoreWindow, at: number, success: boolean, latency_ms = 20, warning = false): ScoreWindow {
  return addScoreSample(w, { at, success, latency_ms, warning }, WARN_MS);
}

describe('health score', () => {
  it('is null with no result in the window', () => {
    expect(healthScore(emptyScoreWindow(300), T0)).toBeNull();
  });

  it('is successes over results inside the window', () => {
    let w = emptyScoreWindow(300);
    for (let i = 0; i < 8; i++) w = add(w, T0 + i * 1000, true);
    for (let i = 8; i < 10; i++) w = add(w, T0 + i * 1000, false);
    expect(healthScore(w, T0 + 10_000)).toBeCloseTo(0.8);
  });

  it('counts a slow or warning success as half a success', () => {
    let w = emptyScoreWindow(300);
    w = add(w, T0, true, 900);
    w = add(w, T0 + 1, true, 20, true);
    w = add(w, T0 + 2, true, 20);
    w = add(w, T0 + 3, true, WARN_MS); // at the threshold is not above it
    expect(SLOW_SUCCESS_WEIGHT).toBe(0.5);
    expect(healthScore(w, T0 + 3)).toBeCloseTo(3 / 4);
  });

  it('forgets results older than the window', () => {
    let w = emptyScoreWindow(60);
    w = add(w, T0, false);
    w = add(w, T0 + 30_000, true);
    expect(healthScore(w, T0 + 30_000)).toBeCloseTo(0.5);
    expect(healthScore(w, T0 + 61_000)).toBe(1);
    expect(healthScore(w, T0 + 91_000)).toBeNull();
  });

  it('drops a late result whose slot already holds newer time', () => {
    let w = add(emptyScoreWindow(60), T0 + 120_000, true);
    const late = add(w, T0, false);
    expect(late).toBe(w);
    w = late;
    expect(healthScore(w, T0 + 120_000)).toBe(1);
  });

  it('property: stays within 0..1 and keeps a bounded number of buckets', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 600_000 }), fc.boolean(), fc.integer({ min: 0, max: 2000 })),
        ),
        (samples) => {
          let w = emptyScoreWindow(120);
          for (const [dt, success, lat] of samples) w = add(w, T0 + dt, success, lat);
          expect(w.buckets.length).toBe(SCORE_BUCKETS);
          const s = healthScore(w, T0 + 600_000);
          if (s !== null) {
            expect(s).toBeGreaterThanOrEqual(0);
            expect(s).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });
});
