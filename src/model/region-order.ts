/**
 * What makes a region eligible to carry calls, and the order of preference among regions: one definition
 * for the failover decisions (src/failover/decide-select.ts), the per-call routing decision
 * (src/routing/decide-route.ts) and the service's region list, so the region failover makes active is the
 * one routing tries first.
 */
import { HealthState } from './health-state';

/** The fields the order of preference reads. */
export interface RankedRegion {
  readonly name: string;
  readonly priority: number;
  readonly weight: number;
}

/**
 * HEALTHY and WARNING always; DEGRADED only when `degradedIsEligible` (`failover.degraded_is_eligible`);
 * CRITICAL and DOWN never (docs/health-and-failover.md).
 */
export function isEligibleState(state: HealthState, degradedIsEligible: boolean): boolean {
  return (
    state === HealthState.HEALTHY ||
    state === HealthState.WARNING ||
    (degradedIsEligible && state === HealthState.DEGRADED)
  );
}

/** Preference: the lowest priority number, then the higher weight, then the name (a total order). */
export function compareRegions(a: RankedRegion, b: RankedRegion): number {
  return a.priority - b.priority || b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** `regions` in order of preference (a sorted copy). */
export function rankRegions<T extends RankedRegion>(regions: readonly T[]): T[] {
  return [...regions].sort(compareRegions);
}

/** The eligible regions of `regions`, in order of preference. */
export function eligibleRanked<T extends RankedRegion & { readonly state: HealthState }>(
  regions: readonly T[],
  degradedIsEligible: boolean,
): T[] {
  return rankRegions(regions.filter((r) => isEligibleState(r.state, degradedIsEligible)));
}
