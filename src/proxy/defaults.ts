import type { ProxyLimits } from './types';

export const DEFAULT_LIMITS: ProxyLimits = {
  maxDialogs: 100_000,
  // Longer than any sane call: a dialog whose BYE was lost must not pin memory for ever.
  dialogIdleMs: 4 * 3600_000,
  recordFlushMs: 500,
  recordBatch: 200,
  maxCallRows: 100_000,
  maxSpooledRecords: 20_000,
  recordRetryMs: 500,
};

/** RFC 3261 Timer F (64 × T1): a non-INVITE client transaction's own limit, ms. */
export const TIMER_F_MS = 64 * 500;

/**
 * The deadline of one attempt of an out-of-dialog non-INVITE request: the region's provisional timeout × 4,
 * at most Timer F. A non-INVITE gets no 1xx to prove the region alive, so waiting for its final answer is
 * the only test; four provisional timeouts leave room for a real answer while a dead region costs far less
 * than the 32 s of Timer F.
 */
export function nonInviteDeadlineMs(provisionalTimeoutMs: number): number {
  return Math.min(provisionalTimeoutMs * 4, TIMER_F_MS);
}
