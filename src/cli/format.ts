/** Small text helpers the operator commands share: times, ages, latencies, scores. */

/** `2025-01-15T10:30:00.123Z` → `2025-01-15 10:30:00Z`: second precision reads better in a table. */
export function shortTime(iso: string | null): string {
  if (iso === null) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** How long ago `iso` was, relative to `now` (ms since the epoch): `4s ago`, `3m ago`, `2h ago`. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

export function latency(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

export function score(s: number | null): string {
  return s === null ? '-' : s.toFixed(2);
}

/** Milliseconds as seconds with one decimal, for the drill's timings. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
