import { createHash } from 'node:crypto';

/** The hash functions of RFC 7616 §6.1 (IANA "HTTP Digest Hash Algorithms") that SIP uses (RFC 8760). */
export type DigestHash = 'MD5' | 'SHA-256' | 'SHA-512-256';

/** Digest algorithms, canonical spelling; `-sess` variants hash the nonce and cnonce into A1. */
export type DigestAlgorithm =
  'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  'SHA-512-256',
  'SHA-512-256-sess',
  'SHA-256',
  'SHA-256-sess',
  'MD5',
  'MD5-sess',
];

const NODE_HASH: Record<DigestHash, string> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};

// Higher is stronger; a client picks the strongest offered (RFC 8760 §2.4: MD5 only for backward compatibility).
const STRENGTH: Record<DigestHash, number> = { MD5: 1, 'SHA-256': 2, 'SHA-512-256': 3 };

const BY_LOWER = new Map(DIGEST_ALGORITHMS.map((a) => [a.toLowerCase(), a]));

/** The canonical algorithm for a token as sent (algorithm names are case-insensitive), or null if unsupported. */
export function toAlgorithm(token: string): DigestAlgorithm | null {
  return BY_LOWER.get(token.toLowerCase()) ?? null;
}

export function hashOf(algorithm: DigestAlgorithm): DigestHash {
  return (algorithm.endsWith('-sess') ? algorithm.slice(0, -'-sess'.length) : algorithm) as DigestHash;
}

export function isSess(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith('-sess');
}

export function strength(algorithm: DigestAlgorithm): number {
  return STRENGTH[hashOf(algorithm)];
}

/** H(data): lower-case hex of the hash; strings are hashed as UTF-8 (RFC 7616 §4, SIP is UTF-8 throughout). */
export function hexHash(hash: DigestHash, data: string | Buffer): string {
  return createHash(NODE_HASH[hash]).update(data).digest('hex');
}

/** Length in hex characters of H() output, so a response of the wrong length is refused before comparing. */
export function hexLength(hash: DigestHash): number {
  return hash === 'MD5' ? 32 : 64;
}
