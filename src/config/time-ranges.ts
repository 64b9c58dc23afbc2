/**
 * Time-of-day ranges, `HH:MM-HH:MM`, half-open [start, end). A range whose end is at or before its start
 * wraps midnight (`22:00-06:00`); `24:00` is the end of the day and only valid as an end.
 */
import type { TimeRangeRule } from './types';

const RANGE = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;

export const TIME_RANGE_EXPECTED =
  'HH:MM-HH:MM with start in 00:00..23:59, end in 00:01..24:00, start != end';

function minutes(h: string, m: string, allow24: boolean): number | null {
  const hh = Number(h);
  const mm = Number(m);
  if (mm >= 60) return null;
  if (hh < 24 || (allow24 && hh === 24 && mm === 0)) return hh * 60 + mm;
  return null;
}

export function parseTimeRange(label: string, region: string): TimeRangeRule | null {
  const m = RANGE.exec(label.trim());
  if (!m) return null;
  const start = minutes(m[1]!, m[2]!, false);
  const end = minutes(m[3]!, m[4]!, true);
  if (start === null || end === null || start === end) return null;
  return { start, end, region, label };
}

export function rangeCovers(rule: TimeRangeRule, minuteOfDay: number): boolean {
  return rule.start < rule.end
    ? minuteOfDay >= rule.start && minuteOfDay < rule.end
    : minuteOfDay >= rule.start || minuteOfDay < rule.end;
}

/** The first minute of the day both ranges cover, or null when they do not overlap. */
export function firstOverlap(a: TimeRangeRule, b: TimeRangeRule): number | null {
  for (let m = 0; m < 1440; m++) if (rangeCovers(a, m) && rangeCovers(b, m)) return m;
  return null;
}

export function formatMinute(m: number): string {
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** True when the runtime knows the IANA time zone. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
