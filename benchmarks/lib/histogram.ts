/** Prometheus text exposition: histogram buckets of one series, their difference, and quantiles. */

export interface Buckets {
  /** Upper bounds (le) ascending, +Inf last, with cumulative counts. */
  readonly bounds: number[];
  readonly counts: number[];
  readonly sum: number;
  readonly count: number;
}

function labelsMatch(labelText: string, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labelText.includes(`${k}="${v}"`));
}

/** The buckets of histogram `name` whose labels include `labels` (summed when several series match). */
export function parseHistogram(text: string, name: string, labels: Record<string, string> = {}): Buckets {
  const byLe = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const [, metric, labelText = '', value] = m;
    if (!labelsMatch(labelText, labels)) continue;
    if (metric === `${name}_bucket`) {
      const le = /le="([^"]+)"/.exec(labelText)?.[1];
      if (le === undefined) continue;
      const bound = le === '+Inf' ? Infinity : Number(le);
      byLe.set(bound, (byLe.get(bound) ?? 0) + Number(value));
    } else if (metric === `${name}_sum`) sum += Number(value);
    else if (metric === `${name}_count`) count += Number(value);
  }
  const bounds = [...byLe.keys()].sort((a, b) => a - b);
  return { bounds, counts: bounds.map((b) => byLe.get(b) ?? 0), sum, count };
}

/** after − before (both cumulative, same bounds): the observations made between two scrapes. */
export function diffBuckets(after: Buckets, before: Buckets): Buckets {
  return {
    bounds: after.bounds,
    counts: after.counts.map((c, i) => c - (before.counts[before.bounds.indexOf(after.bounds[i]!)] ?? 0)),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/**
 * The q-quantile by linear interpolation inside the bucket that holds it (as Prometheus'
 * histogram_quantile); `upperOnly` gives that bucket's upper bound instead (a guaranteed bound).
 */
export function quantile(b: Buckets, q: number, upperOnly = false): number {
  const total = b.counts[b.counts.length - 1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  for (let i = 0; i < b.bounds.length; i++) {
    const c = b.counts[i]!;
    if (c >= rank) {
      const upper = b.bounds[i]!;
      const lower = i === 0 ? 0 : b.bounds[i - 1]!;
      if (upper === Infinity) return lower;
      if (upperOnly) return upper;
      const prev = i === 0 ? 0 : b.counts[i - 1]!;
      return c === prev ? upper : lower + ((upper - lower) * (rank - prev)) / (c - prev);
    }
  }
  return NaN;
}

/** The bucket bounds around `value`, for saying how fine the histogram is there. */
export function bucketAround(b: Buckets, value: number): [number, number] {
  for (let i = 0; i < b.bounds.length; i++) {
    if (value <= b.bounds[i]!) return [i === 0 ? 0 : b.bounds[i - 1]!, b.bounds[i]!];
  }
  return [NaN, NaN];
}
