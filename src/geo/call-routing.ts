/** Which regions a new call tries, in order (for the proxy): live state + routing policy → decideRoute. */
import type { GeoConfig, RegionConfig } from '../config/types';
import type { LiveState } from '../live/types';
import { HealthState } from '../model/health-state';
import { decideRoute, type RouteDecision, type RouteRegion } from '../routing/decide-route';
import { locateCaller, type CallerFacts } from '../routing/locate-caller';

export function routeCall(
  regions: readonly RegionConfig[],
  live: Pick<LiveState, 'getRegion' | 'getActive'>,
  geo: GeoConfig,
  facts: CallerFacts,
  now: number,
): RouteDecision {
  const r = geo.routing;
  if (!geo.enabled) {
    // Disabled: no health and no active region, so every region in priority order.
    const all: RouteRegion[] = regions.map((config) => ({
      name: config.name,
      priority: config.priority,
      weight: config.weight,
      state: HealthState.HEALTHY,
    }));
    const d = decideRoute(
      { regions: all, active: null, caller: null, now, random: 0 },
      { strategy: 'priority', weights: {}, timeRules: [], timezone: r.timezone, degradedIsEligible: true },
    );
    return { order: d.order, reason: `Geographic redundancy is disabled: ${d.reason}` };
  }
  const views: RouteRegion[] = regions.map((config) => ({
    name: config.name,
    priority: config.priority,
    weight: config.weight,
    state: live.getRegion(config.name)?.state ?? HealthState.HEALTHY,
    ...(config.latitude !== undefined && config.longitude !== undefined
      ? { location: { latitude: config.latitude, longitude: config.longitude } }
      : {}),
  }));
  const caller = locateCaller(facts, r.location_rules);
  return decideRoute(
    { regions: views, active: live.getActive()?.name ?? null, caller, now, random: Math.random() },
    {
      strategy: r.strategy,
      weights: r.weights,
      timeRules: r.time_based,
      timezone: r.timezone,
      degradedIsEligible: geo.failover.degraded_is_eligible,
    },
  );
}
