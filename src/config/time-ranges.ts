/**
 * Time-of-day ranges in config.yml: the parser is src/model/time-range.ts (the one routing uses); this
 * module adds what the config reader says about a bad one and the time-zone check.
 */
export { firstOverlap, formatMinute, parseTimeRange, rangeCovers } from '../model/time-range';

export const TIME_RANGE_EXPECTED =
  'HH:MM-HH:MM with start in 00:00..23:59, end in 00:01..24:00, start != end';

/** True when the runtime knows the IANA time zone. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
