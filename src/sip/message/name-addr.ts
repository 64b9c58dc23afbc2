import { codesOf, GEN_VALUE as GEN_VALUE_TABLE, TOKEN as TOKEN_TABLE } from './charset';
import { emptyParams, formatParams, type Params } from './params';
import { COMMON_PARAM as COMMON_PARAM_IMPORTED, quote, Scanner, unquote } from './scanner';

// Local aliases: a hot loop reading an imported binding pays for a module-namespace lookup.
const TOKEN = TOKEN_TABLE;
const GEN_VALUE = GEN_VALUE_TABLE;
const COMMON_PARAM = COMMON_PARAM_IMPORTED;

/**
 * A name-addr or addr-spec with its header parameters (RFC 3261 §20.10, §20.20, §20.39): From, To,
 * Contact, Route, Record-Route, Reply-To, P-Asserted-Identity, ... `uri` is the URI text (call `parseUri`
 * when its parts are needed: the fast path only wants the tag). `displayName` is unquoted, or null.
 * A Contact of `*` has `uri === '*'`.
 */
export interface NameAddr {
  displayName: string | null;
  uri: string;
  params: Params;
}

/** Parses a single name-addr / addr-spec with parameters (From, To, ...). */
export function parseNameAddr(value: string, header = 'name-addr'): NameAddr {
  const fast = simpleNameAddrOnly(codesOf(value), value, 0, value.length);
  if (fast !== undefined) return fast;
  const sc = new Scanner(value, header);
  sc.ws();
  const na = nameAddr(sc);
  sc.endOfElement(false);
  return na;
}

/** Parses a comma-separated list of name-addrs (Contact, Route, Record-Route, ...). */
export function parseNameAddrList(value: string, header = 'name-addr'): NameAddr[] {
  const fast = simpleNameAddrList(codesOf(value), value, 0, value.length);
  if (fast !== undefined) return fast;
  const sc = new Scanner(value, header);
  sc.ws();
  const out: NameAddr[] = [];
  for (;;) {
    out.push(nameAddr(sc));
    if (sc.endOfElement(true)) return out;
  }
}

