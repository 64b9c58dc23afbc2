/**
 * Matching a run of characters against a fixed set of spellings in place, without slicing it out. A
 * fresh string used as a property key (a parameter name) has to be hashed and looked up in V8's string
 * table; returning the literal instead skips that and the slice, for the names nearly every message has.
 */
export type Matcher = (s: string, from: number, to: number) => string | undefined;

/** A matcher for exact (case-sensitive) spellings, bucketed by length and first character. */
export function matcher(words: readonly string[]): Matcher {
  const buckets: Array<string[] | undefined> = [];
  for (const w of words) (buckets[(w.length << 7) | (w.charCodeAt(0) & 127)] ??= []).push(w);
  return (s, from, to) => {
    const len = to - from;
    if (len > 31 || len <= 0) return undefined;
    const c0 = s.charCodeAt(from);
    if (c0 >= 128) return undefined;
    const bucket = buckets[(len << 7) | c0];
    if (bucket === undefined) return undefined;
    outer: for (let b = 0; b < bucket.length; b++) {
      const w = bucket[b] as string;
      for (let k = 1; k < len; k++) if (w.charCodeAt(k) !== s.charCodeAt(from + k)) continue outer;
      return w;
    }
    return undefined;
  };
}
