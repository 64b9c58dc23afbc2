import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../src/config/did-you-mean';

describe('editDistance', () => {
  it('counts single-character edits', () => {
    expect(editDistance('retry_count', 'retry_count')).toBe(0);
    expect(editDistance('retry_cout', 'retry_count')).toBe(1);
    expect(editDistance('retrycount', 'retry_count')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('Interval', 'interval')).toBe(0);
  });

  it('is a metric: symmetric, and within the longer length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(d).toBe(editDistance(b, a));
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d === 0).toBe(a.toLowerCase() === b.toLowerCase());
      }),
    );
  });
});

describe('closest', () => {
  const keys = ['interval', 'timeout', 'retry_count', 'success_threshold'];
  it('suggests the nearest key for a typo', () => {
    expect(closest('retry_cont', keys)).toBe('retry_count');
    expect(closest('intervall', keys)).toBe('interval');
    expect(closest('time_out', keys)).toBe('timeout');
  });
  it('suggests nothing for an unrelated word', () => {
    expect(closest('banana', keys)).toBeNull();
    expect(closest('x', [])).toBeNull();
  });
});
