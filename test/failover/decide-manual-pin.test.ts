import { describe, expect, it } from 'vitest';
import { decideManualPin, type ManualPinFacts } from '../../src/failover/decide-manual-pin';
import type { Pin } from '../../src/failover/decide-failover-types';

const PIN_AT = Date.parse('2026-01-01T10:00:00Z');
const LOADED = PIN_AT + 3_600_000;
const HEALTHY = LOADED + 5_000;
const manual: Pin = { kind: 'manual', target: 'us-west-1', at: PIN_AT, by: 'ops', reason: 'maintenance' };

function facts(extra: Partial<ManualPinFacts> = {}): ManualPinFacts {
  return {
    region: 'us-east-1',
    healthySince: HEALTHY,
    pin: manual,
    loadedAt: LOADED,
    failedSinceLoad: false,
    failbackRequestedAt: [],
    ...extra,
  };
}

describe('decideManualPin (the manual-pin restart rule)', () => {
  const rows: Array<[string, Partial<ManualPinFacts>, 'hold' | 'as-probed', number | null, string]> = [
    [
      'a manual pin from before the restart, no failure seen: held at the pin',
      {},
      'hold',
      PIN_AT,
      'us-east-1 counts as healthy since the manual switch at 2026-01-01T10:00:00.000Z: nothing shows a ' +
        'failure while geored was down, so the operator’s choice holds over the restart',
    ],
    [
      'no pin',
      { pin: null },
      'as-probed',
      HEALTHY,
      'us-east-1: no manual pin, its healthy time is as probed',
    ],
    [
      'a scheduled pin is not a manual one',
      { pin: { kind: 'scheduled', id: '3', target: 'us-west-1' } },
      'as-probed',
      HEALTHY,
      'us-east-1: no manual pin, its healthy time is as probed',
    ],
    [
      'the region is not healthy',
      { healthySince: null },
      'as-probed',
      null,
      'us-east-1 is not healthy: the manual pin changes nothing',
    ],
    [
      'not loaded yet',
      { loadedAt: null },
      'as-probed',
      HEALTHY,
      'us-east-1: the manual pin was set since the start, its healthy time is as probed',
    ],
    [
      'the pin was set after the start',
      { pin: { ...manual, at: LOADED + 1 } as Pin },
      'as-probed',
      HEALTHY,
      'us-east-1: the manual pin was set since the start, its healthy time is as probed',
    ],
    [
      'the pin was set at the very load time',
      { pin: { ...manual, at: LOADED } as Pin },
      'as-probed',
      HEALTHY,
      'us-east-1: the manual pin was set since the start, its healthy time is as probed',
    ],
    [
      'a failure was seen since the restart',
      { failedSinceLoad: true },
      'as-probed',
      HEALTHY,
      'us-east-1 failed since the restart: its healthy time counts from its recovery',
    ],
    [
      'a failback request after the pin',
      { failbackRequestedAt: [PIN_AT + 1] },
      'as-probed',
      HEALTHY,
      'us-east-1: a failback was requested after the manual pin, its healthy time is as probed',
    ],
    [
      'a failback request before the pin is no evidence',
      { failbackRequestedAt: [PIN_AT - 1, PIN_AT] },
      'hold',
      PIN_AT,
      'us-east-1 counts as healthy since the manual switch at 2026-01-01T10:00:00.000Z: nothing shows a ' +
        'failure while geored was down, so the operator’s choice holds over the restart',
    ],
    [
      'healthy since before the pin keeps the earlier time',
      { healthySince: PIN_AT - 60_000 },
      'hold',
      PIN_AT - 60_000,
      'us-east-1 counts as healthy since the manual switch at 2026-01-01T10:00:00.000Z: nothing shows a ' +
        'failure while geored was down, so the operator’s choice holds over the restart',
    ],
  ];
  it.each(rows)('%s', (_name, extra, decision, healthySince, reason) => {
    expect(decideManualPin(facts(extra))).toEqual({ decision, healthySince, reason });
  });
});
