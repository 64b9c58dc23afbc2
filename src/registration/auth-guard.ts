/**
 * The memory behind decide-auth-ban.ts: failure records per source IP and per user name (bounded, so
 * spoofed sources cannot grow it without end), the sources the PBX authenticated from, and one info line
 * per ban (never one per attempt: an attacker controls that rate).
 */
import type { Logger } from 'pino';
import type { SecurityConfig } from '../config/types';
import {
  decideAdmission,
  decideAfterFailure,
  type Admission,
  type AuthBanPolicy,
  type Ban,
  type FailureRecord,
} from './decide-auth-ban';
import { canonicalIp } from './ip-address';

export interface AuthGuardOptions {
  readonly policy: AuthBanPolicy;
  /** Sources that are the PBX whatever happened (the configured `pbx.address`). */
  readonly trusted?: () => readonly string[];
  readonly logger?: Logger;
  readonly onBan?: (ban: Ban) => void;
  readonly onFailure?: () => void;
  /** Records kept per kind; the oldest is forgotten first. Default 10 000. */
  readonly maxRecords?: number;
}

export function banPolicy(security: SecurityConfig['auth_failures']): AuthBanPolicy {
  return {
    perSource: security.per_source,
    perUser: security.per_user,
    windowMs: security.window * 1000,
    banMs: security.ban * 1000,
  };
}

/** Sources the PBX proved itself from, remembered this long after the last success. */
const TRUST_MS = 24 * 3600_000;

export class AuthGuard {
  private readonly sources = new Map<string, FailureRecord>();
  private readonly users = new Map<string, FailureRecord>();
  private readonly proven = new Map<string, number>();
  private readonly max: number;

  constructor(private readonly opts: AuthGuardOptions) {
    this.max = opts.maxRecords ?? 10_000;
  }

  /** May a request from `address` with credentials for `username` (null: none yet) be looked at? */
  admit(address: string, username: string | null, now: number): Admission {
    const source = canonicalIp(address);
    return decideAdmission(
      {
        source: this.sources.get(source),
        user: username === null ? undefined : this.users.get(username),
      },
      { source, username, trusted: this.trusted(source, now) },
      now,
    );
  }

  failed(address: string, username: string | null, now: number): readonly Ban[] {
    const source = canonicalIp(address);
    const after = decideAfterFailure(
      { source: this.sources.get(source), user: username === null ? undefined : this.users.get(username) },
      { source, username, trusted: this.trusted(source, now) },
      this.opts.policy,
      now,
    );
    this.put(this.sources, source, after.source);
    if (username !== null && after.user !== undefined) this.put(this.users, username, after.user);
    this.opts.onFailure?.();
    for (const ban of after.bans) {
      this.opts.logger?.info(
        { kind: ban.kind, key: ban.key, until: new Date(ban.until).toISOString(), failures: ban.failures },
        `authentication ban: ${ban.reason}`,
      );
      this.opts.onBan?.(ban);
    }
    return after.bans;
  }

  /** A right answer: the source's failures are forgotten and it counts as the PBX's from now on. */
  succeeded(address: string, now: number): void {
    const source = canonicalIp(address);
    this.sources.delete(source);
    this.proven.delete(source);
    this.proven.set(source, now);
    if (this.proven.size > 64) this.proven.delete(this.proven.keys().next().value!);
  }

  /** Bans in force now, for the metric. */
  activeBans(now: number): { source: number; user: number } {
    let source = 0;
    let user = 0;
    for (const r of this.sources.values()) if (r.bannedUntil !== null && r.bannedUntil > now) source++;
    for (const r of this.users.values()) if (r.bannedUntil !== null && r.bannedUntil > now) user++;
    return { source, user };
  }

  private trusted(source: string, now: number): boolean {
    const at = this.proven.get(source);
    if (at !== undefined && now - at < TRUST_MS) return true;
    return (this.opts.trusted?.() ?? []).some((a) => canonicalIp(a) === source);
  }

  private put(map: Map<string, FailureRecord>, key: string, record: FailureRecord): void {
    map.delete(key);
    map.set(key, record);
    // A Map iterates in insertion order: the first key is the one touched longest ago.
    if (map.size > this.max) map.delete(map.keys().next().value!);
  }
}
