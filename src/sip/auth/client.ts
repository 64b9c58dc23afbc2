import { randomBytes } from 'node:crypto';
import { GeoredError, errorFactory } from '../../errors/catalogue';
import { AUTH_ERRORS, type AuthErrorCode } from '../../errors/auth';
import { hashOf, isSess, strength, type DigestAlgorithm, type DigestHash } from './algorithms';
import { parseChallenges, type DigestChallenge } from './challenge';
import { formatCredentials, parseCredentials } from './credentials';
import { computeResponse, ha1Base, hashedUsername } from './digest';

const err = errorFactory(AUTH_ERRORS);

/** A password, or HA1 values (H(username:realm:password)) per hash so the password need not be stored. */
export type ClientCredentials = {
  readonly username: string;
  /** Only for this realm; absent: for any realm. */
  readonly realm?: string;
} & ({ readonly password: string } | { readonly ha1: Readonly<Partial<Record<DigestHash, string>>> });

export type AuthKind = 'www' | 'proxy';

export interface AuthRequest {
  readonly method: string;
  /** The Request-URI, as it will be sent (it is the digest-uri). */
  readonly uri: string;
  /** Needed for qop=auth-int; absent is an empty body. */
  readonly body?: string | Buffer;
}

export type AnswerResult =
  | {
      readonly header: 'Authorization' | 'Proxy-Authorization';
      /** The answer for the first (usually only) realm challenged. */
      readonly value: string;
      /** One value per realm challenged; add each as its own header field (RFC 3261 §22.3). */
      readonly values: readonly string[];
    }
  | {
      readonly rejected: true;
      readonly code: AuthErrorCode;
      readonly reason: string;
      readonly realm?: string;
    };

export interface DigestClientOptions {
  /** One set for every realm, a list (first matching `realm` wins, then the first without one), or a lookup. */
  readonly credentials:
    ClientCredentials | readonly ClientCredentials[] | ((realm: string) => ClientCredentials | undefined);
  /** Makes a cnonce (default: 16 random bytes in hex); injectable so tests are deterministic. */
  readonly cnonce?: () => string;
  /** Use qop=auth-int when both auth and auth-int are offered (default: auth, which every server handles). */
  readonly preferAuthInt?: boolean;
  /** Send H(username:realm) when the server offers userhash (default true: RFC 7616 §3.4.4 privacy). */
  readonly useUserhash?: boolean;
}

const MAX_NONCES = 256;

/** Answers Digest challenges (RFC 7616, RFC 8760, RFC 2617/2069) for one account. See index.ts. */
export class DigestClient {
  private readonly newCnonce: () => string;
  private readonly lookup: (realm: string) => ClientCredentials | undefined;
  // Last nc per nonce, in use order so the oldest is dropped first (bounded: nonces come from the network).
  private readonly counts = new Map<string, number>();
  private readonly lastChallenge = new Map<string, DigestChallenge>();

  constructor(private readonly options: DigestClientOptions) {
    this.newCnonce = options.cnonce ?? (() => randomBytes(16).toString('hex'));
    this.lookup = toLookup(options.credentials);
  }

  /**
   * Answers a 401 (kind 'www', from WWW-Authenticate) or 407 (kind 'proxy', from Proxy-Authenticate).
   * `previous` is the Authorization / Proxy-Authorization value(s) the challenged request carried: if it
   * already answered a realm that challenges again without stale=true, the credentials were rejected
   * (RFC 7616 §3.3 / RFC 3261 §22.2) and the result says so instead of looping.
   */
  answer(
    challenges: string | readonly string[],
    request: AuthRequest,
    kind: AuthKind,
    previous?: string | readonly string[],
  ): AnswerResult {
    let offered: DigestChallenge[];
    let answeredRealms: Set<string>;
    try {
      offered = parseChallenges(challenges);
      answeredRealms = new Set(previous === undefined ? [] : parseCredentials(previous).map((c) => c.realm));
    } catch (e) {
      if (e instanceof GeoredError) return rejection(e);
      throw e;
    }
    if (offered.length === 0) {
      return rejection(err('AUTH_NO_SUPPORTED_CHALLENGE', { offered: 'no Digest challenge' }));
    }
    const values: string[] = [];
    for (const [realm, group] of groupByRealm(offered)) {
      if (answeredRealms.has(realm) && !group.some((c) => c.stale)) {
        return rejection(err('AUTH_CREDENTIALS_REJECTED', { realm }), realm);
      }
      const result = this.answerRealm(realm, group, request, kind);
      if (typeof result !== 'string') return rejection(result, realm);
      values.push(result);
    }
    return { header: headerFor(kind), value: values[0]!, values };
  }

  /**
   * Credentials for a new request without waiting for a challenge, reusing the last nonce seen for the realm
   * (nc goes up by one each time). Undefined when nothing was challenged yet; a server that has forgotten
   * the nonce answers stale=true and `answer` recovers transparently.
   */
  authorize(
    request: AuthRequest,
    kind: AuthKind,
    realm?: string,
  ): { header: string; value: string } | undefined {
    let challenge: DigestChallenge | undefined;
    for (const [key, c] of this.lastChallenge) {
      if (key.startsWith(`${kind}\n`) && (realm === undefined || c.realm === realm)) challenge = c;
    }
    if (challenge === undefined) return undefined;
    const result = this.answerRealm(challenge.realm, [challenge], request, kind);
    return typeof result === 'string' ? { header: headerFor(kind), value: result } : undefined;
  }

