import { isIPv4, isIPv6 } from 'node:net';
import {
  HNV,
  HOSTNAME as HOSTNAME_TABLE,
  PARAMCHAR,
  PASSWORD,
  SCHEME,
  URIC,
  USER,
  allIn,
  allInEscaped,
  isDigits,
} from './charset';
import { detached } from './detach';
import { SipParseError, excerpt } from './errors';
import { emptyParams, formatParams, type Params } from './params';

// Local aliases: a hot loop reading an imported binding pays for a module-namespace lookup.
const HOSTNAME = HOSTNAME_TABLE;

/**
 * `sip:`/`sips:` URI (RFC 3261 §19.1). Components are kept as written, escapes included, so that a URI
 * formats back to what was received; `host` holds an IPv6 address without its brackets (RFC 5118), the
 * same form as a transport `Endpoint.address`.
 */
export interface SipUri {
  readonly kind: 'sip';
  scheme: 'sip' | 'sips';
  user: string | null;
  password: string | null;
  host: string;
  port: number | null;
  params: Params;
  /** `?name=value&...` header components, in order (names as written). */
  headers: Array<[string, string]>;
}

/** `tel:` URI (RFC 3966): the subscriber number as written, then parameters. */
export interface TelUri {
  readonly kind: 'tel';
  scheme: 'tel';
  number: string;
  params: Params;
}

/** Any other absolute URI (RFC 3261 `absoluteURI`): kept opaque. */
export interface OtherUri {
  readonly kind: 'other';
  scheme: string;
  opaque: string;
}

export type Uri = SipUri | TelUri | OtherUri;

function bad(uri: string, detail: string): SipParseError {
  return new SipParseError('SIP_BAD_URI', { uri: excerpt(uri), detail });
}

/**
 * `parseUri` for callers that only read the result, memoised. Through a proxy the same URI text comes back
 * call after call (our own Record-Route in every Route header, a carrier's Contact, the trunk's Request-URI),
 * and parsing it again was about a twentieth of what a call allocated. The result is frozen, so a caller
 * that tries to edit it throws instead of editing every other holder's copy. It is parsed from a detached
 * copy of the text, so neither the key nor its slices keep a received message alive. Bounded: a peer that
 * sends a new URI each time only empties the cache. A text that does not parse is not cached.
 */
export function parseUriShared(s: string): Uri {
  const hit = SHARED_URIS.get(s);
  if (hit !== undefined) return hit;
  const key = detached(s);
  const u = parseUri(key);
  if (u.kind === 'sip') Object.freeze(u.headers);
  if (u.kind !== 'other') Object.freeze(u.params);
  Object.freeze(u);
  if (SHARED_URIS.size >= SHARED_URIS_MAX) SHARED_URIS.clear();
  SHARED_URIS.set(key, u);
  return u;
}
const SHARED_URIS = new Map<string, Uri>();
const SHARED_URIS_MAX = 512;

/** Parses a URI; throws `SipParseError` (SIP_BAD_URI) naming what is wrong. */
export function parseUri(s: string): Uri {
  const colon = s.indexOf(':');
  if (colon <= 0) throw bad(s, 'no scheme');
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122)) || !allIn(s, SCHEME, 1, colon)) {
    throw bad(s, 'the scheme is not alphanumeric');
  }
  const scheme = s.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(s, scheme, colon + 1);
  if (scheme === 'tel') return parseTelUri(s, colon + 1);
  if (colon + 1 >= s.length || !allInEscaped(s, URIC, colon + 1)) {
    throw bad(s, 'characters outside the URI character set');
  }
  return { kind: 'other', scheme, opaque: s.slice(colon + 1) };
}

function parseSipUri(s: string, scheme: 'sip' | 'sips', from: number): SipUri {
  let user: string | null = null;
  let password: string | null = null;
  // user and password never hold a raw "@" (it must be escaped), so the first one ends the userinfo.
  const at = s.indexOf('@', from);
  let pos = from;
  if (at >= 0) {
    const pw = s.indexOf(':', from);
    const userEnd = pw >= 0 && pw < at ? pw : at;
    if (userEnd === from) throw bad(s, 'empty user part');
    if (!allInEscaped(s, USER, from, userEnd)) throw bad(s, 'invalid character in the user part');
    user = s.slice(from, userEnd);
    if (userEnd < at) {
      if (!allInEscaped(s, PASSWORD, userEnd + 1, at)) throw bad(s, 'invalid character in the password');
      password = s.slice(userEnd + 1, at);
    }
    pos = at + 1;
  }
  const scanned = scanHost(s, pos);
  if (typeof scanned === 'string') throw bad(s, scanned);
  const host = scanned.host;
  pos = scanned.end;
  let port: number | null = null;
  if (s.charCodeAt(pos) === 58 /* : */) {
    let e = pos + 1;
    while (e < s.length && s.charCodeAt(e) >= 48 && s.charCodeAt(e) <= 57) e++;
    port = parsePort(s.slice(pos + 1, e), () => bad(s, 'invalid port'));
    pos = e;
  }
  const params = emptyParams();
  while (s.charCodeAt(pos) === 59 /* ; */) {
    let e = pos + 1;
    while (e < s.length && s.charCodeAt(e) !== 59 && s.charCodeAt(e) !== 63) e++;
    const eq = s.indexOf('=', pos + 1);
    const nameEnd = eq >= 0 && eq < e ? eq : e;
    if (nameEnd === pos + 1 || !allInEscaped(s, PARAMCHAR, pos + 1, nameEnd)) {
      throw bad(s, 'empty or invalid URI parameter name');
    }
    let value: string | null = null;
    if (nameEnd < e) {
      if (nameEnd + 1 === e || !allInEscaped(s, PARAMCHAR, nameEnd + 1, e)) {
        throw bad(s, 'empty or invalid URI parameter value');
      }
      value = s.slice(nameEnd + 1, e);
    }
    params[s.slice(pos + 1, nameEnd).toLowerCase()] = value;
    pos = e;
  }
  const headers: Array<[string, string]> = [];
  if (s.charCodeAt(pos) === 63 /* ? */) {
    for (const part of s.slice(pos + 1).split('&')) {
      const eq = part.indexOf('=');
      if (eq <= 0 || !allInEscaped(part, HNV, 0, eq) || !allInEscaped(part, HNV, eq + 1)) {
        throw bad(s, 'invalid URI header component');
      }
      headers.push([part.slice(0, eq), part.slice(eq + 1)]);
    }
    pos = s.length;
  }
  if (pos !== s.length) throw bad(s, `unexpected ${excerpt(s.charAt(pos))} after the host`);
  return { kind: 'sip', scheme, user, password, host, port, params, headers };
}

