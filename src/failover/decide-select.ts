/**
 * Which regions may be active, and in which order of preference. Shared by every failover decision so
 * that failover, failback, the initial choice and the test-failover plan agree.
 */
import {
  compareRegions,
  eligibleRanked as eligibleRankedBy,
  isEligibleState,
  rankRegions,
} from '../model/region-order';
import type { FailoverDecisionConfig, FailoverInput, RegionView } from './decide-failover-types';

// The order of preference is src/model/region-order.ts's, shared with per-call routing.
export { compareRegions, rankRegions };

/** HEALTHY and WARNING always; DEGRADED only when `failover.degraded_is_eligible` (src/model/region-order.ts). */
export function isEligible(
  state: RegionView['state'],
  cfg: Pick<FailoverDecisionConfig, 'failover'>,
): boolean {
  return isEligibleState(state, cfg.failover.degraded_is_eligible);
}

export function eligibleRanked(
  regions: readonly RegionView[],
  cfg: Pick<FailoverDecisionConfig, 'failover'>,
): RegionView[] {
  return eligibleRankedBy(regions, cfg.failover.degraded_is_eligible);
}

/** The normal choice: the eligible region with the best priority, or null when none is eligible. */
export function selectActive(
  input: Pick<FailoverInput, 'regions'>,
  cfg: Pick<FailoverDecisionConfig, 'failover'>,
): string | null {
  return eligibleRanked(input.regions, cfg)[0]?.name ?? null;
}
