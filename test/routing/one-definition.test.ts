/**
 * Routing and failover agree on which regions are eligible and in which order (src/model/region-order.ts),
 * and every path that reads a time range or a CIDR gives the same verdict (src/model/time-range.ts,
 * src/model/cidr.ts): tables over every combination, not samples.
 */
import { describe, expect, it } from 'vitest';
import { isCidr as configIsCidr } from '../../src/config/addresses';
import { parseTimeRange as configParseTimeRange } from '../../src/config/time-ranges';
import type { FailoverDecisionConfig, RegionView } from '../../src/failover/decide-failover-types';
import { eligibleRanked, isEligible, selectActive } from '../../src/failover/decide-select';
import { checkRegionInput } from '../../src/geo/region-input';
import { HEALTH_STATES, HealthState } from '../../src/model/health-state';
import { cidrContains } from '../../src/model/cidr';
import { decideRoute, isEligible as routeIsEligible } from '../../src/routing/decide-route';
import { parseTimeRules } from '../../src/routing/time-of-day';

/** Three regions whose priority/weight/name orders differ, so a wrong tie-break changes the answer. */
const SHAPES: ReadonlyArray<ReadonlyArray<Pick<RegionView, 'name' | 'priority' | 'weight'>>> = [
  [
    { name: 'a', priority: 1, weight: 100 },
    { name: 'b', priority: 2, weight: 100 },
    { name: 'c', priority: 3, weight: 100 },
  ],
  [
    { name: 'c', priority: 1, weight: 50 },
    { name: 'b', priority: 1, weight: 100 },
    { name: 'a', priority: 2, weight: 100 },
  ],
  [
    { name: 'b', priority: 1, weight: 100 },
    { name: 'a', priority: 1, weight: 100 },
    { name: 'c', priority: 1, weight: 100 },
  ],
];

function* combinations(): Generator<{ regions: RegionView[]; degraded: boolean }> {
  for (const shape of SHAPES)
    for (const s0 of HEALTH_STATES)
      for (const s1 of HEALTH_STATES)
        for (const s2 of HEALTH_STATES)
          for (const degraded of [false, true]) {
            const states = [s0, s1, s2];
            const regions = shape.map((r, i) => ({
              ...r,
              state: states[i]!,
              stateSince: null,
              healthySince: null,
              firstFailureAt: null,
              score: null,
            }));
            yield { regions, degraded };
          }
}

/** Only `degraded_is_eligible` is read by eligibility and order. */
const failoverCfg = (degraded: boolean) =>
  ({ failover: { degraded_is_eligible: degraded } }) as Pick<FailoverDecisionConfig, 'failover'>;

const policy = (degradedIsEligible: boolean) => ({
  strategy: 'priority' as const,
  weights: {},
  timeRules: [],
  timezone: 'UTC',
  degradedIsEligible,
});

describe('routing and failover: one definition of eligible and of the order', () => {
  const cases = [...combinations()];

  it('covers every state of three regions, both degraded settings and three orders', () => {
    expect(cases).toHaveLength(SHAPES.length * 5 ** 3 * 2);
  });

  it('agree on every combination', () => {
    let withEligible = 0;
    for (const { regions, degraded } of cases) {
      const cfg = failoverCfg(degraded);
      for (const r of regions) expect(routeIsEligible(r.state, degraded)).toBe(isEligible(r.state, cfg));
      const failoverOrder = eligibleRanked(regions, cfg).map((r) => r.name);
      const route = decideRoute({ regions, active: null, caller: null, now: 0, random: 0 }, policy(degraded));
      const active = selectActive({ regions }, cfg);
      const label = JSON.stringify({ regions: regions.map((r) => [r.name, r.state]), degraded });
      if (active === null) {
        expect(failoverOrder, label).toEqual([]);
        continue;
      }
      withEligible++;
      // Routing lists the eligible regions first, in failover's order, then the others.
      expect(route.order.slice(0, failoverOrder.length), label).toEqual(failoverOrder);
      expect(route.order[0], label).toBe(active);
      // With failover's choice as the active region, routing sends the call there first.
      const routed = decideRoute({ regions, active, caller: null, now: 0, random: 0 }, policy(degraded));
      expect(routed.order[0], label).toBe(active);
      expect(routed.reason, label).toContain(`${active} first as the active region`);
    }
    expect(withEligible).toBeGreaterThan(0);
    expect(withEligible).toBeLessThan(cases.length);
  });

  it('the order is priority, then the higher weight, then the name', () => {
    const regions = SHAPES[1]!.map((r) => ({
      ...r,
      state: HealthState.HEALTHY,
      stateSince: null,
      healthySince: null,
      firstFailureAt: null,
      score: null,
    }));
    const cfg = failoverCfg(false);
    expect(eligibleRanked(regions, cfg).map((r) => r.name)).toEqual(['b', 'c', 'a']);
    expect(
      eligibleRanked(
        SHAPES[2]!.map((r) => ({ ...regions[0]!, ...r })),
        cfg,
      ).map((r) => r.name),
    ).toEqual(['a', 'b', 'c']);
  });
});

