/**
 * Which regions a new call tries, in order: a pure function of the request's facts, the live state, the
 * routing configuration, the clock and one random number. The proxy walks the list on per-call failover.
 *
 * Every strategy puts eligible regions (HEALTHY, WARNING, DEGRADED where allowed) before the others, and
 * still lists the others last: when every region is failing, trying one beats refusing the call.
 */
import type { HealthState } from '../model/health-state';
import { compareRegions, isEligibleState, rankRegions } from '../model/region-order';
import { matchTimeRule, type TimeRule } from './time-of-day';
import { distanceKm, type GeoPoint } from './locate-caller';

export type RoutingStrategy = 'priority' | 'proximity' | 'time_of_day';

export interface RouteRegion {
  readonly name: string;
  readonly priority: number;
  readonly weight: number;
  readonly state: HealthState;
  readonly location?: GeoPoint;
}

export interface RoutingPolicy {
  readonly strategy: RoutingStrategy;
  /** Traffic shares for 'proximity' when the caller's location is unknown; absent regions use their weight. */
  readonly weights: Readonly<Record<string, number>>;
  readonly timeRules: readonly TimeRule[];
  readonly timezone: string;
  readonly degradedIsEligible: boolean;
}

export interface RouteInput {
  readonly regions: readonly RouteRegion[];
  /** The failover engine's active region. */
  readonly active: string | null;
  /** Where the caller is, when location rules placed them. */
  readonly caller: { readonly location: GeoPoint; readonly because: string } | null;
  readonly now: number;
  /** Uniform in [0, 1): picks the weighted region, so the function stays pure. */
  readonly random: number;
}

export interface RouteDecision {
  readonly order: readonly string[];
  readonly reason: string;
}

/** Eligibility and the priority order are src/model/region-order.ts's, the ones failover uses. */
export const isEligible = isEligibleState;
export const byPriority = compareRegions;

function moveToFront(list: RouteRegion[], name: string | null): RouteRegion[] {
  const i = name === null ? -1 : list.findIndex((r) => r.name === name);
  if (i <= 0) return list;
  return [list[i]!, ...list.slice(0, i), ...list.slice(i + 1)];
}

function weightOf(r: RouteRegion, weights: Readonly<Record<string, number>>): number {
  return Math.max(0, weights[r.name] ?? r.weight);
}

/** The region `random` lands on when [0, 1) is cut into shares by weight; null when all weights are 0. */
export function pickWeighted(
  regions: readonly RouteRegion[],
  weights: Readonly<Record<string, number>>,
  random: number,
): RouteRegion | null {
  const total = regions.reduce((s, r) => s + weightOf(r, weights), 0);
  if (total <= 0) return null;
  let point = random * total;
  for (const r of regions) {
    point -= weightOf(r, weights);
    if (point < 0) return r;
  }
  // Floating-point leftovers land on the last region with a share.
  return [...regions].reverse().find((r) => weightOf(r, weights) > 0) ?? null;
}

export function decideRoute(input: RouteInput, policy: RoutingPolicy): RouteDecision {
  const sorted = rankRegions(input.regions);
  const eligible = sorted.filter((r) => isEligible(r.state, policy.degradedIsEligible));
  const rest = sorted.filter((r) => !isEligible(r.state, policy.degradedIsEligible));
  const restNote =
    rest.length === 0
      ? ''
      : `; not eligible, tried last: ${rest.map((r) => `${r.name} (${r.state})`).join(', ')}`;
  const done = (first: RouteRegion[], why: string): RouteDecision => ({
    order: [...first, ...rest].map((r) => r.name),
    reason: why + restNote,
  });

  if (sorted.length === 0)
    return { order: [], reason: 'No region is registered, so there is nowhere to route.' };
  if (eligible.length === 0) {
    const ordered = moveToFront(sorted, input.active);
    return {
      order: ordered.map((r) => r.name),
      reason: `No region is eligible; trying every region, ${ordered[0]!.name} first as ${
        ordered[0]!.name === input.active ? 'the last active region' : 'the best priority'
      }.`,
    };
  }

  const activeEligible = eligible.some((r) => r.name === input.active);
  const priorityOrder = activeEligible ? moveToFront(eligible, input.active) : eligible;
  const priorityWhy = activeEligible
    ? `${input.active} first as the active region, then by priority`
    : `${eligible[0]!.name} first by priority${input.active ? ` (active region ${input.active} is not eligible)` : ''}`;

  switch (policy.strategy) {
    case 'priority':
      return done(priorityOrder, `Priority routing: ${priorityWhy}`);

    case 'proximity': {
      if (input.caller) {
        const loc = input.caller.location;
        const withLoc = eligible.filter((r) => r.location);
        const near = [...withLoc].sort(
          (a, b) => distanceKm(loc, a.location!) - distanceKm(loc, b.location!) || byPriority(a, b),
        );
        const ordered = [...near, ...eligible.filter((r) => !r.location)];
        return done(
          ordered,
          `Proximity routing: ${ordered[0]!.name} is nearest the caller (${input.caller.because}, ${Math.round(
            distanceKm(loc, ordered[0]!.location ?? loc),
          )} km)`,
        );
      }
      const pick = pickWeighted(eligible, policy.weights, input.random);
      if (!pick) return done(priorityOrder, `Proximity routing with every weight 0: ${priorityWhy}`);
      const share =
        weightOf(pick, policy.weights) / eligible.reduce((s, r) => s + weightOf(r, policy.weights), 0);
      return done(
        moveToFront(eligible, pick.name),
        `Proximity routing, caller location unknown: ${pick.name} drawn by weight (${Math.round(share * 100)}% share of eligible traffic), then by priority`,
      );
    }

    case 'time_of_day': {
      const rule = matchTimeRule(policy.timeRules, input.now, policy.timezone);
      if (!rule)
        return done(
          priorityOrder,
          `Time-of-day routing: no rule covers the time in ${policy.timezone}; ${priorityWhy}`,
        );
      if (!eligible.some((r) => r.name === rule.region)) {
        return done(
          priorityOrder,
          `Time-of-day routing: rule ${rule.label} names ${rule.region}, which is not eligible; ${priorityWhy}`,
        );
      }
      return done(
        moveToFront(priorityOrder, rule.region),
        `Time-of-day routing: rule ${rule.label} (${policy.timezone}) sends calls to ${rule.region}, then by priority`,
      );
    }
  }
}