  private answerRealm(
    realm: string,
    group: readonly DigestChallenge[],
    request: AuthRequest,
    kind: AuthKind,
  ): string | GeoredError {
    const creds = this.lookup(realm);
    if (creds === undefined) return err('AUTH_NO_CREDENTIALS_FOR_REALM', { realm });
    const usable = group
      .map((c, order) => ({ c, order, qop: this.chooseQop(c), algorithm: c.supportedAlgorithm }))
      .filter(
        (x): x is typeof x & { algorithm: DigestAlgorithm } =>
          x.algorithm !== null &&
          x.qop !== null &&
          // -sess hashes the cnonce into A1, and without qop no cnonce is sent (RFC 2617 §3.2.2.2).
          !(x.qop === undefined && isSess(x.algorithm)) &&
          ha1For(creds, x.algorithm, realm) !== undefined,
      )
      // Strongest hash first (RFC 8760 §2.4); the server's order breaks ties.
      .sort((a, b) => strength(b.algorithm) - strength(a.algorithm) || a.order - b.order);
    const best = usable[0];
    if (best === undefined) {
      const list = group.map((c) => `${c.algorithm}${c.qop.length > 0 ? `/${c.qop.join('+')}` : ''}`);
      return err('AUTH_NO_SUPPORTED_CHALLENGE', { offered: list.join(', ') });
    }
    const { c, algorithm } = best;
    const qop = best.qop ?? undefined;
    const base = ha1For(creds, algorithm, realm)!;
    const nc = qop === undefined ? undefined : this.nextCount(kind, c);
    const cnonce = qop === undefined ? undefined : this.newCnonce();
    const userhash = c.userhash && this.options.useUserhash !== false;
    this.remember(`${kind}\n${realm}`, c, this.lastChallenge);
    const response = computeResponse({
      algorithm,
      ha1Base: base,
      nonce: c.nonce,
      method: request.method,
      uri: request.uri,
      ...(qop !== undefined && { qop }),
      ...(nc !== undefined && { nc }),
      ...(cnonce !== undefined && { cnonce }),
      ...(request.body !== undefined && { body: request.body }),
    });
    return formatCredentials({
      username: userhash ? hashedUsername(algorithm, creds.username, realm) : creds.username,
      userhash,
      realm,
      nonce: c.nonce,
      uri: request.uri,
      response,
      ...(c.algorithmGiven && { algorithm: c.algorithm }),
      ...(qop !== undefined && { qop }),
      ...(nc !== undefined && { nc }),
      ...(cnonce !== undefined && { cnonce }),
      ...(c.opaque !== undefined && { opaque: c.opaque }),
    });
  }

  /** The qop to answer with: undefined for the RFC 2069 form (none offered), null when none offered is known. */
  private chooseQop(c: DigestChallenge): string | undefined | null {
    if (c.qop.length === 0) return undefined; // RFC 2069 form
    const auth = c.qop.includes('auth');
    const authInt = c.qop.includes('auth-int');
    if (authInt && (this.options.preferAuthInt === true || !auth)) return 'auth-int';
    return auth ? 'auth' : null;
  }

  private nextCount(kind: AuthKind, c: DigestChallenge): string {
    const key = `${kind}\n${c.realm}\n${c.nonce}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.remember(key, n, this.counts);
    return n.toString(16).padStart(8, '0');
  }

  private remember<V>(key: string, value: V, map: Map<string, V>): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_NONCES) map.delete(map.keys().next().value!);
  }
}

function headerFor(kind: AuthKind): 'Authorization' | 'Proxy-Authorization' {
  return kind === 'proxy' ? 'Proxy-Authorization' : 'Authorization';
}

function rejection(e: GeoredError, realm?: string): AnswerResult {
  return {
    rejected: true,
    code: e.code as AuthErrorCode,
    reason: e.message,
    ...(realm !== undefined && { realm }),
  };
}

function groupByRealm(challenges: readonly DigestChallenge[]): Map<string, DigestChallenge[]> {
  const groups = new Map<string, DigestChallenge[]>();
  for (const c of challenges) {
    const g = groups.get(c.realm);
    if (g === undefined) groups.set(c.realm, [c]);
    else g.push(c);
  }
  return groups;
}

function ha1For(creds: ClientCredentials, algorithm: DigestAlgorithm, realm: string): string | undefined {
  if ('password' in creds) return ha1Base(algorithm, creds.username, realm, creds.password);
  return creds.ha1[hashOf(algorithm)];
}

function toLookup(c: DigestClientOptions['credentials']): (realm: string) => ClientCredentials | undefined {
  if (typeof c === 'function') return c;
  const list: readonly ClientCredentials[] = Array.isArray(c) ? c : [c as ClientCredentials];
  for (const one of list) {
    if (one.username.length === 0) throw err('AUTH_BAD_CONFIG', { detail: 'empty username' });
  }
  return (realm) => list.find((x) => x.realm === realm) ?? list.find((x) => x.realm === undefined);
}
