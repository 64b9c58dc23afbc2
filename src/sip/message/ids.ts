import { randomBytes } from 'node:crypto';

/**
 * Identifiers that must be globally unique and unguessable (RFC 3261 §8.1.1.4, §8.1.1.7, §19.3: at least
 * 32 random bits). Random bytes are drawn in blocks because one syscall per branch would be the costliest
 * step of sending a request.
 */
let pool = Buffer.alloc(0);
let offset = 0;

function random(n: number): string {
  if (offset + n > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const s = pool.toString('base64url', offset, offset + n);
  offset += n;
  return s;
}

/** The RFC 3261 magic cookie that marks a branch as globally unique (§8.1.1.7). */
export const MAGIC_COOKIE = 'z9hG4bK';

/** A new Via branch: the magic cookie and 96 random bits. */
export function newBranch(): string {
  return MAGIC_COOKIE + random(12);
}

/** A new From/To tag: 72 random bits. */
export function newTag(): string {
  return random(9);
}

/** A new Call-ID: 120 random bits (no host part, so it reveals nothing about us). */
export function newCallId(): string {
  return random(15);
}