function parseTelUri(s: string, from: number): TelUri {
  let e = s.indexOf(';', from);
  if (e < 0) e = s.length;
  const number = s.slice(from, e);
  // global-number (+digits) or local-number (hex digits, * and #), visual separators allowed in both.
  const hexOk = /^(\+[0-9().-]*[0-9][0-9().-]*|[0-9A-Fa-f*#().-]*[0-9A-Fa-f*#][0-9A-Fa-f*#().-]*)$/;
  if (!hexOk.test(number)) throw bad(s, 'invalid telephone number');
  const params = emptyParams();
  for (const part of e < s.length ? s.slice(e + 1).split(';') : []) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (name === '' || !allInEscaped(name, PARAMCHAR)) throw bad(s, 'invalid tel parameter');
    if (eq >= 0 && (eq === part.length - 1 || !allInEscaped(part, PARAMCHAR, eq + 1))) {
      throw bad(s, 'invalid tel parameter value');
    }
    params[name.toLowerCase()] = eq < 0 ? null : part.slice(eq + 1);
  }
  return { kind: 'tel', scheme: 'tel', number, params };
}

/**
 * host = hostname / IPv4address / IPv6reference. Returns the host (IPv6 without brackets) and where it
 * ends, or a sentence saying what is wrong (the caller names the header in its own error).
 */
export function scanHost(s: string, pos: number): { host: string; end: number } | string {
  if (s.charCodeAt(pos) === 91 /* [ */) {
    const close = s.indexOf(']', pos);
    if (close < 0) return 'unterminated IPv6 reference';
    const addr = s.slice(pos + 1, close);
    if (isIPv6(addr)) return { host: addr, end: close + 1 };
    // RFC 5118 §4.10: the RFC 3261 ABNF bug lets senders write "2001:db8:::192.0.2.1"; be liberal and
    // read it without the extra colon (which is also how it is written back out).
    const fixed = addr.replace(/:::(?=\d+\.\d+\.\d+\.\d+$)/, '::');
    if (fixed !== addr && isIPv6(fixed)) return { host: fixed, end: close + 1 };
    return `${excerpt(addr)} is not an IPv6 address`;
  }
  let e = pos;
  while (e < s.length) {
    const c = s.charCodeAt(e);
    if (c >= 128 || HOSTNAME[c] !== 1) break;
    e++;
  }
  const host = s.slice(pos, e);
  if (!isHostname(host)) return host === '' ? 'empty host' : `invalid host ${excerpt(host)}`;
  return { host, end: e };
}

/** hostname = *(domainlabel ".") toplabel ["."], or an IPv4 address. */
export function isHostname(h: string): boolean {
  if (h.length === 0 || h.length > 255) return false;
  if (isIPv4(h)) return true;
  const labels = h.endsWith('.') ? h.slice(0, -1).split('.') : h.split('.');
  for (const l of labels) {
    if (l.length === 0 || l.charCodeAt(0) === 45 || l.charCodeAt(l.length - 1) === 45) return false;
  }
  // toplabel starts with a letter: this is what tells "192.0.2.300" (bad IPv4) from a name.
  const top = labels[labels.length - 1] as string;
  const t0 = top.charCodeAt(0);
  return (t0 >= 65 && t0 <= 90) || (t0 >= 97 && t0 <= 122);
}

export function parsePort(digits: string, fail: () => SipParseError): number {
  if (!isDigits(digits) || digits.length > 5) throw fail();
  const n = Number(digits);
  if (n > 65535) throw fail();
  return n;
}

/** The host as it appears in a URI or Via: IPv6 addresses get their brackets back. */
export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function formatUri(u: Uri): string {
  switch (u.kind) {
    case 'sip': {
      let out = `${u.scheme}:`;
      if (u.user !== null) out += u.password !== null ? `${u.user}:${u.password}@` : `${u.user}@`;
      out += formatHost(u.host);
      if (u.port !== null) out += `:${u.port}`;
      out += formatParams(u.params);
      if (u.headers.length > 0) out += '?' + u.headers.map(([k, v]) => `${k}=${v}`).join('&');
      return out;
    }
    case 'tel':
      return `tel:${u.number}${formatParams(u.params)}`;
    case 'other':
      return `${u.scheme}:${u.opaque}`;
  }
}
