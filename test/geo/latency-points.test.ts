import { describe, expect, it } from 'vitest';
import { latencyPoints } from '../../src/geo/views';

describe('latencyPoints', () => {
  it('averages successful checks per minute, counts failures, drops what is older than the window', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    const rows = [
      { checked_at: '2026-01-01T00:59:10Z', latency_ms: 10, success: true },
      { checked_at: '2026-01-01T00:59:50Z', latency_ms: 30, success: true },
      { checked_at: '2026-01-01T00:59:55Z', latency_ms: null, success: false },
      { checked_at: '2026-01-01T00:58:05Z', latency_ms: null, success: false },
      { checked_at: '2025-12-31T23:00:00Z', latency_ms: 99, success: true },
    ];
    expect(latencyPoints(rows, now, 60)).toEqual([
      { time: '2026-01-01T00:58:00.000Z', latency_ms: null, checks: 1, failures: 1 },
      { time: '2026-01-01T00:59:00.000Z', latency_ms: 20, checks: 3, failures: 1 },
    ]);
  });
});
