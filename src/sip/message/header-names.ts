/**
 * Header names: compact forms (RFC 3261 §7.3.3 and the IANA registry) map to their long names, and every
 * name is matched case-insensitively through its lower-cased long form, the header's *key*.
 */
const COMPACT: Record<string, string> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

// Exact spellings seen on nearly every message, with their keys written as literals (so keys compare as
// interned strings). The parser matches a name in place against these, bucketed by length and first
// character, which spares it slicing the name out and normalising it once per line.
const COMMON: Array<[string, string]> = [
  ['Via', 'via'],
  ['From', 'from'],
  ['To', 'to'],
  ['Call-ID', 'call-id'],
  ['Call-Id', 'call-id'],
  ['CSeq', 'cseq'],
  ['Cseq', 'cseq'],
  ['Max-Forwards', 'max-forwards'],
  ['Contact', 'contact'],
  ['Content-Type', 'content-type'],
  ['Content-Length', 'content-length'],
  ['Route', 'route'],
  ['Record-Route', 'record-route'],
  ['User-Agent', 'user-agent'],
  ['Allow', 'allow'],
  ['Supported', 'supported'],
  ['Expires', 'expires'],
  ['Server', 'server'],
  ['Require', 'require'],
  ['Proxy-Require', 'proxy-require'],
  ['Session-Expires', 'session-expires'],
  ['Min-SE', 'min-se'],
  ['P-Asserted-Identity', 'p-asserted-identity'],
  ['Accept', 'accept'],
];

/** @internal a header name spelled exactly this way, and its key. */
export interface KnownName {
  readonly name: string;
  readonly key: string;
}

const BY_LENGTH: Array<KnownName[] | undefined> = [];
const BY_LENGTH_FIRST: Array<KnownName[] | undefined> = [];
function addKnown(name: string, key: string): void {
  const entry: KnownName = { name, key };
  (BY_LENGTH[name.length] ??= []).push(entry);
  (BY_LENGTH_FIRST[(name.length << 7) | name.charCodeAt(0)] ??= []).push(entry);
}
for (const [name, key] of COMMON) addKnown(name, key);
const COMPACT_CODES: Array<string | undefined> = [];
for (const [short, long] of Object.entries(COMPACT)) {
  COMPACT_CODES[short.charCodeAt(0)] = long;
  COMPACT_CODES[short.toUpperCase().charCodeAt(0)] = long;
  addKnown(short, long);
  addKnown(short.toUpperCase(), long);
}

/**
 * @internal The known spelling `codes[from, to)` (character codes) is, if any (the caller has checked it is a token, so every
 * character is below 128).
 */
export function knownName(codes: Uint8Array, from: number, to: number): KnownName | undefined {
  const len = to - from;
  if (len > 31) return undefined;
  const bucket = BY_LENGTH_FIRST[(len << 7) | (codes[from] as number)];
  if (bucket === undefined) return undefined;
  outer: for (let b = 0; b < bucket.length; b++) {
    const entry = bucket[b] as KnownName;
    const name = entry.name;
    for (let k = 1; k < len; k++) if (name.charCodeAt(k) !== codes[from + k]) continue outer;
    return entry;
  }
  return undefined;
}

/** The key a header name is matched by: lower case, compact forms expanded. */
export function headerKey(name: string): string {
  if (name.length === 1) {
    const compact = COMPACT_CODES[name.charCodeAt(0)];
    if (compact !== undefined) return compact;
  } else {
    const bucket = BY_LENGTH[name.length];
    if (bucket !== undefined) {
      for (let i = 0; i < bucket.length; i++) {
        const entry = bucket[i] as KnownName;
        if (entry.name === name) return entry.key;
      }
    }
  }
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

/**
 * Headers whose value is a comma-separated list (RFC 3261 §7.3.1): only these may be combined on one line
 * or split into elements. Others (Date, WWW-Authenticate, unknown headers) may hold commas that are not
 * separators, so their values are never split.
 */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  'via',
  'route',
  'record-route',
  'contact',
  'allow',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'accept',
  'accept-encoding',
  'accept-language',
  'content-encoding',
  'content-language',
  'alert-info',
  'call-info',
  'error-info',
  'in-reply-to',
  'warning',
  'allow-events',
  'path',
  'service-route',
  'reason',
  'p-asserted-identity',
  'p-preferred-identity',
  'history-info',
  'accept-contact',
  'reject-contact',
  'request-disposition',
  'security-client',
  'security-server',
  'security-verify',
]);

/** Headers that hold exactly one value (RFC 3261 §7.3.1, §20): a second one makes the message malformed. */
export const SINGLE_HEADERS: ReadonlySet<string> = new Set([
  'call-id',
  'cseq',
  'from',
  'to',
  'max-forwards',
  'content-length',
  'content-type',
  'expires',
  'min-expires',
  'date',
  'timestamp',
  'mime-version',
  'organization',
  'priority',
  'reply-to',
  'retry-after',
  'server',
  'subject',
  'user-agent',
]);
