import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { GeoredError, errorFactory } from '../../errors/catalogue';
import { AUTH_ERRORS, type AuthErrorCode } from '../../errors/auth';
import { DIGEST_ALGORITHMS, hashOf, hexLength, type DigestAlgorithm, type DigestHash } from './algorithms';
import { formatChallenge } from './challenge';
import { parseCredentials, type DigestCredentials } from './credentials';
import { computeResponse, ha1Base } from './digest';
import { NonceMinter } from './nonce';
import { NonceTracker } from './nonce-tracker';

const err = errorFactory(AUTH_ERRORS);

/** What the server knows of a user: the password, or HA1 per hash (H(username:realm:password)). */
export type ServerSecret =
  { readonly password: string } | { readonly ha1: Readonly<Partial<Record<DigestHash, string>>> };

export interface DigestServerOptions {
  readonly realm: string;
  /** Key of the nonce HMAC, at least 16 bytes; instances sharing it accept each other's nonces. */
  readonly secret: string | Buffer;
  /** How long a nonce is accepted; after that a right answer gets stale=true. Default 300 s. */
  readonly nonceLifetimeMs?: number;
  /** Offered in this order, one challenge each (RFC 8760 §2.4). Default SHA-256 then MD5. */
  readonly algorithms?: readonly DigestAlgorithm[];
  /** Default ['auth']; [] offers the RFC 2069 form (no nc: each nonce is then good for one request). */
  readonly qop?: readonly ('auth' | 'auth-int')[];
  /** Sent in every challenge and required back unchanged. */
  readonly opaque?: string;
  readonly lookup: (username: string) => ServerSecret | undefined;
  /** Resolves H(username:realm) to a username; given, the server offers userhash=true (RFC 7616 §3.4.4). */
  readonly resolveUserhash?: (hashedUsername: string, hash: DigestHash) => string | undefined;
  /** Bound on nonces tracked for replay protection. Default 10 000. */
  readonly maxTrackedNonces?: number;
  readonly random?: (bytes: number) => Buffer;
}

export interface VerifyRequest {
  readonly method: string;
  readonly uri: string;
  readonly body?: string | Buffer;
}

export type VerifyResult =
  | { readonly ok: true; readonly username: string }
  | {
      readonly ok: false;
      readonly code: AuthErrorCode;
      readonly reason: string;
      /** Re-challenge with stale=true: the answer was right but the nonce is no longer good. */
      readonly stale: boolean;
    };

/** Challenges and verifies Digest credentials (RFC 7616, RFC 8760) for one realm. Pure: `now` comes in. */
export class DigestServer {
  readonly realm: string;
  private readonly lifetime: number;
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly qop: readonly string[];
  private readonly minter: NonceMinter;
  private readonly tracker: NonceTracker;
  private readonly dummyKey: Buffer;

  constructor(private readonly options: DigestServerOptions) {
    const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : options.secret;
    if (secret.length < 16)
      throw err('AUTH_BAD_CONFIG', { detail: 'the nonce secret needs at least 16 bytes' });
    if (options.realm.length === 0) throw err('AUTH_BAD_CONFIG', { detail: 'empty realm' });
    this.realm = options.realm;
    this.lifetime = options.nonceLifetimeMs ?? 300_000;
    if (!(this.lifetime > 0)) throw err('AUTH_BAD_CONFIG', { detail: 'nonceLifetimeMs must be positive' });
    this.algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
    if (this.algorithms.length === 0 || this.algorithms.some((a) => !DIGEST_ALGORITHMS.includes(a))) {
      throw err('AUTH_BAD_CONFIG', { detail: `algorithms must be among ${DIGEST_ALGORITHMS.join(', ')}` });
    }
    this.qop = options.qop ?? ['auth'];
    if (this.qop.some((q) => q !== 'auth' && q !== 'auth-int')) {
      throw err('AUTH_BAD_CONFIG', { detail: 'qop must be auth and/or auth-int' });
    }
    if (this.qop.length === 0 && this.algorithms.some((a) => a.endsWith('-sess'))) {
      throw err('AUTH_BAD_CONFIG', { detail: '-sess algorithms need a qop' });
    }
    const max = options.maxTrackedNonces ?? 10_000;
    if (!(max >= 1)) throw err('AUTH_BAD_CONFIG', { detail: 'maxTrackedNonces must be at least 1' });
    this.minter = new NonceMinter(secret, this.realm, options.random ?? randomBytes);
    this.tracker = new NonceTracker(max, this.lifetime);
    this.dummyKey = createHmac('sha256', secret).update('unknown-user').digest();
  }

  /** Header values for WWW-Authenticate (or Proxy-Authenticate), one field each, strongest first. */
  challenge(now: number, opts: { stale?: boolean } = {}): string[] {
    const nonce = this.minter.mint(now);
    return this.algorithms.map((algorithm) =>
      formatChallenge({
        realm: this.realm,
        nonce,
        algorithm,
        qop: this.qop,
        ...(this.options.opaque !== undefined && { opaque: this.options.opaque }),
        ...(opts.stale === true && { stale: true }),
        ...(this.options.resolveUserhash !== undefined && { userhash: true }),
      }),
    );
  }

