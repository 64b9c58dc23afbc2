import { errorFactory } from '../../errors/catalogue';
import { TRANSACTION_ERRORS } from '../../errors/transaction';

const err = errorFactory(TRANSACTION_ERRORS);

/**
 * The timer values of RFC 3261 §17 (Table 4 of Appendix A). T1, T2 and T4 are configurable; every other
 * timer derives from them, so one setting scales the whole schedule (tests shrink T1 to keep runs short).
 */
export interface TimerValues {
  /** RTT estimate: the first retransmission interval. */
  readonly T1: number;
  /** The cap on non-INVITE request and INVITE response retransmission intervals. */
  readonly T2: number;
  /** How long a message may stay in the network: how long to absorb stragglers. */
  readonly T4: number;
}

export const DEFAULT_TIMERS: TimerValues = { T1: 500, T2: 4000, T4: 5000 };

/**
 * Fills in the defaults and rejects values that would break the schedule: a T1 or T2 of zero would
 * retransmit in a loop at one instant, so they must be positive; T4 may be 0 (nothing to absorb).
 */
export function resolveTimers(partial: Partial<TimerValues> = {}): TimerValues {
  const t: TimerValues = {
    T1: partial.T1 ?? DEFAULT_TIMERS.T1,
    T2: partial.T2 ?? DEFAULT_TIMERS.T2,
    T4: partial.T4 ?? DEFAULT_TIMERS.T4,
  };
  for (const name of ['T1', 'T2', 'T4'] as const) {
    const value = t[name];
    const ok = Number.isFinite(value) && (name === 'T4' ? value >= 0 : value > 0);
    if (!ok) throw err('TXN_BAD_TIMER', { name, value });
  }
  return t;
}

/** Timer B, F, H, J, L and M: the 64*T1 transaction timeout. */
export function transactionTimeout(t: TimerValues): number {
  return 64 * t.T1;
}

/**
 * Timer D: "at least 32 seconds for unreliable transports". It must outlive the peer's Timer H (64*T1 of
 * the peer) so that retransmitted final responses are still acknowledged; with a larger T1 it grows.
 */
export function timerD(t: TimerValues, reliable: boolean): number {
  return reliable ? 0 : Math.max(32_000, 64 * t.T1);
}

/** Timer I and K: T4 on unreliable transports, zero on reliable ones (nothing to absorb). */
export function absorbTimer(t: TimerValues, reliable: boolean): number {
  return reliable ? 0 : t.T4;
}

/** Timer J: 64*T1 on unreliable transports (request retransmissions may still come), zero on reliable. */
export function timerJ(t: TimerValues, reliable: boolean): number {
  return reliable ? 0 : 64 * t.T1;
}
