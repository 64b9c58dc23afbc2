/**
 * Which regions may be active, and in which order of preference. Shared by every failover decision so
 * that failover, failback, the initial choice and the test-failover plan agree.
 */
import { HealthState } from '../model/health-state';
import type { FailoverDecisionConfig, FailoverInput, RegionView } from './decide-failover-types';

/** HEALTHY and WARNING always; DEGRADED only when `failover.degraded_is_eligible`. */
export function isEligible(state: HealthState, cfg: Pick<FailoverDecisionConfig, 'failover'>): boolean {
  return (
    state === HealthState.HEALTHY ||
    state === HealthState.WARNING ||
    (state === HealthState.DEGRADED && cfg.failover.degraded_is_eligible)
  );
}

/** Preference: lowest priority number, then the higher weight, then the name. */
export function compareRegions(a: RegionView, b: RegionView): number {
  return a.priority - b.priority || b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

export function rankRegions(regions: readonly RegionView[]): RegionView[] {
  return [...regions].sort(compareRegions);
}

export function eligibleRanked(
  regions: readonly RegionView[],
  cfg: Pick<FailoverDecisionConfig, 'failover'>,
): RegionView[] {
  return rankRegions(regions.filter((r) => isEligible(r.state, cfg)));
}

/** The normal choice: the eligible region with the best priority, or null when none is eligible. */
export function selectActive(
  input: Pick<FailoverInput, 'regions'>,
  cfg: Pick<FailoverDecisionConfig, 'failover'>,
): string | null {
  return eligibleRanked(input.regions, cfg)[0]?.name ?? null;
}
