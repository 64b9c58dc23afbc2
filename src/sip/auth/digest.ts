import { hashOf, hexHash, isSess, type DigestAlgorithm } from './algorithms';

/**
 * The digest computation of RFC 7616 §3.4 (RFC 2617 §3.2.2, RFC 2069 when there is no qop), pure.
 * `ha1Base` is H(username:realm:password) for the algorithm's hash: what a server may store instead of
 * the password, and what the -sess variants extend with the nonce and cnonce.
 */
export interface DigestInput {
  readonly algorithm: DigestAlgorithm;
  readonly ha1Base: string;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  /** 'auth', 'auth-int' (as sent, case kept: it is hashed), or undefined for the RFC 2069 form. */
  readonly qop?: string;
  readonly nc?: string;
  readonly cnonce?: string;
  /** Message body, for auth-int; absent means empty (H of the empty string, RFC 3261 §22.4). */
  readonly body?: string | Buffer;
}

export function ha1Base(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return hexHash(hashOf(algorithm), `${username}:${realm}:${password}`);
}

/** RFC 7616 §3.4.4: with userhash, the username sent is H(username:realm). */
export function hashedUsername(algorithm: DigestAlgorithm, username: string, realm: string): string {
  return hexHash(hashOf(algorithm), `${username}:${realm}`);
}

export function computeHa1(input: DigestInput): string {
  if (!isSess(input.algorithm)) return input.ha1Base;
  return hexHash(hashOf(input.algorithm), `${input.ha1Base}:${input.nonce}:${input.cnonce ?? ''}`);
}

export function computeHa2(input: DigestInput): string {
  const hash = hashOf(input.algorithm);
  if (input.qop !== undefined && input.qop.toLowerCase() === 'auth-int') {
    const bodyHash = hexHash(hash, input.body ?? '');
    return hexHash(hash, `${input.method}:${input.uri}:${bodyHash}`);
  }
  return hexHash(hash, `${input.method}:${input.uri}`);
}

export function computeResponse(input: DigestInput): string {
  const hash = hashOf(input.algorithm);
  const ha1 = computeHa1(input);
  const ha2 = computeHa2(input);
  if (input.qop === undefined) return hexHash(hash, `${ha1}:${input.nonce}:${ha2}`);
  return hexHash(hash, `${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`);
}
