/**
 * Time-of-day ranges, `HH:MM-HH:MM` → region: the one parser for config.yml's `routing.time_based`
 * (src/config/read-routing.ts), the TypeScript API's settings (src/geo/settings.ts via
 * src/routing/time-of-day.ts) and the routing decision. Ranges are half-open [start, end); a range whose
 * end is at or before its start wraps midnight (`22:00-06:00`); `24:00` is the end of the day and only
 * valid as an end.
 */

export interface TimeRule {
  /** Minutes after local midnight, 0..1439. */
  readonly start: number;
  /** Minutes after local midnight, 1..1440 (24:00 is 1440); at or before start means the range wraps. */
  readonly end: number;
  readonly region: string;
  /** The range as written, for reasons and errors. */
  readonly label: string;
}

const RANGE = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;

function minutes(h: string, m: string, allow24: boolean): number | null {
  const hh = Number(h);
  const mm = Number(m);
  if (mm >= 60) return null;
  if (hh < 24 || (allow24 && hh === 24 && mm === 0)) return hh * 60 + mm;
  return null;
}

/** The rule `label` → `region`, or null when `label` is not a valid range. */
export function parseTimeRange(label: string, region: string): TimeRule | null {
  const m = RANGE.exec(label.trim());
  if (!m) return null;
  const start = minutes(m[1]!, m[2]!, false);
  const end = minutes(m[3]!, m[4]!, true);
  if (start === null || end === null || start === end) return null;
  return { start, end, region, label };
}

export function rangeCovers(rule: TimeRule, minuteOfDay: number): boolean {
  return rule.start < rule.end
    ? minuteOfDay >= rule.start && minuteOfDay < rule.end
    : minuteOfDay >= rule.start || minuteOfDay < rule.end;
}

/** The first minute of the day both ranges cover, or null when they do not overlap. */
export function firstOverlap(a: TimeRule, b: TimeRule): number | null {
  for (let m = 0; m < 1440; m++) if (rangeCovers(a, m) && rangeCovers(b, m)) return m;
  return null;
}

export function formatMinute(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}

/**
 * The first of `earlier` that `rule` overlaps, with the sentence every path reports (`found ...`), or null:
 * config.yml, the TypeScript API and REST refuse overlapping ranges with these words.
 */
export function overlapWith(
  earlier: readonly TimeRule[],
  rule: TimeRule,
): { other: TimeRule; at: number; found: string } | null {
  for (const other of earlier) {
    const at = firstOverlap(other, rule);
    if (at !== null)
      return { other, at, found: `"${rule.label}", which overlaps "${other.label}" at ${formatMinute(at)}` };
  }
  return null;
}
