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

// Exact spellings seen on nearly every message, bucketed by length: comparing a fresh string against a
// few literals of its length is cheaper than hashing it for a Map lookup, and this runs once per line.
const BY_LENGTH: Array<Array<[string, string]>> = [];
for (const name of [
  'Via',
  'From',
  'To',
  'Call-ID',
  'Call-Id',
  'CSeq',
  'Cseq',
  'Max-Forwards',
  'Contact',
  'Content-Type',
  'Content-Length',
  'Route',
  'Record-Route',
  'User-Agent',
  'Allow',
  'Supported',
  'Expires',
  'Server',
  'Require',
  'Proxy-Require',
  'Session-Expires',
  'Min-SE',
  'P-Asserted-Identity',
  'Accept',
]) {
  (BY_LENGTH[name.length] ??= []).push([name, name.toLowerCase()]);
}
const COMPACT_CODES: Array<string | undefined> = [];
for (const [short, long] of Object.entries(COMPACT)) {
  COMPACT_CODES[short.charCodeAt(0)] = long;
  COMPACT_CODES[short.toUpperCase().charCodeAt(0)] = long;
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
        const entry = bucket[i] as [string, string];
        if (entry[0] === name) return entry[1];
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
