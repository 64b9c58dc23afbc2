import { SipParseError } from './errors';
import { headerKey, SINGLE_HEADERS } from './header-names';
import type { SipRequest, SipResponse } from './message';

/** What an element answers a request that parsed but cannot be served as it is. */
export interface SemanticVerdict {
  readonly status: number;
  readonly reason: string;
}

export type ElementRole = 'proxy' | 'uas';

export interface SemanticOptions {
  /** Option tags this element supports (Require at a UAS, Proxy-Require at a proxy). */
  readonly supported?: readonly string[];
  /** Body types a UAS understands (RFC 3261 §8.2.3). */
  readonly acceptedTypes?: readonly string[];
}

const MANDATORY = ['to', 'from', 'call-id', 'cseq', 'via'];
const MATCHING = new Set(['call-id', 'cseq', 'from', 'to']);
const KNOWN_SCHEMES = new Set(['sip', 'sips', 'tel']);
const DEFAULT_TYPES = [
  'application/sdp',
  'multipart/mixed',
  'multipart/alternative',
  'multipart/related',
  'multipart/signed',
];

/**
 * The status `role` answers a syntactically valid request with, or null when it goes on to serve it.
 * Checks, in RFC 3261 order: mandatory headers (§8.1.1: 400), repeated single-value headers (400), CSeq
 * method equal to the request's (§8.1.1.5: 400), URI scheme (§8.2.2.1, §16.3 step 2: 416),
 * Max-Forwards (§16.3 step 3: 483, proxy), Proxy-Require (§16.3 step 5: 420, proxy), Require (§8.2.2.3:
 * 420, UAS) and Content-Type (§8.2.3: 415, UAS). Header values that do not parse give 400.
 */
export function checkRequestSemantics(
  req: SipRequest,
  role: ElementRole,
  opts: SemanticOptions = {},
): SemanticVerdict | null {
  try {
    return verdict(req, role, opts);
  } catch (e) {
    if (e instanceof SipParseError && e.status !== undefined) {
      return {
        status: e.status,
        reason: `${e.message} (RFC 3261 §8.2: a malformed request gets ${e.status})`,
      };
    }
    throw e;
  }
}

function verdict(req: SipRequest, role: ElementRole, opts: SemanticOptions): SemanticVerdict | null {
  let complete = true;
  for (const k of MANDATORY) if (req.headers.firstByKey(k) === undefined) complete = false;
  if (!complete) {
    const missing = MANDATORY.filter((k) => req.headers.firstByKey(k) === undefined);
    return { status: 400, reason: `mandatory header(s) missing: ${missing.join(', ')} (RFC 3261 §8.1.1)` };
  }
  // RFC 4475 §3.3.8: several values in a header that allows one make the request ambiguous.
  const repeated = repeatedSingles(req.headers.list);
  if (repeated !== null) {
    return {
      status: 400,
      reason: `single-value header(s) repeated: ${repeated.join(', ')} (RFC 3261 §7.3.1)`,
    };
  }
  // §8.1.1.5: "The method MUST match that of the request." A mismatch (CSeq: 1 BYE on an INVITE) cannot be
  // matched to any transaction downstream: forwarded, its answers would be lost and the call time out.
  const cseq = req.cseq;
  if (cseq.method !== req.method) {
    return {
      status: 400,
      reason: `CSeq method ${cseq.method} differs from the request method ${req.method} (RFC 3261 §8.1.1.5)`,
    };
  }
  // The headers every element reads must parse (each getter throws a SipParseError, answered 400 below).
  void req.from;
  void req.to;
  void req.callId;
  void req.topVia;
  void req.maxForwards;
  const uri = req.requestUri;
  if (!KNOWN_SCHEMES.has(uri.scheme)) {
    return { status: 416, reason: `Request-URI scheme ${uri.scheme} is not supported (RFC 3261 §8.2.2.1)` };
  }
  const supported = new Set((opts.supported ?? []).map((t) => t.toLowerCase()));
  if (role === 'proxy') {
    if (req.maxForwards === 0) {
      return { status: 483, reason: 'Max-Forwards is 0 (RFC 3261 §16.3 step 3)' };
    }
    const unsupported = tags(req, 'proxy-require').filter((t) => !supported.has(t.toLowerCase()));
    if (unsupported.length > 0) {
      return {
        status: 420,
        reason: `Proxy-Require lists unsupported ${unsupported.join(', ')} (RFC 3261 §16.3 step 5)`,
      };
    }
    return null;
  }
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const unsupported = tags(req, 'require').filter((t) => !supported.has(t.toLowerCase()));
    if (unsupported.length > 0) {
      return {
        status: 420,
        reason: `Require lists unsupported ${unsupported.join(', ')} (RFC 3261 §8.2.2.3)`,
      };
    }
  }
  const type = req.headers.get('content-type');
  if (req.body.length > 0 && type !== undefined) {
    const mediaType = (type.split(';')[0] as string).trim().toLowerCase();
    const accepted = (opts.acceptedTypes ?? DEFAULT_TYPES).map((t) => t.toLowerCase());
    if (!accepted.includes(mediaType)) {
      return { status: 415, reason: `body type ${mediaType} is not understood (RFC 3261 §8.2.3)` };
    }
  }
  return null;
}

function tags(req: SipRequest, name: string): string[] {
  return req.headers.getAll(headerKey(name)).filter((t) => t !== '');
}

/**
 * Why a response that parsed must still be discarded, or null when a client transaction may take it.
 * RFC 3261 §20 table 2 makes Call-ID, CSeq, From, To and Via mandatory in every response (§8.2.6.2 and
 * §16.7 copy them from the request): without them a response matches no transaction and belongs to no
 * dialog. A response is never answered (§18.1.2), only dropped. A second Call-ID, CSeq, From or To makes
 * the matching ambiguous (RFC 4475 §3.3.8); other repeated headers do not stop a response being matched.
 */
export function checkResponseSemantics(res: SipResponse): SipParseError | null {
  let complete = true;
  for (const k of MANDATORY) if (res.headers.firstByKey(k) === undefined) complete = false;
  if (!complete) {
    const missing = MANDATORY.filter((k) => res.headers.firstByKey(k) === undefined);
    return new SipParseError('SIP_MISSING_HEADER', { header: missing.map(displayName).join(', ') }, false);
  }
  const repeated = (repeatedSingles(res.headers.list) ?? []).filter((k) => MATCHING.has(k));
  if (repeated.length > 0) {
    return new SipParseError(
      'SIP_BAD_HEADER',
      { header: displayName(repeated[0] as string), detail: 'repeated in a response (RFC 3261 §7.3.1)' },
      false,
    );
  }
  return null;
}

const DISPLAY_NAMES: Record<string, string> = {
  to: 'To',
  from: 'From',
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  via: 'Via',
};

function displayName(key: string): string {
  return DISPLAY_NAMES[key] ?? key;
}

/** One map reused for every request (cleared each time): this runs for every request the proxy gets. */
const counts = new Map<string, number>();

/** The single-value headers given more than once, in order of first appearance; null when none is. */
function repeatedSingles(list: readonly { readonly key: string }[]): string[] | null {
  counts.clear();
  let repeated = false;
  for (let i = 0; i < list.length; i++) {
    const k = (list[i] as { readonly key: string }).key;
    if (k === 'content-length' || !SINGLE_HEADERS.has(k)) continue;
    const n = (counts.get(k) ?? 0) + 1;
    counts.set(k, n);
    if (n > 1) repeated = true;
  }
  if (!repeated) return null;
  return [...counts].filter(([, n]) => n > 1).map(([k]) => k);
}
