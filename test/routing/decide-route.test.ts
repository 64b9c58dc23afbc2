import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HealthState } from '../../src/model/health-state';
import {
  decideRoute,
  isEligible,
  pickWeighted,
  type RouteRegion,
  type RoutingPolicy,
} from '../../src/routing/decide-route';
import { parseTimeRules } from '../../src/routing/time-of-day';

const H = HealthState;
const region = (
  name: string,
  priority: number,
  state = H.HEALTHY,
  extra: Partial<RouteRegion> = {},
): RouteRegion => ({
  name,
  priority,
  weight: 1,
  state,
  ...extra,
});
const guideRegions = [
  region('us-east-1', 1, H.HEALTHY, { location: { latitude: 38.9, longitude: -77.4 } }),
  region('us-west-1', 2, H.HEALTHY, { location: { latitude: 37.4, longitude: -122.0 } }),
  region('eu-west-1', 3, H.HEALTHY, { location: { latitude: 53.3, longitude: -6.3 } }),
];
const policy = (p: Partial<RoutingPolicy> = {}): RoutingPolicy => ({
  strategy: 'priority',
  weights: {},
  timeRules: [],
  timezone: 'UTC',
  degradedIsEligible: false,
  ...p,
});
const base = { active: 'us-east-1', caller: null, now: Date.UTC(2025, 0, 15, 10, 0), random: 0 };

describe('priority routing', () => {
  it('puts the active region first, then the others by priority', () => {
    const d = decideRoute({ ...base, regions: guideRegions, active: 'us-west-1' }, policy());
    expect(d.order).toEqual(['us-west-1', 'us-east-1', 'eu-west-1']);
    expect(d.reason).toBe('Priority routing: us-west-1 first as the active region, then by priority');
  });

  it('tries non-eligible regions last and says why', () => {
    const regions = [region('a', 1, H.DOWN), region('b', 2, H.CRITICAL), region('c', 3, H.WARNING)];
    const d = decideRoute({ ...base, regions, active: 'a' }, policy());
    expect(d.order).toEqual(['c', 'a', 'b']);
    expect(d.reason).toBe(
      'Priority routing: c first by priority (active region a is not eligible); not eligible, tried last: a (down), b (critical)',
    );
  });

  it('treats DEGRADED as eligible only when configured', () => {
    const regions = [region('a', 1, H.DEGRADED), region('b', 2)];
    expect(decideRoute({ ...base, regions, active: null }, policy()).order).toEqual(['b', 'a']);
    expect(
      decideRoute({ ...base, regions, active: null }, policy({ degradedIsEligible: true })).order,
    ).toEqual(['a', 'b']);
  });

  it('breaks priority ties by weight, then name', () => {
    const regions = [
      region('b', 1, H.HEALTHY, { weight: 1 }),
      region('c', 1, H.HEALTHY, { weight: 5 }),
      region('a', 1),
    ];
    expect(decideRoute({ ...base, regions, active: null }, policy()).order).toEqual(['c', 'a', 'b']);
  });

  it('still routes when every region is down, the last active one first', () => {
    const regions = [region('a', 1, H.DOWN), region('b', 2, H.DOWN)];
    const d = decideRoute({ ...base, regions, active: 'b' }, policy());
    expect(d.order).toEqual(['b', 'a']);
    expect(d.reason).toBe('No region is eligible; trying every region, b first as the last active region.');
  });

  it('says so when no region exists', () => {
    expect(decideRoute({ ...base, regions: [], active: null }, policy())).toEqual({
      order: [],
      reason: 'No region is registered, so there is nowhere to route.',
    });
  });
});

