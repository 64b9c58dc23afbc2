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

/** The most characters of outside text (a transport error) a reason quotes. */
export const MAX_DETAIL_CHARS = 200;

/**
 * Text from outside (a transport error's words, which a remote party can influence: a TLS alert, a
 * certificate's fields) as a reason quotes it: one line, no control characters, at most MAX_DETAIL_CHARS
 * (cut with `…`), so it cannot forge log lines or bloat every reason, log and alert that carries it.
 */
export function detailText(text: string): string {
  const line = text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length <= MAX_DETAIL_CHARS ? line : `${line.slice(0, MAX_DETAIL_CHARS - 1)}…`;
}