function nameAddr(sc: Scanner): NameAddr {
  const s = sc.s;
  if (sc.done) throw sc.fail('empty value');
  let displayName: string | null = null;
  const c = sc.peek();
  if (c === 34 /* " */) {
    displayName = unquote(sc.quoted());
    sc.ws();
    if (sc.peek() !== 60) throw sc.fail('expected "<" after the display name');
  } else if (c !== 60 /* < */) {
    // Either *(token LWS) "<" (a display name of tokens), or an addr-spec. RFC 4475 §3.1.1.6: accept a
    // token display name with no white space before "<".
    const start = sc.pos;
    let i = sc.pos;
    while (i < s.length) {
      const ch = s.charCodeAt(i);
      if (ch === 32 || ch === 9 || (ch < 128 && TOKEN[ch] === 1)) i++;
      else break;
    }
    if (s.charCodeAt(i) === 60) {
      const text = s.slice(start, i).trim();
      displayName = text === '' ? null : text.replace(/[ \t]+/g, ' ');
      sc.pos = i;
    } else {
      return addrSpec(sc);
    }
  }
  // LAQUOT addr-spec RAQUOT: no white space inside the brackets (RFC 4475 §3.1.2.14).
  sc.pos++;
  const close = s.indexOf('>', sc.pos);
  if (close < 0) throw sc.fail('unterminated "<"');
  const uri = s.slice(sc.pos, close);
  if (uri === '' || /[\s<"]/.test(uri)) throw sc.fail('white space or a bad character inside <...>');
  sc.pos = close + 1;
  return { displayName, uri, params: sc.params(emptyParams()) };
}

function addrSpec(sc: Scanner): NameAddr {
  const s = sc.s;
  const start = sc.pos;
  if (s.charCodeAt(start) === 42 /* * */) {
    sc.pos++;
    return { displayName: null, uri: '*', params: sc.params(emptyParams()) };
  }
  // Without <...>, the URI ends at the first ";" "," or white space: the parameters that follow belong to
  // the header (RFC 3261 §20.10), and a URI with "?", ";" or "," must be bracketed.
  let i = start;
  while (i < s.length) {
    const ch = s.charCodeAt(i);
    if (ch === 59 || ch === 44 || ch === 32 || ch === 9) break;
    if (ch === 63 /* ? */) throw sc.fail('a URI with headers must be enclosed in <...>');
    if (ch === 60 || ch === 62 || ch === 34) throw sc.fail('unexpected "<", ">" or quote in an addr-spec');
    i++;
  }
  if (i === start || s.indexOf(':', start) < 0 || s.indexOf(':', start) >= i) {
    throw sc.fail('expected a URI');
  }
  sc.pos = i;
  return { displayName: null, uri: s.slice(start, i), params: sc.params(emptyParams()) };
}

/** Where the last successful simpleNameAddr stopped (a module variable: no result object per call). */
let simpleEnd = 0;

/**
 * The common name-addr / addr-spec in s[i, n), read in one pass over its character codes `b` (b[k] is
 * s's code at k, clamped to 255): `"Display" <uri>;p=v;flag`, `<uri>;p=v` or `sip:user@host;tag=x`,
 * with no optional white space around `;` or `=`, no quoted parameter value, no backslash or control
 * character in the display name. Returns undefined as soon as anything else shows up (the caller then
 * reads the value with the Scanner, which gives the errors); otherwise the same NameAddr the Scanner
 * would give, and sets simpleEnd to the position after the element.
 */
export function simpleNameAddr(b: Uint8Array, s: string, i: number, n: number): NameAddr | undefined {
  if (i >= n) return undefined;
  let displayName: string | null = null;
  let uri: string;
  let c = b[i] as number;
  if (c === 34 /* " */ || c === 60 /* < */) {
    if (c === 34) {
      let j = i + 1;
      for (; j < n; j++) {
        c = b[j] as number;
        if (c === 34 || c === 92 /* \ */ || c < 32 || c === 127) break;
      }
      if (j >= n || c !== 34) return undefined;
      displayName = s.slice(i + 1, j);
      i = j + 1;
      while (i < n && ((c = b[i] as number) === 32 || c === 9)) i++;
      if (i >= n || b[i] !== 60) return undefined;
    }
    const start = ++i;
    // Printable ASCII but < and " (what the Scanner rejects inside the brackets is white space, < and ").
    for (; i < n; i++) {
      c = b[i] as number;
      if (c === 62 /* > */ || c <= 32 || c >= 127 || c === 60 || c === 34) break;
    }
    if (i >= n || c !== 62 || i === start) return undefined;
    uri = s.slice(start, i);
    i++;
  } else {
    // addr-spec: the URI runs to the first ";" "," or white space and needs a scheme (a ":").
    const start = i;
    let colon = false;
    for (; i < n; i++) {
      c = b[i] as number;
      if (c === 59 || c === 44 || c === 32 || c === 9) break;
      if (c === 58) colon = true;
      else if (c < 32 || c >= 127 || c === 63 || c === 60 || c === 62 || c === 34 || c === 42) {
        return undefined;
      }
    }
    if (!colon) return undefined;
    uri = s.slice(start, i);
  }
  const params = emptyParams();
  while (i < n && b[i] === 59 /* ; */) {
    const start = ++i;
    for (; i < n; i++) {
      c = b[i] as number;
      if (c >= 128 || TOKEN[c] !== 1) break;
    }
    if (i === start) return undefined;
    const name = COMMON_PARAM(s, start, i) ?? s.slice(start, i).toLowerCase();
    if (i < n && b[i] === 61 /* = */) {
      const vs = ++i;
      for (; i < n; i++) {
        c = b[i] as number;
        if (c >= 128 || GEN_VALUE[c] !== 1) break;
      }
      if (i === vs) return undefined;
      params[name] = s.slice(vs, i);
    } else params[name] = null;
  }
  simpleEnd = i;
  return { displayName, uri, params };
}

/** One simple name-addr filling s[from, to) exactly, or undefined. */
export function simpleNameAddrOnly(b: Uint8Array, s: string, from: number, to: number): NameAddr | undefined {
  const na = simpleNameAddr(b, s, from, to);
  return na !== undefined && simpleEnd === to ? na : undefined;
}

/** A list of simple name-addrs in s[from, n), commas between (white space around them), or undefined. */
export function simpleNameAddrList(
  b: Uint8Array,
  s: string,
  from: number,
  n: number,
): NameAddr[] | undefined {
  const out: NameAddr[] = [];
  let i = from;
  for (;;) {
    const na = simpleNameAddr(b, s, i, n);
    if (na === undefined) return undefined;
    out.push(na);
    i = simpleEnd;
    let c = 0;
    while (i < n && ((c = b[i] as number) === 32 || c === 9)) i++;
    if (i >= n) return out;
    if (c !== 44 /* , */) return undefined;
    i++;
    while (i < n && ((c = b[i] as number) === 32 || c === 9)) i++;
  }
}

export function formatNameAddr(n: NameAddr): string {
  const params = formatParams(n.params);
  if (n.uri === '*') return `*${params}`;
  const name = n.displayName === null ? '' : `${quote(n.displayName)} `;
  return `${name}<${n.uri}>${params}`;
}
