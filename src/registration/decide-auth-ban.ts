/**
 * Failed-authentication bans, as Kamailio operators build them from pike, ratelimit and htable: too many
 * wrong digest answers from one source IP ban that IP; too many for one user name (from anywhere) ban
 * the name for every source that is not trusted. Trusted sources (the configured PBX address, addresses
 * the PBX authenticated from) are never caught by a user-name ban, so an attacker elsewhere cannot lock
 * the real PBX out. Pure: state, policy and clock in; the decision and one sentence of why out.
 */

export interface AuthBanPolicy {
  /** Failures from one source within the window that ban the source. */
  readonly perSource: number;
  /** Failures for one user name within the window that ban the name for untrusted sources. */
  readonly perUser: number;
  readonly windowMs: number;
  readonly banMs: number;
}

/** What is remembered of one source or one user name. */
export interface FailureRecord {
  /** Epoch ms of the failures inside the window, oldest first (at most the threshold's worth). */
  readonly times: readonly number[];
  /** Epoch ms the ban ends; null when not banned. */
  readonly bannedUntil: number | null;
}

export interface AuthAttempt {
  /** Canonical source IP. */
  readonly source: string;
  /** The user name the credentials carry; null before credentials (a request for a challenge). */
  readonly username: string | null;
  /** The source is the configured PBX address or one the PBX authenticated from. */
  readonly trusted: boolean;
}

export interface Records {
  readonly source: FailureRecord | undefined;
  readonly user: FailureRecord | undefined;
}

export type BanKind = 'source' | 'user';

export type Admission =
  | { readonly admit: true; readonly reason: string }
  | { readonly admit: false; readonly kind: BanKind; readonly until: number; readonly reason: string };

export interface Ban {
  readonly kind: BanKind;
  readonly key: string;
  readonly until: number;
  readonly failures: number;
  readonly reason: string;
}

export interface AfterFailure {
  readonly source: FailureRecord;
  readonly user: FailureRecord | undefined;
  /** Bans that start with this failure (each is logged once and counted). */
  readonly bans: readonly Ban[];
}

const EMPTY: FailureRecord = { times: [], bannedUntil: null };

function banned(r: FailureRecord | undefined, now: number): r is FailureRecord & { bannedUntil: number } {
  return r !== undefined && r.bannedUntil !== null && r.bannedUntil > now;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** May this attempt be looked at (challenged or verified)? */
export function decideAdmission(records: Records, attempt: AuthAttempt, now: number): Admission {
  if (banned(records.source, now)) {
    return {
      admit: false,
      kind: 'source',
      until: records.source.bannedUntil,
      reason: `source ${attempt.source} is banned until ${iso(records.source.bannedUntil)} after failed authentication`,
    };
  }
  if (banned(records.user, now) && !attempt.trusted) {
    return {
      admit: false,
      kind: 'user',
      until: records.user.bannedUntil,
      reason: `user ${attempt.username ?? ''} is banned for untrusted sources until ${iso(records.user.bannedUntil)}; ${attempt.source} is not a trusted PBX address`,
    };
  }
  return {
    admit: true,
    reason: banned(records.user, now)
      ? `user ${attempt.username ?? ''} is banned, but ${attempt.source} is a trusted PBX address`
      : `no ban applies to ${attempt.source}`,
  };
}

function count(
  r: FailureRecord | undefined,
  threshold: number,
  policy: AuthBanPolicy,
  now: number,
): { record: FailureRecord; reached: boolean } {
  const base = r === undefined || (r.bannedUntil !== null && r.bannedUntil <= now) ? EMPTY : r;
  const inWindow = base.times.filter((t) => t > now - policy.windowMs);
  inWindow.push(now);
  // Only the last `threshold` failures can matter for the next decision: memory stays bounded under attack.
  const times = inWindow.slice(-threshold);
  if (base.bannedUntil === null && times.length >= threshold) {
    return { record: { times: [], bannedUntil: now + policy.banMs }, reached: true };
  }
  return { record: { times, bannedUntil: base.bannedUntil }, reached: false };
}

/** A wrong answer: the records after it, and any ban it starts. */
export function decideAfterFailure(
  records: Records,
  attempt: AuthAttempt,
  policy: AuthBanPolicy,
  now: number,
): AfterFailure {
  const bans: Ban[] = [];
  const seconds = Math.round(policy.windowMs / 1000);
  const banSeconds = Math.round(policy.banMs / 1000);
  const s = count(records.source, policy.perSource, policy, now);
  if (s.reached) {
    bans.push({
      kind: 'source',
      key: attempt.source,
      until: s.record.bannedUntil!,
      failures: policy.perSource,
      reason: `${policy.perSource} failed authentications from ${attempt.source} within ${seconds} s: source banned for ${banSeconds} s`,
    });
  }
  let user: FailureRecord | undefined = records.user;
  if (attempt.username !== null) {
    const u = count(records.user, policy.perUser, policy, now);
    user = u.record;
    if (u.reached) {
      bans.push({
        kind: 'user',
        key: attempt.username,
        until: u.record.bannedUntil!,
        failures: policy.perUser,
        reason: `${policy.perUser} failed authentications for user ${attempt.username} within ${seconds} s: user banned for ${banSeconds} s for sources other than the PBX's`,
      });
    }
  }
  return { source: s.record, user, bans };
}
