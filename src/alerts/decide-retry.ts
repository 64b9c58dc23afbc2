/**
 * Retry or give up on a failed delivery attempt: exponential backoff with "equal jitter" (half the
 * doubled delay fixed, half random), bounded by retry_max_delay. Pure: the random
 * number comes in.
 */
export interface RetryConfig {
  readonly retry_attempts: number;
  /** Seconds. */
  readonly retry_initial_delay: number;
  readonly retry_max_delay: number;
}

export type RetryDecision =
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'give-up'; readonly reason: string };

/** After attempt number `attempt` (1-based) failed with `error`. `random` is in [0, 1). */
export function decideRetry(
  attempt: number,
  error: string,
  config: RetryConfig,
  random: number,
): RetryDecision {
  if (attempt >= config.retry_attempts) {
    return {
      kind: 'give-up',
      reason: `failed ${attempt} time${attempt === 1 ? '' : 's'}, the most retry_attempts allows: ${error}`,
    };
  }
  const cap = Math.min(config.retry_max_delay, config.retry_initial_delay * 2 ** (attempt - 1)) * 1000;
  // Half fixed, half random: never a zero wait, and instances that failed together spread out.
  const delayMs = Math.round(cap / 2 + (cap / 2) * random);
  return {
    kind: 'retry',
    delayMs,
    reason: `attempt ${attempt} of ${config.retry_attempts} failed (${error}); retrying in ${delayMs} ms`,
  };
}