  /** Checks Authorization (or Proxy-Authorization) value(s) against the request. Never throws on bad input. */
  verify(
    authorization: string | readonly string[] | undefined,
    request: VerifyRequest,
    now: number,
  ): VerifyResult {
    try {
      return this.check(authorization ?? [], request, now);
    } catch (e) {
      if (e instanceof GeoredError) return fail(e, false);
      throw e;
    }
  }

  private check(
    authorization: string | readonly string[],
    request: VerifyRequest,
    now: number,
  ): VerifyResult {
    const all = parseCredentials(authorization);
    const creds = all.find((c) => c.realm === this.realm);
    if (creds === undefined) {
      const other = all[0];
      if (other === undefined) throw err('AUTH_NO_DIGEST_CREDENTIALS', { realm: this.realm });
      throw err('AUTH_REALM_MISMATCH', { realm: other.realm, expected: this.realm });
    }
    const algorithm = creds.supportedAlgorithm;
    if (algorithm === null || !this.algorithms.includes(algorithm)) {
      throw err('AUTH_ALGORITHM_NOT_OFFERED', { algorithm: creds.algorithm });
    }
    const qop = creds.qop?.toLowerCase();
    if (this.qop.length === 0 ? qop !== undefined : qop === undefined || !this.qop.includes(qop)) {
      throw err('AUTH_QOP_NOT_OFFERED', { qop: creds.qop ?? '(none)' });
    }
    if (creds.uri !== request.uri)
      throw err('AUTH_URI_MISMATCH', { uri: creds.uri, requestUri: request.uri });
    if (creds.opaque !== this.options.opaque) throw err('AUTH_OPAQUE_MISMATCH');
    const issuedAt = this.minter.issuedAt(creds.nonce);
    if (issuedAt === null) throw err('AUTH_NONCE_INVALID');

    const username = this.responseMatches(creds, algorithm, request);
    if (username === null) throw err('AUTH_BAD_CREDENTIALS');

    // Only a right answer reaches here, so stale=true never tells a guesser anything (RFC 7616 §3.3).
    const age = now - issuedAt;
    if (age > this.lifetime || age < -this.lifetime) return fail(err('AUTH_NONCE_STALE'), true);
    // Without qop there is no nc: treat each use as nc 1, so a nonce serves one request.
    const nc = creds.nc === undefined ? 1 : parseInt(creds.nc, 16);
    const use = this.tracker.use(creds.nonce, issuedAt, nc, now);
    if (use === 'forgotten' || (use === 'replay' && creds.nc === undefined)) {
      return fail(err('AUTH_NONCE_STALE'), true);
    }
    if (use === 'replay') throw err('AUTH_NONCE_REPLAY', { nc: creds.nc });
    return { ok: true, username };
  }

  /** The user's name when the response is right; null otherwise, after the same work for unknown users. */
  private responseMatches(
    creds: DigestCredentials,
    algorithm: DigestAlgorithm,
    request: VerifyRequest,
  ): string | null {
    const hash = hashOf(algorithm);
    const username = creds.userhash
      ? (this.options.resolveUserhash?.(creds.username, hash) ?? null)
      : creds.username;
    const secret = username === null ? undefined : this.options.lookup(username);
    const known = secret === undefined ? undefined : ha1From(secret, algorithm, username!, this.realm);
    // Unknown users get a made-up HA1 so the answer costs the same and fails the same way as a bad password.
    const base = known ?? this.dummyHa1(hash, creds.username);
    const expected = computeResponse({
      algorithm,
      ha1Base: base,
      nonce: creds.nonce,
      method: request.method,
      uri: creds.uri,
      ...(creds.qop !== undefined && { qop: creds.qop }),
      ...(creds.nc !== undefined && { nc: creds.nc }),
      ...(creds.cnonce !== undefined && { cnonce: creds.cnonce }),
      ...(request.body !== undefined && { body: request.body }),
    });
    const got = Buffer.from(creds.response, 'utf8');
    const want = Buffer.from(expected, 'utf8');
    // The expected length is public (it follows from the algorithm); only the content is compared in constant time.
    const same = got.length === hexLength(hash) && got.length === want.length && timingSafeEqual(got, want);
    return same && known !== undefined ? username : null;
  }

  private dummyHa1(hash: DigestHash, username: string): string {
    const mac = createHmac('sha256', this.dummyKey).update(username, 'utf8').digest('hex');
    return hash === 'MD5' ? mac.slice(0, 32) : mac;
  }
}

function ha1From(
  secret: ServerSecret,
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
): string | undefined {
  if ('password' in secret) return ha1Base(algorithm, username, realm, secret.password);
  return secret.ha1[hashOf(algorithm)]?.toLowerCase();
}

function fail(e: GeoredError, stale: boolean): VerifyResult {
  return { ok: false, code: e.code as AuthErrorCode, reason: e.message, stale };
}
