/**
 * Time-of-day ranges in config.yml: the parser is src/model/time-range.ts (the one routing uses); this
 * module adds the time-zone check (what a bad range is answered with is src/model/field-rules.ts's).
 */
export { firstOverlap, formatMinute, parseTimeRange, rangeCovers } from '../model/time-range';

/** True when the runtime knows the IANA time zone. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
