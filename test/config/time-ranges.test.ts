import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstOverlap, isTimeZone, parseTimeRange, rangeCovers } from '../../src/config/time-ranges';

describe('parseTimeRange', () => {
  it('reads the guide ranges', () => {
    expect(parseTimeRange('00:00-08:00', 'eu')).toEqual({
      start: 0,
      end: 480,
      region: 'eu',
      label: '00:00-08:00',
    });
    expect(parseTimeRange('17:00-24:00', 'w')).toMatchObject({ start: 1020, end: 1440 });
    expect(parseTimeRange('22:30-06:15', 'x')).toMatchObject({ start: 1350, end: 375 });
  });

  it.each(['24:00-01:00', '08:00-08:00', '08:60-09:00', '25:00-26:00', '8-17', '08:00-24:01', ''])(
    'refuses %s',
    (label) => expect(parseTimeRange(label, 'r')).toBeNull(),
  );

  it('covers exactly the minutes of its span, wrapping midnight when end <= start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 1, max: 1440 }),
        fc.integer({ min: 0, max: 1439 }),
        (s, e, m) => {
          fc.pre(s !== e);
          const label = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}-${String(Math.floor(e / 60)).padStart(2, '0')}:${String(e % 60).padStart(2, '0')}`;
          const rule = parseTimeRange(label, 'r')!;
          expect(rule).not.toBeNull();
          const length = (e - s + 1440) % 1440 || 1440;
          const offset = (m - s + 1440) % 1440;
          expect(rangeCovers(rule, m)).toBe(offset < length);
        },
      ),
    );
  });

  it('finds overlaps, including across midnight', () => {
    const night = parseTimeRange('22:00-06:00', 'a')!;
    expect(firstOverlap(night, parseTimeRange('05:00-09:00', 'b')!)).toBe(300);
    expect(firstOverlap(night, parseTimeRange('06:00-22:00', 'b')!)).toBeNull();
  });
});

describe('isTimeZone', () => {
  it('knows IANA zones', () => {
    expect(isTimeZone('Europe/Dublin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Nowhere/Special')).toBe(false);
  });
});
