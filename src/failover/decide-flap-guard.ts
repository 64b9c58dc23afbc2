/**
 * The flap guard: at most `flap_guard.max_switches` automatic switches in any `flap_guard.window`
 * seconds. Operators' switches (manual, scheduled, approved) are neither counted nor held back.
 */
import type { FailoverDecisionConfig } from './decide-failover-types';

/** Why an automatic switch now would be one too many, or null when it is allowed. */
export function flapGuardBlocks(
  recentSwitches: readonly number[],
  cfg: Pick<FailoverDecisionConfig, 'failover'>,
  now: number,
): string | null {
  const { max_switches, window } = cfg.failover.flap_guard;
  if (max_switches <= 0) return null; // 0 means no cap, not "never switch"
  const windowMs = window * 1000;
  const inWindow = recentSwitches.filter((t) => t > now - windowMs && t <= now);
  if (inWindow.length < max_switches) return null;
  const oldest = Math.min(...inWindow);
  const freeInMs = oldest + windowMs - now;
  return (
    `flap guard: ${inWindow.length} automatic switches in the last ${window} s (max ${max_switches}), ` +
    `the next is allowed in ${Number((freeInMs / 1000).toFixed(3))} s`
  );
}
