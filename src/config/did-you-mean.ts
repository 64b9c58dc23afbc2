/** "did you mean 'retry_count'?" for unknown keys: the closest allowed key by edit distance. */

/** Levenshtein distance (insert, delete, substitute), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/**
 * The allowed key closest to `key`, or null when nothing is close. "Close" scales with length so that a
 * short typo (`intervl`) still finds its key while unrelated words do not get a silly suggestion.
 */
export function closest(key: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === null) return null;
  const limit = Math.max(2, Math.floor(Math.max(key.length, best.length) / 3));
  return bestDistance <= limit ? best : null;
}
