/** The knobs of trunk registration timing, with the defaults the issue gives, and their validation. */
import { errorFactory } from '../errors/catalogue';
import { REGISTRATION_ERRORS } from '../errors/registration';

export interface RegistrationTiming {
  /** First retry delay after a failure (timeout, 5xx, transport error); doubles per failure. */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** Retries vary by ± this fraction so regions (and geored instances) do not retry in lockstep. */
  readonly jitter: number;
  /** After "credentials rejected" (403, or a repeated challenge without stale): how long until one more try. */
  readonly rejectedRetryMs: number;
  /** Refresh at the shorter of this fraction of the grant and the grant minus `refreshMarginMs`. */
  readonly refreshFraction: number;
  readonly refreshMarginMs: number;
  /** Give up on one REGISTER transaction after this long (a 408 for the decision), sooner than Timer F. */
  readonly requestTimeoutMs: number;
  /** Bound on the un-REGISTER sent by stop(). */
  readonly unregisterTimeoutMs: number;
  /** Challenges answered within one attempt (stale=true may re-challenge); beyond it the attempt fails. */
  readonly maxAuthRounds: number;
}

export const DEFAULT_TIMING: RegistrationTiming = {
  backoffInitialMs: 1_000,
  backoffMaxMs: 300_000,
  jitter: 0.2,
  rejectedRetryMs: 1_800_000,
  refreshFraction: 0.9,
  refreshMarginMs: 10_000,
  requestTimeoutMs: 10_000,
  unregisterTimeoutMs: 2_000,
  maxAuthRounds: 3,
};

const err = errorFactory(REGISTRATION_ERRORS);

/** Defaults overlaid with `overrides`; throws REG_BAD_TIMING naming the first value out of range. */
export function resolveTiming(overrides: Partial<RegistrationTiming> = {}): RegistrationTiming {
  const t = { ...DEFAULT_TIMING, ...overrides };
  const positive: (keyof RegistrationTiming)[] = [
    'backoffInitialMs',
    'backoffMaxMs',
    'rejectedRetryMs',
    'requestTimeoutMs',
    'unregisterTimeoutMs',
    'maxAuthRounds',
  ];
  for (const name of positive) {
    if (!(t[name] > 0)) throw err('REG_BAD_TIMING', { name, expected: 'positive', value: t[name] });
  }
  if (!(t.jitter >= 0 && t.jitter < 1))
    throw err('REG_BAD_TIMING', { name: 'jitter', expected: 'in [0, 1)', value: t.jitter });
  if (!(t.refreshFraction > 0 && t.refreshFraction < 1)) {
    throw err('REG_BAD_TIMING', { name: 'refreshFraction', expected: 'in (0, 1)', value: t.refreshFraction });
  }
  if (!(t.refreshMarginMs >= 0))
    throw err('REG_BAD_TIMING', { name: 'refreshMarginMs', expected: '>= 0', value: t.refreshMarginMs });
  if (t.backoffMaxMs < t.backoffInitialMs) {
    throw err('REG_BAD_TIMING', {
      name: 'backoffMaxMs',
      expected: `at least backoffInitialMs (${t.backoffInitialMs})`,
      value: t.backoffMaxMs,
    });
  }
  return t;
}
