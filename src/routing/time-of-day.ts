/**
 * Time-of-day routing rules ("follow the sun"): `'HH:MM-HH:MM' → region` in a configured time zone.
 * Ranges are half-open [start, end), may wrap midnight (`22:00-06:00`), and `24:00` means end of day.
 */
import { errorFactory } from '../errors/catalogue';
import { ROUTING_ERRORS } from '../errors/routing';

const err = errorFactory(ROUTING_ERRORS);

export interface TimeRule {
  /** Minutes after local midnight, 0..1439. */
  readonly start: number;
  /** Minutes after local midnight, 1..1440; less than or equal to start means the range wraps midnight. */
  readonly end: number;
  readonly region: string;
  /** The range as written, for reasons and errors. */
  readonly label: string;
}

const RANGE = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;

function minutes(h: string, m: string, label: string, allow24: boolean): number {
  const hh = Number(h);
  const mm = Number(m);
  const ok = mm < 60 && (hh < 24 || (allow24 && hh === 24 && mm === 0));
  if (!ok) throw err('ROUTING_BAD_TIME_RANGE', { range: label });
  return hh * 60 + mm;
}

/** Parses the guide's `{'00:00-08:00': 'eu-west-1', ...}` into rules; throws ROUTING_BAD_TIME_RANGE. */
export function parseTimeRules(spec: Readonly<Record<string, string>>): TimeRule[] {
  return Object.entries(spec).map(([label, region]) => {
    const m = RANGE.exec(label.trim());
    if (!m) throw err('ROUTING_BAD_TIME_RANGE', { range: label });
    const start = minutes(m[1]!, m[2]!, label, false);
    const end = minutes(m[3]!, m[4]!, label, true);
    if (start === end) throw err('ROUTING_BAD_TIME_RANGE', { range: label });
    return { start, end, region, label };
  });
}

export function ruleCovers(rule: TimeRule, minuteOfDay: number): boolean {
  return rule.start < rule.end
    ? minuteOfDay >= rule.start && minuteOfDay < rule.end
    : minuteOfDay >= rule.start || minuteOfDay < rule.end;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes after local midnight in `timeZone` at epoch `nowMs` (a pure function of its inputs). */
export function localMinuteOfDay(nowMs: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  let hour = 0;
  let minute = 0;
  for (const part of f.formatToParts(nowMs)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

/** The first rule covering the local time, in the order written. */
export function matchTimeRule(rules: readonly TimeRule[], nowMs: number, timeZone: string): TimeRule | null {
  const minute = localMinuteOfDay(nowMs, timeZone);
  return rules.find((r) => ruleCovers(r, minute)) ?? null;
}

export function formatMinute(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}
