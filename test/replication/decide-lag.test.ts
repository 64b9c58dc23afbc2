/** decideLag: when a subscription's lag is told (once on crossing, once on recovery), as a table. */
import { describe, expect, it } from 'vitest';
import { decideLag, type LagMemory, type LagSample } from '../../src/replication/decide-lag';

const ch = { publisher: 'eu-west-1', subscriber: 'us-west-1' };
const T = { lag_alert_seconds: 30, lag_alert_bytes: 1_000_000 };
const T0 = 1_000_000;
const active = (bytes: number, seconds: number | null): LagSample => ({ bytes, seconds, active: true });
const away = (bytes: number | null): LagSample => ({ bytes, seconds: null, active: false });

describe('decideLag', () => {
  const rows: Array<{
    what: string;
    sample: LagSample;
    memory?: LagMemory;
    now?: number;
    thresholds?: typeof T | { lag_alert_seconds: number; lag_alert_bytes: null };
    seconds: number | null;
    event: 'lagging' | 'recovered' | null;
    lagging: boolean;
    reason: string;
  }> = [
    {
      what: 'caught up: nothing to tell',
      sample: active(0, 0.4),
      seconds: 0,
      event: null,
      lagging: false,
      reason: 'us-west-1 is within 30 s or 1000000 bytes of eu-west-1 (0.0 s, 0 bytes)',
    },
    {
      what: 'connected, over the seconds threshold: told',
      sample: active(2000, 45),
      seconds: 45,
      event: 'lagging',
      lagging: true,
      reason:
        'us-west-1 lags 45.0 s, 2000 bytes behind eu-west-1, above the threshold of 30 s or 1000000 bytes',
    },
    {
      what: 'over the bytes threshold alone: told',
      sample: active(5_000_000, 2),
      seconds: 2,
      event: 'lagging',
      lagging: true,
      reason:
        'us-west-1 lags 2.0 s, 5000000 bytes behind eu-west-1, above the threshold of 30 s or 1000000 bytes',
    },
    {
      what: 'still over: not told again',
      sample: active(5_000_000, 2),
      memory: { lastActiveAt: T0, lagging: true },
      seconds: 2,
      event: null,
      lagging: true,
      reason: 'us-west-1 still lags 2.0 s, 5000000 bytes behind eu-west-1: said once already',
    },
    {
      what: 'not connected: seconds since its slot last streamed',
      sample: away(4000),
      memory: { lastActiveAt: T0 - 40_000, lagging: false },
      seconds: 40,
      event: 'lagging',
      lagging: true,
      reason:
        'us-west-1 lags 40.0 s, 4000 bytes behind eu-west-1 (not connected), above the threshold of 30 s or 1000000 bytes',
    },
    {
      what: 'not connected, first seen so: counts from now',
      sample: away(4000),
      seconds: 0,
      event: null,
      lagging: false,
      reason: 'us-west-1 is within 30 s or 1000000 bytes of eu-west-1 (0.0 s, 4000 bytes)',
    },
    {
      what: 'back under both: the recovery, once',
      sample: active(100, 0.2),
      memory: { lastActiveAt: T0 - 90_000, lagging: true },
      seconds: 0.2,
      event: 'recovered',
      lagging: false,
      reason: 'us-west-1 is back within 30 s or 1000000 bytes of eu-west-1 (0.2 s, 100 bytes)',
    },
    {
      what: 'no figure (slot gone) while lagging: no recovery claimed',
      sample: away(null),
      memory: { lastActiveAt: T0 - 90_000, lagging: true },
      seconds: null,
      event: null,
      lagging: true,
      reason: 'us-west-1 is within 30 s or 1000000 bytes of eu-west-1',
    },
    {
      what: 'no bytes threshold: bytes alone never tell',
      sample: active(50_000_000, 1),
      thresholds: { lag_alert_seconds: 30, lag_alert_bytes: null },
      seconds: 1,
      event: null,
      lagging: false,
      reason: 'us-west-1 is within 30 s of eu-west-1 (1.0 s, 50000000 bytes)',
    },
  ];
  it.each(rows)('$what', (r) => {
    const d = decideLag(ch, r.sample, r.memory, r.thresholds ?? T, r.now ?? T0);
    expect([d.seconds, d.event, d.memory.lagging, d.reason]).toEqual([
      r.seconds,
      r.event,
      r.lagging,
      r.reason,
    ]);
  });

  it('a stopped subscriber: one event when it crosses, none while it stays away, one when it is back', () => {
    let memory: LagMemory | undefined;
    const told: string[] = [];
    const samples: Array<[number, LagSample]> = [
      [0, active(0, 0)],
      [10_000, away(200)],
      [25_000, away(90_000)],
      [40_000, away(180_000)],
      [55_000, away(270_000)],
      [70_000, active(50_000, 3)],
      [80_000, active(0, 0.1)],
      [90_000, active(0, 0.1)],
    ];
    for (const [t, s] of samples) {
      const d = decideLag(ch, s, memory, T, T0 + t);
      memory = d.memory;
      if (d.event) told.push(`${t / 1000}: ${d.event}`);
    }
    expect(told).toEqual(['40: lagging', '70: recovered']);
  });
});
