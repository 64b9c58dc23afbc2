import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Self-validating nonces (RFC 7616 §3.3 suggests time-stamp + H(time-stamp ":" ETag ":" secret)): the
 * server keeps no state to know it issued one, only the secret. Layout, base64url without padding:
 * issued-at (6 bytes, ms, big-endian) | random (9 bytes, so nonces minted in the same ms differ and nc is
 * tracked per nonce) | HMAC-SHA-256(secret, realm | the first 15 bytes), first 18 bytes.
 */
const TIME_BYTES = 6;
const RANDOM_BYTES = 9;
const MAC_BYTES = 18;
const TOTAL = TIME_BYTES + RANDOM_BYTES + MAC_BYTES;
// 33 bytes is exactly 44 base64 characters: no padding bits, so each nonce has one spelling.
const SHAPE = /^[A-Za-z0-9_-]{44}$/;

export class NonceMinter {
  constructor(
    private readonly secret: Buffer,
    private readonly realm: string,
    private readonly random: (bytes: number) => Buffer = randomBytes,
  ) {}

  mint(now: number): string {
    const head = Buffer.alloc(TIME_BYTES + RANDOM_BYTES);
    head.writeUIntBE(Math.max(0, Math.floor(now)), 0, TIME_BYTES);
    this.random(RANDOM_BYTES).copy(head, TIME_BYTES, 0, RANDOM_BYTES);
    return Buffer.concat([head, this.mac(head)]).toString('base64url');
  }

  /** When the nonce was issued, or null if this server (secret and realm) did not issue it. */
  issuedAt(nonce: string): number | null {
    if (!SHAPE.test(nonce)) return null;
    const bytes = Buffer.from(nonce, 'base64url');
    if (bytes.length !== TOTAL) return null;
    const head = bytes.subarray(0, TIME_BYTES + RANDOM_BYTES);
    if (!timingSafeEqual(bytes.subarray(TIME_BYTES + RANDOM_BYTES), this.mac(head))) return null;
    return head.readUIntBE(0, TIME_BYTES);
  }

  private mac(head: Buffer): Buffer {
    return createHmac('sha256', this.secret)
      .update(this.realm, 'utf8')
      .update('\0')
      .update(head)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
