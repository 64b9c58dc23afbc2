import { describe, expect, it } from 'vitest';
import { NonceMinter } from '../../../src/sip/auth/nonce';
import { NonceTracker } from '../../../src/sip/auth/nonce-tracker';

describe('NonceTracker', () => {
  it('accepts strictly increasing nc per nonce only', () => {
    const t = new NonceTracker(100, 1000);
    expect(t.use('a', 0, 1, 0)).toBe('ok');
    expect(t.use('a', 0, 1, 0)).toBe('replay');
    expect(t.use('a', 0, 5, 0)).toBe('ok');
    expect(t.use('a', 0, 4, 0)).toBe('replay');
    expect(t.use('b', 0, 1, 0)).toBe('ok');
  });

  it('sweeps expired nonces first, so live ones stay tracked', () => {
    const t = new NonceTracker(4, 1000);
    for (let i = 0; i < 4; i++) t.use(`old${i}`, 0, 1, 0);
    t.use('live', 5000, 1, 5000);
    expect(t.size).toBe(1);
    expect(t.use('live', 5000, 1, 5000)).toBe('replay');
    // Nothing live was evicted, so a never-seen nonce issued earlier is still fresh.
    expect(t.use('other', 4000, 1, 5000)).toBe('ok');
  });

  it('reports an evicted (or older, never seen) nonce as forgotten', () => {
    const t = new NonceTracker(10, 1_000_000);
    for (let i = 0; i < 11; i++) expect(t.use(`n${i}`, i, 1, 20)).toBe('ok');
    expect(t.size).toBeLessThanOrEqual(10);
    expect(t.use('n0', 0, 2, 20)).toBe('forgotten');
    expect(t.use('never-seen', 0, 1, 20)).toBe('forgotten');
    expect(t.use('n10', 10, 2, 20)).toBe('ok');
  });
});

describe('NonceMinter', () => {
  const secret = Buffer.from('0123456789abcdef0123456789abcdef');

  it('reads back the issue time of its own nonces only', () => {
    let n = 0;
    const m = new NonceMinter(secret, 'r', (len) => Buffer.alloc(len, ++n));
    const nonce = m.mint(1_700_000_000_123);
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{44}$/);
    expect(m.issuedAt(nonce)).toBe(1_700_000_000_123);
    expect(m.mint(1_700_000_000_123)).not.toBe(nonce);
    expect(new NonceMinter(secret, 'other-realm').issuedAt(nonce)).toBeNull();
    expect(new NonceMinter(Buffer.from('another secret, 32 bytes long!!!'), 'r').issuedAt(nonce)).toBeNull();
    for (const bad of ['', 'short', nonce + 'A', nonce.slice(0, 43) + '!', 'A'.repeat(44)]) {
      expect(m.issuedAt(bad), bad).toBeNull();
    }
  });

  it('refuses any single-character change', () => {
    const m = new NonceMinter(secret, 'r');
    const nonce = m.mint(42);
    for (let i = 0; i < nonce.length; i++) {
      const c = nonce[i] === 'A' ? 'B' : 'A';
      expect(m.issuedAt(nonce.slice(0, i) + c + nonce.slice(i + 1))).toBeNull();
    }
  });
});
