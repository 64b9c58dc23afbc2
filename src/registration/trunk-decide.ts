/**
 * Pure timing decisions of a trunk registration: when the next REGISTER goes out and why, and what a
 * final response to a REGISTER means. Functions of (facts, timing, now, random); the driver does the I/O.
 */
import type { RegistrationFacts, RegistrationState } from './trunk-state';
import type { RegistrationTiming } from './trunk-timing';

export type RegistrationAction = 'register' | 'refresh' | 'wait';

export interface RegistrationDecision {
  /** When to act (epoch ms; may be in the past: act at once); null for 'wait'. */
  readonly at: number | null;
  readonly action: RegistrationAction;
  readonly reason: string;
}

/**
 * Seconds after a grant to refresh: the shorter of `refreshFraction` of it and it minus the margin, so a
 * long grant refreshes with a fixed margin and a medium one early enough. For grants so short that the
 * margin would leave nothing (under about 2 × margin), half the grant: still before expiry, not a busy loop.
 */
export function refreshDelayMs(grantedSeconds: number, timing: RegistrationTiming): number {
  const granted = grantedSeconds * 1000;
  const delay = Math.min(granted * timing.refreshFraction, granted - timing.refreshMarginMs);
  return Math.max(delay, granted / 2);
}

/** Delay before retry number `failures` (1 = first failure): doubling from the initial value, capped, ± jitter. */
export function backoffDelayMs(failures: number, timing: RegistrationTiming, random: number): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 40);
  const base = Math.min(timing.backoffInitialMs * 2 ** exponent, timing.backoffMaxMs);
  const jittered = base * (1 - timing.jitter + 2 * timing.jitter * random);
  return Math.min(jittered, timing.backoffMaxMs);
}

export function nextRegistrationAction(
  facts: RegistrationFacts,
  timing: RegistrationTiming,
  now: number,
  random: number,
): RegistrationDecision {
  const byState: Record<RegistrationState, () => RegistrationDecision> = {
    unregistered: () => ({ at: now, action: 'register', reason: 'not registered: register now' }),
    registering: () => ({ at: null, action: 'wait', reason: 'a REGISTER is in flight; its answer decides' }),
    refreshing: () => ({ at: null, action: 'wait', reason: 'a refresh is in flight; its answer decides' }),
    registered: () => {
      const granted = facts.granted ?? { seconds: 0, at: facts.since };
      const delay = refreshDelayMs(granted.seconds, timing);
      return {
        at: granted.at + delay,
        action: 'refresh',
        reason: `granted ${granted.seconds} s: refresh ${Math.round(delay / 100) / 10} s after the grant`,
      };
    },
    failed: () => {
      const delay = backoffDelayMs(facts.failures, timing, random);
      return {
        at: facts.since + delay,
        action: 'register',
        reason: `failure ${facts.failures} in a row: retry after a backoff of ${Math.round(delay / 100) / 10} s`,
      };
    },
    rejected: () => {
      // Jitter only downwards: "rarely" is a promise to the provider, never retried sooner than 1 - jitter.
      const delay = timing.rejectedRetryMs * (1 - timing.jitter * random);
      return {
        at: facts.since + delay,
        action: 'register',
        reason: `credentials rejected: try once more after ${Math.round(delay / 1000)} s, never sooner`,
      };
    },
  };
  return byState[facts.state]();
}

/** What the driver knows about one final response to a REGISTER it sent. */
export interface RegisterAnswer {
  readonly status: number;
  readonly reasonPhrase: string;
  /** No response arrived: the stack made up a 408 (timeout) or 503 (transport error). */
  readonly synthetic: boolean;
  /** The REGISTER asked for removal (Expires: 0). */
  readonly unregistering: boolean;
  /** For a 2xx: seconds granted for our contact (see grantedSeconds); null when the 2xx lists no binding of ours. */
  readonly grantedSeconds: number | null;
  /** For a 401/407: the digest client's verdict (it knows whether this realm was already answered). */
  readonly digest:
    { readonly ok: true; readonly stale: boolean } | { readonly ok: false; readonly reason: string } | null;
  /** Challenges already answered in this attempt. */
  readonly authRounds: number;
  /** For a 423: the registrar's Min-Expires. */
  readonly minExpires: number | null;
  /** Seconds we asked for. */
  readonly requested: number;
}

export type RegisterOutcome =
  | { readonly kind: 'registered'; readonly grantedSeconds: number; readonly reason: string }
  | { readonly kind: 'unregistered'; readonly reason: string }
  | { readonly kind: 'authenticate'; readonly reason: string }
  | { readonly kind: 'retry-expires'; readonly expires: number; readonly reason: string }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

/** Reads a final response to a REGISTER (RFC 3261 §10.2.4–§10.2.8, §22.2). */
export function judgeRegisterResponse(a: RegisterAnswer, timing: RegistrationTiming): RegisterOutcome {
  const said = `${a.status} ${a.reasonPhrase}`;
  if (a.synthetic) {
    const what = a.status === 408 ? 'no answer within the timeout' : 'transport error';
    return { kind: 'failed', reason: `${what} (${said})` };
  }
  if (a.status >= 200 && a.status < 300) {
    if (a.unregistering) return { kind: 'unregistered', reason: `binding removed (${said})` };
    if (a.grantedSeconds === null || a.grantedSeconds <= 0) {
      return { kind: 'failed', reason: `${said} lists no binding for our contact` };
    }
    return {
      kind: 'registered',
      grantedSeconds: a.grantedSeconds,
      reason: `registered for ${a.grantedSeconds} s`,
    };
  }
  if (a.status === 401 || a.status === 407) {
    if (a.digest === null) return { kind: 'rejected', reason: `${said} without a usable challenge` };
    if (!a.digest.ok) return { kind: 'rejected', reason: `credentials rejected: ${a.digest.reason}` };
    if (a.authRounds >= timing.maxAuthRounds) {
      return { kind: 'failed', reason: `still challenged after ${a.authRounds} answers (stale nonces)` };
    }
    return {
      kind: 'authenticate',
      reason: a.digest.stale ? 'nonce was stale: answer the new one' : 'challenged: answer with digest',
    };
  }
  if (a.status === 403) return { kind: 'rejected', reason: `credentials rejected (${said})` };
  if (a.status === 423 && a.minExpires !== null && a.minExpires > a.requested) {
    // §10.2.8: retry with at least Min-Expires; once per attempt (a second 423 fails below).
    return {
      kind: 'retry-expires',
      expires: a.minExpires,
      reason: `interval too brief: retry with ${a.minExpires} s`,
    };
  }
  return { kind: 'failed', reason: `registrar answered ${said}` };
}
