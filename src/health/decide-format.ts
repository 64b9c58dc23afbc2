/**
 * How decision reasons write times and durations. Reasons are logged, stored and asserted in tests, so
 * the format is fixed here once rather than left to each sentence.
 */

/** The time of day in UTC with milliseconds, e.g. `10:00:01.250Z`: short, and exact enough to line up with logs. */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11);
}

/** A full ISO timestamp, for moments that may be days away (schedules). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Milliseconds as seconds, e.g. `0.5 s`, `300 s`; at most three decimals so float noise never shows. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
