/**
 * Time-of-day routing rules ("follow the sun"): `'HH:MM-HH:MM' → region` in a configured time zone.
 * The ranges are parsed by src/model/time-range.ts, the parser config.yml uses too.
 */
import { errorFactory } from '../errors/catalogue';
import { ROUTING_ERRORS } from '../errors/routing';
import { ROUTING_RULES } from '../model/field-rules';
import { parseTimeRange, rangeCovers, type TimeRule } from '../model/time-range';

const err = errorFactory(ROUTING_ERRORS);

export type { TimeRule };

/** Parses the guide's `{'00:00-08:00': 'eu-west-1', ...}` into rules; throws ROUTING_BAD_TIME_RANGE. */
export function parseTimeRules(spec: Readonly<Record<string, string>>): TimeRule[] {
  return Object.entries(spec).map(([label, region]) => {
    const rule = parseTimeRange(label, region);
    if (rule === null) {
      throw err('ROUTING_BAD_TIME_RANGE', {
        setting: `time_based.${label}`,
        found: JSON.stringify(label),
        expected: ROUTING_RULES.time_range.expected,
      });
    }
    return rule;
  });
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
  return rules.find((r) => rangeCovers(r, minute)) ?? null;
}
