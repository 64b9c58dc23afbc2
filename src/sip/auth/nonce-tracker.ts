/**
 * Replay protection: the highest nc accepted per nonce (RFC 7616 §3.4: the server checks that nc went up).
 * Memory is bounded: expired nonces are swept out (they are refused as stale anyway), and if that is not
 * enough the least recently first-used ones go. A nonce that was dropped must not be accepted from scratch,
 * or its old nc values could be replayed, so eviction raises a watermark: an untracked nonce issued at or
 * before it is reported 'forgotten' and the server answers stale=true (the client re-challenges, no harm).
 */
export type NonceUse = 'ok' | 'replay' | 'forgotten';

export class NonceTracker {
  private readonly seen = new Map<string, { nc: number; issuedAt: number }>();
  private watermark = -Infinity;

  constructor(
    private readonly maxTracked: number,
    private readonly lifetimeMs: number,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  /** Records nc for the nonce when it is strictly higher than any accepted before. */
  use(nonce: string, issuedAt: number, nc: number, now: number): NonceUse {
    const entry = this.seen.get(nonce);
    if (entry !== undefined) {
      if (nc <= entry.nc) return 'replay';
      entry.nc = nc;
      return 'ok';
    }
    if (issuedAt <= this.watermark) return 'forgotten';
    this.seen.set(nonce, { nc, issuedAt });
    if (this.seen.size > this.maxTracked) this.shrink(now);
    return 'ok';
  }

  private shrink(now: number): void {
    for (const [nonce, e] of this.seen) {
      if (now - e.issuedAt > this.lifetimeMs) this.seen.delete(nonce);
    }
    // Evict down to 90% so a full table of live nonces does not sweep on every new one.
    const target = Math.floor(this.maxTracked * 0.9);
    for (const [nonce, e] of this.seen) {
      if (this.seen.size <= target) break;
      this.seen.delete(nonce);
      this.watermark = Math.max(this.watermark, e.issuedAt);
    }
  }
}
