/** AuthGuard: the ban table around decide-auth-ban.ts, with the PBX's trusted addresses. */
import { describe, expect, it } from 'vitest';
import { AuthGuard } from '../../src/registration/auth-guard';
import type { Ban } from '../../src/registration/decide-auth-ban';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('AuthGuard', () => {
  it('a user-name ban from a distributed guess spares the configured PBX address and proven sources', () => {
    const bans: Ban[] = [];
    const guard = new AuthGuard({
      policy: { perSource: 5, perUser: 3, windowMs: 60_000, banMs: 600_000 },
      trusted: () => ['192.0.2.10'],
      onBan: (b) => bans.push(b),
    });
    guard.succeeded('198.51.100.20', T0); // the PBX also registered from here once
    for (let i = 0; i < 3; i++) guard.failed(`203.0.113.${i}`, 'pbx', T0 + i);
    expect(bans.map((b) => [b.kind, b.key])).toEqual([['user', 'pbx']]);
    expect(guard.admit('203.0.113.99', 'pbx', T0 + 10)).toMatchObject({ admit: false, kind: 'user' });
    expect(guard.admit('192.0.2.10', 'pbx', T0 + 10).admit).toBe(true);
    expect(guard.admit('::ffff:198.51.100.20', 'pbx', T0 + 10).admit).toBe(true);
    // Another name from an untrusted source is not caught by the ban on "pbx".
    expect(guard.admit('203.0.113.99', 'other', T0 + 10).admit).toBe(true);
    expect(guard.activeBans(T0 + 10)).toEqual({ source: 0, user: 1 });
    expect(guard.activeBans(T0 + 600_010)).toEqual({ source: 0, user: 0 });
  });

  it('forgets the oldest records beyond its bound', () => {
    const guard = new AuthGuard({
      policy: { perSource: 1, perUser: 100, windowMs: 60_000, banMs: 600_000 },
      maxRecords: 2,
    });
    guard.failed('203.0.113.1', null, T0);
    guard.failed('203.0.113.2', null, T0);
    guard.failed('203.0.113.3', null, T0);
    expect(guard.activeBans(T0)).toEqual({ source: 2, user: 0 });
    expect(guard.admit('203.0.113.1', null, T0).admit).toBe(true);
    expect(guard.admit('203.0.113.3', null, T0).admit).toBe(false);
  });
});
