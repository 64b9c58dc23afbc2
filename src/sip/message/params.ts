/**
 * Parameters (`;name=value`) of URIs and header values. Names are case-insensitive (RFC 3261 §7.3.1,
 * §19.1.4) so they are stored lower-cased; values are kept exactly as written (quoted strings keep their
 * quotes, escapes stay escaped) so that formatting reproduces what was received. A flag parameter such as
 * `lr` or `rport` has the value `null`.
 */
export type Params = Record<string, string | null>;

export function emptyParams(): Params {
  return Object.create(null) as Params;
}

export function paramsFrom(entries: Record<string, string | null> = {}): Params {
  const p = emptyParams();
  for (const [k, v] of Object.entries(entries)) p[k.toLowerCase()] = v;
  return p;
}

export function formatParams(p: Params): string {
  let out = '';
  for (const k in p) {
    const v = p[k];
    out += v === null || v === undefined ? `;${k}` : `;${k}=${v}`;
  }
  return out;
}