describe('proximity routing', () => {
  const weights = { 'us-east-1': 50, 'us-west-1': 30, 'eu-west-1': 20 };

  it('sends a caller located in Europe to the nearest region', () => {
    const caller = {
      location: { latitude: 51.5, longitude: -0.1 },
      because: 'calling number matches prefix +44',
    };
    const d = decideRoute(
      { ...base, regions: guideRegions, caller },
      policy({ strategy: 'proximity', weights }),
    );
    expect(d.order).toEqual(['eu-west-1', 'us-east-1', 'us-west-1']);
    expect(d.reason).toMatch(
      /^Proximity routing: eu-west-1 is nearest the caller \(calling number matches prefix \+44, \d+ km\)$/,
    );
  });

  it('draws by weight when the location is unknown', () => {
    const at = (random: number) =>
      decideRoute({ ...base, regions: guideRegions, random }, policy({ strategy: 'proximity', weights }))
        .order[0];
    expect([at(0), at(0.49), at(0.5), at(0.79), at(0.8), at(0.999)]).toEqual([
      'us-east-1',
      'us-east-1',
      'us-west-1',
      'us-west-1',
      'eu-west-1',
      'eu-west-1',
    ]);
  });

  it('converges to the configured shares among eligible regions (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        (ws, up) => {
          const regions = ws.map((w, i) => region(`r${i}`, i + 1, up[i] ? H.HEALTHY : H.DOWN, { weight: w }));
          const eligible = regions.filter((r) => r.state === H.HEALTHY);
          const total = eligible.reduce((s, r) => s + r.weight, 0);
          const n = 2000;
          const counts = new Map<string, number>();
          for (let i = 0; i < n; i++) {
            const first = decideRoute(
              { ...base, regions, active: null, random: (i + 0.5) / n },
              policy({ strategy: 'proximity' }),
            ).order[0]!;
            counts.set(first, (counts.get(first) ?? 0) + 1);
          }
          if (total === 0) return; // all-zero weights fall back to priority order
          for (const r of eligible) {
            expect(Math.abs((counts.get(r.name) ?? 0) / n - r.weight / total)).toBeLessThanOrEqual(
              1 / n + 1e-9,
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('returns null from pickWeighted when every weight is zero', () => {
    expect(pickWeighted([region('a', 1, H.HEALTHY, { weight: 0 })], {}, 0.3)).toBeNull();
  });
});

describe('time-of-day routing', () => {
  const timeRules = parseTimeRules({
    '00:00-08:00': 'eu-west-1',
    '08:00-17:00': 'us-east-1',
    '17:00-24:00': 'us-west-1',
  });
  const p = policy({ strategy: 'time_of_day', timeRules, timezone: 'America/New_York' });
  const nyc = (h: number, m = 0) => Date.UTC(2025, 0, 15, h + 5, m); // EST is UTC-5 in January

  it('follows the sun in the configured time zone', () => {
    const first = (now: number) => decideRoute({ ...base, regions: guideRegions, now }, p).order[0];
    expect([
      first(nyc(3)),
      first(nyc(7, 59)),
      first(nyc(8)),
      first(nyc(16, 59)),
      first(nyc(17)),
      first(nyc(23, 59)),
    ]).toEqual(['eu-west-1', 'eu-west-1', 'us-east-1', 'us-east-1', 'us-west-1', 'us-west-1']);
    expect(decideRoute({ ...base, regions: guideRegions, now: nyc(3) }, p).reason).toBe(
      'Time-of-day routing: rule 00:00-08:00 (America/New_York) sends calls to eu-west-1, then by priority',
    );
  });

  it('handles ranges that wrap midnight', () => {
    const wrap = policy({
      strategy: 'time_of_day',
      timeRules: parseTimeRules({ '22:00-06:00': 'eu-west-1' }),
    });
    const first = (h: number) =>
      decideRoute({ ...base, regions: guideRegions, now: Date.UTC(2025, 0, 15, h) }, wrap).order[0];
    expect([first(21), first(22), first(2), first(5), first(6)]).toEqual([
      'us-east-1',
      'eu-west-1',
      'eu-west-1',
      'eu-west-1',
      'us-east-1',
    ]);
  });

  it('falls back to priority when the scheduled region is not eligible', () => {
    const regions = guideRegions.map((r) => (r.name === 'eu-west-1' ? { ...r, state: H.DOWN } : r));
    const d = decideRoute({ ...base, regions, now: nyc(3) }, p);
    expect(d.order).toEqual(['us-east-1', 'us-west-1', 'eu-west-1']);
    expect(d.reason).toMatch(/rule 00:00-08:00 names eu-west-1, which is not eligible/);
  });

  it('rejects malformed ranges with a typed error', () => {
    for (const bad of ['8-17', '25:00-26:00', '10:00-10:00', '10:61-11:00', '24:00-01:00']) {
      expect(() => parseTimeRules({ [bad]: 'x' })).toThrowError(
        expect.objectContaining({ code: 'ROUTING_BAD_TIME_RANGE' }),
      );
    }
  });
});

describe('never first when not eligible (property)', () => {
  const states = fc.constantFrom(...Object.values(HealthState));
  it('puts an eligible region first whenever one exists, for every strategy', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(states, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 10 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.constantFrom('priority', 'proximity', 'time_of_day') as fc.Arbitrary<
          'priority' | 'proximity' | 'time_of_day'
        >,
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        fc.integer({ min: 0, max: 86_400_000 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 5 })),
        (spec, strategy, random, now, degradedIsEligible, activeIdx) => {
          const regions = spec.map(([state, priority, weight], i) =>
            region(`r${i}`, priority, state, { weight, location: { latitude: i * 10, longitude: i * 20 } }),
          );
          const timeRules = parseTimeRules({ '00:00-12:00': 'r0', '12:00-24:00': `r${regions.length - 1}` });
          const active = activeIdx === null ? null : `r${activeIdx}`;
          const caller = random > 0.5 ? { location: { latitude: 10, longitude: 10 }, because: 'test' } : null;
          const d = decideRoute(
            { regions, active, caller, now, random },
            policy({ strategy, timeRules, degradedIsEligible }),
          );
          expect(new Set(d.order).size).toBe(regions.length);
          const anyEligible = regions.some((r) => isEligible(r.state, degradedIsEligible));
          const first = regions.find((r) => r.name === d.order[0])!;
          if (anyEligible) expect(isEligible(first.state, degradedIsEligible)).toBe(true);
          expect(d.reason.length).toBeGreaterThan(10);
        },
      ),
      { numRuns: 500 },
    );
  });
});
