import { errorFactory } from '../../errors/catalogue';
import { AUTH_ERRORS } from '../../errors/auth';
import { toAlgorithm, type DigestAlgorithm } from './algorithms';
import { isTrue, parseAuthElements, quote, type AuthElement } from './auth-params';

const err = errorFactory(AUTH_ERRORS);

/** A Digest challenge from WWW-Authenticate or Proxy-Authenticate (RFC 7616 §3.3, RFC 3261 §25.1). */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly stale: boolean;
  /** Canonical name when supported (see `supportedAlgorithm`), else the token as sent; 'MD5' when absent. */
  readonly algorithm: string;
  /** The challenge named its algorithm; an answer then names it too (old RFC 2069 servers choke otherwise). */
  readonly algorithmGiven: boolean;
  readonly supportedAlgorithm: DigestAlgorithm | null;
  /** Offered qop values, lower-cased; empty means the RFC 2069 form (no qop, nc or cnonce). */
  readonly qop: readonly string[];
  readonly userhash: boolean;
  readonly domain: readonly string[];
  readonly charset?: string;
  /** Every param as received (names lower-cased), including extensions. */
  readonly params: ReadonlyMap<string, string>;
}

/**
 * Digest challenges in one header value, or in several header fields (pass them all: a server may offer
 * SHA-256 and MD5 in separate fields, RFC 8760 §2.4). Non-Digest schemes are skipped.
 * Throws a GeoredError (AUTH_MALFORMED_HEADER, AUTH_DUPLICATE_PARAM, AUTH_MISSING_PARAM) on malformed input.
 */
export function parseChallenges(headerValue: string | readonly string[]): DigestChallenge[] {
  const joined = typeof headerValue === 'string' ? headerValue : headerValue.join(', ');
  return parseAuthElements(joined)
    .filter((e) => e.scheme.toLowerCase() === 'digest')
    .map(toChallenge);
}

function toChallenge(e: AuthElement): DigestChallenge {
  const p = e.params;
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (e.token68 !== undefined)
    throw err('AUTH_MALFORMED_HEADER', { offset: 0, detail: 'Digest takes no token68' });
  if (realm === undefined) throw err('AUTH_MISSING_PARAM', { what: 'challenge', param: 'realm' });
  if (nonce === undefined) throw err('AUTH_MISSING_PARAM', { what: 'challenge', param: 'nonce' });
  const algorithmToken = p.get('algorithm');
  const supported = toAlgorithm(algorithmToken ?? 'MD5');
  const qop = p.get('qop');
  const domain = p.get('domain');
  const charset = p.get('charset');
  const opaque = p.get('opaque');
  return {
    realm,
    nonce,
    ...(opaque !== undefined && { opaque }),
    // RFC 7616 §3.3: any value other than "true" (case-insensitive) is false.
    stale: isTrue(p.get('stale')),
    algorithm: supported ?? algorithmToken ?? 'MD5',
    algorithmGiven: algorithmToken !== undefined,
    supportedAlgorithm: supported,
    qop: qop === undefined ? [] : splitList(qop).map((q) => q.toLowerCase()),
    userhash: isTrue(p.get('userhash')),
    domain: domain === undefined ? [] : domain.split(/[ \t]+/).filter((d) => d.length > 0),
    ...(charset !== undefined && { charset }),
    params: p,
  };
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Options of one challenge a server sends. */
export interface ChallengeParams {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop: readonly string[];
  readonly opaque?: string;
  readonly stale?: boolean;
  readonly userhash?: boolean;
  readonly domain?: readonly string[];
}

/** Serializes one challenge; the algorithm is always named, so no peer falls back to MD5 by accident. */
export function formatChallenge(c: ChallengeParams): string {
  const parts = [`realm=${quote(c.realm)}`];
  if (c.domain !== undefined && c.domain.length > 0) parts.push(`domain=${quote(c.domain.join(' '))}`);
  parts.push(`nonce=${quote(c.nonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.stale === true) parts.push('stale=true');
  parts.push(`algorithm=${c.algorithm}`);
  if (c.qop.length > 0) parts.push(`qop=${quote(c.qop.join(','))}`);
  if (c.userhash === true) parts.push('userhash=true');
  return `Digest ${parts.join(', ')}`;
}