describe('time ranges: config.yml and the TypeScript API read a range the same way', () => {
  const LABELS: ReadonlyArray<[string, [number, number] | null]> = [
    ['00:00-08:00', [0, 480]],
    ['8:00-17:30', [480, 1050]],
    ['22:00-06:00', [1320, 360]],
    ['18:00-24:00', [1080, 1440]],
    [' 09:00 - 10:00 ', [540, 600]],
    ['24:00-08:00', null],
    ['08:00-08:00', null],
    ['08:60-09:00', null],
    ['8-17', null],
    ['08:00-25:00', null],
    ['', null],
  ];
  it.each(LABELS)('%j', (label, expected) => {
    const fromConfig = configParseTimeRange(label, 'r');
    let fromApi: [number, number] | 'ROUTING_BAD_TIME_RANGE';
    try {
      const [rule] = parseTimeRules({ [label]: 'r' });
      fromApi = [rule!.start, rule!.end];
    } catch (e) {
      fromApi = (e as { code: string }).code as 'ROUTING_BAD_TIME_RANGE';
    }
    if (expected === null) {
      expect(fromConfig).toBeNull();
      expect(fromApi).toBe('ROUTING_BAD_TIME_RANGE');
    } else {
      expect(fromConfig && [fromConfig.start, fromConfig.end]).toEqual(expected);
      expect(fromApi).toEqual(expected);
    }
  });
});

describe('CIDR: config.yml, the API region input and matching give one verdict', () => {
  const BLOCKS: ReadonlyArray<[string, boolean]> = [
    ['203.0.113.7', true],
    ['10.0.0.0/8', true],
    ['0.0.0.0/0', true],
    ['2001:db8::/32', true],
    ['::1', true],
    ['10.0.0.0/33', false],
    ['2001:db8::/129', false],
    ['10.0.0.0/', false],
    ['10.0.0.0/0008', false],
    ['10.0.0.0/8/8', false],
    ['10.0.0.0/x', false],
    ['example.com', false],
    ['', false],
  ];
  const api = (block: string): boolean => {
    try {
      checkRegionInput({
        name: 'r',
        trunk_id: 't',
        sip_server: 'sip.example.com',
        priority: 1,
        source_addresses: [block],
      });
      return true;
    } catch (e) {
      expect((e as { code: string }).code).toBe('GEO_BAD_REGION');
      expect((e as Error).message).toContain('source_addresses');
      return false;
    }
  };
  it.each(BLOCKS)('%j', (block, valid) => {
    expect(configIsCidr(block)).toBe(valid);
    expect(api(block)).toBe(valid);
    // A block that is not valid contains nothing; a valid one contains its own base address.
    const base = block.split('/')[0]!;
    expect(cidrContains(block, base)).toBe(valid);
  });

  it('matches IPv4 and IPv6 addresses by prefix', () => {
    expect(cidrContains('10.0.0.0/8', '10.255.1.2')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(cidrContains('2001:db8::/32', '2001:db8:ffff::1')).toBe(true);
    expect(cidrContains('2001:db8::/32', '2001:db9::1')).toBe(false);
    expect(cidrContains('203.0.113.7', '203.0.113.8')).toBe(false);
  });
});
