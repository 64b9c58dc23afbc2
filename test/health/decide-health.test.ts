import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeoredError } from '../../src/errors/catalogue';
import {
  applyCallOutcome,
  applyCheckResult,
  applyRegistrationStatus,
  callOutcomeMatters,
  endSimulation,
  startSimulation,
} from '../../src/health/decide-health-apply';
import { decideHealth } from '../../src/health/decide-health';
import {
  newRegionHealthRecord,
  primaryMethod,
  type CheckResult,
  type HealthDecisionConfig,
  type RegionHealthRecord,
} from '../../src/health/decide-health-types';
import { HealthState } from '../../src/model/health-state';
import { decisionConfig as config, T0 } from './fixtures';

const ok = (at: number, method = 'sip_options', latency_ms = 20): CheckResult => ({
  method,
  success: true,
  latency_ms,
  at,
});
const fail = (at: number, method = 'sip_options', error = 'timeout after 10000 ms'): CheckResult => ({
  method,
  success: false,
  latency_ms: 10_000,
  error,
  at,
});

function feed(
  cfg: HealthDecisionConfig,
  results: CheckResult[],
  rec?: RegionHealthRecord,
): RegionHealthRecord {
  return results.reduce(
    (r, res) => applyCheckResult(r, res, cfg, res.at),
    rec ?? newRegionHealthRecord('us-east-1', cfg),
  );
}

describe('decideHealth: one rule per line of docs/health-and-failover.md', () => {
  it('HEALTHY before any result: assumed healthy, without a start of continuous health', () => {
    const cfg = config();
    const d = decideHealth(newRegionHealthRecord('us-east-1', cfg), cfg, T0);
    expect(d.state).toBe(HealthState.HEALTHY);
    expect(d.reason).toBe(
      'us-east-1 is HEALTHY: no check result yet, assumed healthy until the first probe answers',
    );
    expect(d.healthySince).toBeNull();
    expect(d.score).toBeNull();
  });

  it('HEALTHY when every configured method passes within latency_warning_ms', () => {
    const cfg = config({ check_methods: ['sip_options', 'http_ping'] });
    const rec = feed(cfg, [ok(T0), ok(T0 + 5, 'http_ping')]);
    const d = decideHealth(rec, cfg, T0 + 10);
    expect(d.state).toBe(HealthState.HEALTHY);
    expect(d.reason).toBe(
      'us-east-1 is HEALTHY: all 2 of 2 check methods pass within latency_warning_ms (500 ms)',
    );
    expect(d.healthySince).toBe(T0);
  });

  it('WARNING when a passing method answers above latency_warning_ms', () => {
    const cfg = config();
    const d = decideHealth(feed(cfg, [ok(T0, 'sip_options', 850)]), cfg, T0);
    expect(d.state).toBe(HealthState.WARNING);
    expect(d.reason).toBe(
      'us-east-1 is WARNING: sip_options answered in 850 ms, above latency_warning_ms (500 ms)',
    );
    expect(d.healthySince).toBe(T0);
  });

  it('WARNING when a minority of methods fail', () => {
    const cfg = config({ check_methods: ['sip_options', 'http_ping', 'icmp_ping'] });
    const rec = feed(cfg, [ok(T0), ok(T0, 'http_ping'), fail(T0, 'icmp_ping', 'timeout after 1000 ms')]);
    const d = decideHealth(rec, cfg, T0);
    expect(d.state).toBe(HealthState.WARNING);
    expect(d.reason).toBe(
      'us-east-1 is WARNING: 1 of 3 check methods failing (icmp_ping: timeout after 1000 ms)',
    );
  });

  it('WARNING when a check passes with a warning (external command exit 1)', () => {
    const cfg = config();
    const rec = feed(cfg, [{ ...ok(T0), warning: 'disk 91% full' }]);
    expect(decideHealth(rec, cfg, T0).reason).toBe('us-east-1 is WARNING: sip_options warns: disk 91% full');
  });

  it('DEGRADED when half or more of the methods fail but the primary passes', () => {
    const cfg = config({ check_methods: ['sip_options', 'http_ping'] });
    const rec = feed(cfg, [ok(T0), fail(T0, 'http_ping', 'HTTP 503')]);
    const d = decideHealth(rec, cfg, T0);
    expect(d.state).toBe(HealthState.DEGRADED);
    expect(d.reason).toBe('us-east-1 is DEGRADED: 1 of 2 check methods failing (http_ping: HTTP 503)');
    expect(d.healthySince).toBeNull();
  });

  it('DEGRADED when OPTIONS pass while the trunk registration fails', () => {
    const cfg = config();
    let rec = feed(cfg, [ok(T0)]);
    rec = applyRegistrationStatus(
      rec,
      { status: 'failed', at: T0 + 1000, detail: '403 Forbidden' },
      cfg,
      T0 + 1000,
    );
    const d = decideHealth(rec, cfg, T0 + 1000);
    expect(d.state).toBe(HealthState.DEGRADED);
    expect(d.reason).toBe(
      'us-east-1 is DEGRADED: sip_options passes but the trunk registration fails (403 Forbidden) since 10:00:01.000Z',
    );
    rec = applyRegistrationStatus(rec, { status: 'registered', at: T0 + 2000 }, cfg, T0 + 2000);
    expect(decideHealth(rec, cfg, T0 + 2000).state).toBe(HealthState.HEALTHY);
  });

  it('CRITICAL while the primary fails fewer than retry_count times in a row', () => {
    const cfg = config();
    const rec = feed(cfg, [ok(T0), fail(T0 + 30_000), fail(T0 + 40_000)]);
    const d = decideHealth(rec, cfg, T0 + 40_000);
    expect(d.state).toBe(HealthState.CRITICAL);
    expect(d.reason).toBe(
      'us-east-1 is CRITICAL: 2 consecutive sip_options failures of the 3 that mean DOWN ' +
        '(timeout after 10000 ms), the last at 10:00:40.000Z',
    );
    expect(d.firstFailureAt).toBe(T0 + 30_000);
    expect(d.healthySince).toBeNull();
  });

  it('CRITICAL when the primary fails though the other methods pass', () => {
    const cfg = config({ check_methods: ['http_ping', 'sip_options', 'icmp_ping'] });
    expect(primaryMethod(cfg)).toBe('sip_options');
    const rec = feed(cfg, [
      ok(T0, 'http_ping'),
      ok(T0, 'icmp_ping'),
      fail(T0, 'sip_options', '503 Service Unavailable'),
    ]);
    expect(decideHealth(rec, cfg, T0).state).toBe(HealthState.CRITICAL);
  });

  it('DOWN after retry_count consecutive failures, with the reason of the guide', () => {
    const cfg = config({ timeout: 0.25, retry_count: 3 });
    const rec = feed(cfg, [
      fail(T0 + 750, 'sip_options', 'timeout after 250 ms'),
      fail(T0 + 1000, 'sip_options', 'timeout after 250 ms'),
      fail(T0 + 1250, 'sip_options', 'timeout after 250 ms'),
    ]);
    const d = decideHealth(rec, cfg, T0 + 1250);
    expect(d.state).toBe(HealthState.DOWN);
    expect(d.reason).toBe(
      'us-east-1 is DOWN: 3 consecutive sip_options failures (timeout after 250 ms), the last at 10:00:01.250Z',
    );
    expect(d.firstFailureAt).toBe(T0 + 750);
  });

  it('min_failure_duration is a minimum: retry_count failures within it give CRITICAL, DOWN only once it has passed', () => {
    // The report that started this: with 5 s set, a region went DOWN 1.5 s after the outage.
    const cfg = config({ retry_count: 3 }, 5);
    const rec = feed(cfg, [fail(T0), fail(T0 + 500), fail(T0 + 1000), fail(T0 + 1500)]);
    const early = decideHealth(rec, cfg, T0 + 1500);
    expect(early.state).toBe(HealthState.CRITICAL);
    expect(early.reason).toBe(
      'us-east-1 is CRITICAL: 4 consecutive sip_options failures (timeout after 10000 ms), the last at 10:00:01.500Z; ' +
        'DOWN at 10:00:05.000Z if still failing, after min_failure_duration (5 s) of continuous failure',
    );
    expect(decideHealth(rec, cfg, T0 + 4_999).state).toBe(HealthState.CRITICAL);
    // Time alone brings DOWN at the minimum, between probes...
    const d = decideHealth(rec, cfg, T0 + 5_000);
    expect(d.state).toBe(HealthState.DOWN);
    expect(d.reason).toBe(
      'us-east-1 is DOWN: 4 consecutive sip_options failures (timeout after 10000 ms), the last at 10:00:01.500Z, ' +
        'failing continuously for min_failure_duration (5 s) or more',
    );
    // ...and the next result latches it: one success does not undo it.
    const later = feed(cfg, [fail(T0 + 5_500)], rec);
    // DOWN from the moment the minimum passed, not from the result that noticed it.
    expect(later.down).toMatchObject({ at: T0 + 5_000, cause: 'probes' });
    const after = applyCheckResult(later, ok(T0 + 6_000), cfg, T0 + 6_000);
    expect(decideHealth(after, cfg, T0 + 6_000).state).toBe(HealthState.DOWN);
    // A success inside the minimum ends the episode: the minimum starts again with the next failure.
    const blip = feed(cfg, [ok(T0 + 2_000), fail(T0 + 4_000), fail(T0 + 4_500), fail(T0 + 5_000)], rec);
    expect(decideHealth(blip, cfg, T0 + 8_999).state).toBe(HealthState.CRITICAL);
    expect(decideHealth(blip, cfg, T0 + 9_000).state).toBe(HealthState.DOWN);
  });

  it('never DOWN before min_failure_duration, however failures arrive (property, virtual time)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5_000 }), fc.boolean(), fc.boolean()), {
          minLength: 1,
          maxLength: 60,
        }),
        (minS, retry, steps) => {
          const cfg = config({ retry_count: retry, passive_failure_threshold: 2 }, minS);
          let rec = newRegionHealthRecord('us-east-1', cfg);
          let t = T0;
          // The outage starts at T0: every probe and every call from then on fails.
          for (const [gap, probe, callToo] of steps) {
            t += gap;
            if (probe) rec = applyCheckResult(rec, fail(t), cfg, t);
            if (callToo) rec = applyCallOutcome(rec, { outcome: 'timeout', at: t }, cfg, t);
            const state = decideHealth(rec, cfg, t).state;
            if (t < T0 + minS * 1000) expect(state).not.toBe(HealthState.DOWN);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('failed calls are bound by min_failure_duration too: CRITICAL first, DOWN once it has passed', () => {
    const cfg = config({ passive_failure_threshold: 3 }, 60);
    let rec = feed(cfg, [ok(T0)]);
    for (const at of [T0 + 100, T0 + 200, T0 + 300])
      rec = applyCallOutcome(rec, { outcome: 'timeout', at }, cfg, at);
    const early = decideHealth(rec, cfg, T0 + 300);
    expect(early.state).toBe(HealthState.CRITICAL);
    expect(early.reason).toBe(
      'us-east-1 is CRITICAL: 3 consecutive failed calls reported by the call path, the last a timeout at ' +
        '10:00:00.300Z; DOWN at 10:01:00.100Z if calls still fail, after min_failure_duration (60 s)',
    );
    const d = decideHealth(rec, cfg, T0 + 60_100);
    expect(d.state).toBe(HealthState.DOWN);
    expect(d.reason).toBe(
      'us-east-1 is DOWN: 3 consecutive failed calls reported by the call path, the last a timeout at ' +
        '10:00:00.300Z, failing continuously for min_failure_duration (60 s) or more',
    );
    // A good call before the minimum ends it.
    const saved = applyCallOutcome(rec, { outcome: 'ok', at: T0 + 30_000 }, cfg, T0 + 30_000);
    expect(decideHealth(saved, cfg, T0 + 60_100).state).toBe(HealthState.HEALTHY);
  });

  it('min_failure_duration 0 never makes a region DOWN by time alone', () => {
    const cfg = config({ retry_count: 10 }, 0);
    const rec = feed(cfg, [fail(T0)]);
    expect(decideHealth(rec, cfg, T0 + 86_400_000).state).toBe(HealthState.CRITICAL);
  });

  it('DOWN at once after passive_failure_threshold failed calls in a row; a good call resets the count', () => {
    const cfg = config({ passive_failure_threshold: 3 });
    let rec = feed(cfg, [ok(T0)]);
    rec = applyCallOutcome(rec, { outcome: 'timeout', at: T0 + 100 }, cfg, T0 + 100);
    rec = applyCallOutcome(rec, { outcome: '5xx', at: T0 + 200 }, cfg, T0 + 200);
    rec = applyCallOutcome(rec, { outcome: 'ok', at: T0 + 300 }, cfg, T0 + 300);
    rec = applyCallOutcome(rec, { outcome: '408', at: T0 + 400 }, cfg, T0 + 400);
    rec = applyCallOutcome(rec, { outcome: 'transport-error', at: T0 + 500 }, cfg, T0 + 500);
    expect(decideHealth(rec, cfg, T0 + 500).state).toBe(HealthState.HEALTHY);
    rec = applyCallOutcome(rec, { outcome: 'timeout', at: T0 + 600 }, cfg, T0 + 600);
    const d = decideHealth(rec, cfg, T0 + 600);
    expect(d.state).toBe(HealthState.DOWN);
    expect(d.reason).toBe(
      'us-east-1 is DOWN: 3 consecutive failed calls reported by the call path, the last a timeout at 10:00:00.600Z',
    );
    expect(d.firstFailureAt).toBe(T0 + 400);
  });

  it('names the transport error of the last failed call, as the transport said it', () => {
    const cfg = config({ passive_failure_threshold: 3 });
    const tls = 'TLS handshake failed: certificate has expired (CERT_HAS_EXPIRED)';
    let rec = feed(cfg, [ok(T0)]);
    rec = applyCallOutcome(rec, { outcome: 'transport-error', at: T0 + 200, detail: tls }, cfg, T0 + 200);
    const one = decideHealth(rec, cfg, T0 + 200);
    expect(one.state).toBe(HealthState.HEALTHY);
    rec = applyCallOutcome(rec, { outcome: 'timeout', at: T0 + 400 }, cfg, T0 + 400);
    rec = applyCallOutcome(rec, { outcome: 'transport-error', at: T0 + 600, detail: tls }, cfg, T0 + 600);
    const d = decideHealth(rec, cfg, T0 + 600);
    expect(d.state).toBe(HealthState.DOWN);
    expect(d.reason).toBe(
      'us-east-1 is DOWN: 3 consecutive failed calls reported by the call path, the last a transport error ' +
        '(TLS handshake failed: certificate has expired (CERT_HAS_EXPIRED)) at 10:00:00.600Z',
    );
    // CRITICAL while min_failure_duration holds DOWN back says it the same way.
    const held = config({ passive_failure_threshold: 2 }, 60);
    let h = feed(held, [ok(T0)]);
    h = applyCallOutcome(
      h,
      { outcome: 'transport-error', at: T0 + 100, detail: 'connection refused' },
      held,
      T0 + 100,
    );
    h = applyCallOutcome(
      h,
      { outcome: 'transport-error', at: T0 + 300, detail: 'connection refused' },
      held,
      T0 + 300,
    );
    expect(decideHealth(h, held, T0 + 300).reason).toBe(
      'us-east-1 is CRITICAL: 2 consecutive failed calls reported by the call path, the last a transport ' +
        'error (connection refused) at 10:00:00.300Z; DOWN at 10:01:00.100Z if calls still fail, after ' +
        'min_failure_duration (60 s)',
    );
  });

  it('quotes a detail on one line and at most 200 characters, and none for an answered call', () => {
    const cfg = config({ passive_failure_threshold: 1 });
    // A remote party can shape a TLS alert or a certificate field: newlines would forge log lines.
    const hostile = `TLS handshake failed: bad\r\nlevel=info msg=forged ${'x'.repeat(400)}`;
    const rec = applyCallOutcome(
      feed(cfg, [ok(T0)]),
      { outcome: 'transport-error', at: T0 + 100, detail: hostile },
      cfg,
      T0 + 100,
    );
    const quoted = rec.calls.last?.detail ?? '';
    expect(quoted).toHaveLength(200);
    expect(quoted.startsWith('TLS handshake failed: bad level=info msg=forged xxx')).toBe(true);
    expect(quoted.endsWith('x…')).toBe(true);
    const reason = decideHealth(rec, cfg, T0 + 100).reason;
    expect(reason).not.toMatch(/[\r\n]/);
    expect(reason).toBe(
      'us-east-1 is DOWN: 1 consecutive failed calls reported by the call path, the last a transport error ' +
        `(${quoted}) at 10:00:00.100Z`,
    );
    // Blank text is no detail; an answered call carries none.
    const blank = applyCallOutcome(rec, { outcome: '5xx', at: T0 + 200, detail: ' \n ' }, cfg, T0 + 200);
    expect(blank.calls.last).toEqual({ outcome: '5xx', at: T0 + 200 });
    const good = applyCallOutcome(rec, { outcome: 'ok', at: T0 + 300, detail: 'anything' }, cfg, T0 + 300);
    expect(good.calls.last).toEqual({ outcome: 'ok', at: T0 + 300 });
  });

  it('an answered call after answered calls needs no decision: everything decideHealth reads is the same', () => {
    const cfg = config({ passive_failure_threshold: 3 });
    const outcomes = ['ok', 'timeout', '5xx', '408', 'transport-error'] as const;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...outcomes), { maxLength: 8 }),
        fc.constantFrom(...outcomes),
        (before, next) => {
          let rec = feed(cfg, [ok(T0)]);
          before.forEach(
            (o, i) => (rec = applyCallOutcome(rec, { outcome: o, at: T0 + i + 1 }, cfg, T0 + i + 1)),
          );
          const at = T0 + 100;
          const report = { outcome: next, at };
          const after = applyCallOutcome(rec, report, cfg, at);
          const matters = callOutcomeMatters(rec, report);
          expect(matters).toBe(next !== 'ok' || rec.calls.failures > 0);
          if (!matters)
            expect(decideHealth(after, cfg, at + 5_000)).toEqual(decideHealth(rec, cfg, at + 5_000));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a region DOWN from calls recovers only through success_threshold probe successes', () => {
    const cfg = config({ passive_failure_threshold: 1, success_threshold: 2 });
    let rec = feed(cfg, [ok(T0)]);
    rec = applyCallOutcome(rec, { outcome: 'timeout', at: T0 + 1 }, cfg, T0 + 1);
    rec = applyCallOutcome(rec, { outcome: 'ok', at: T0 + 2 }, cfg, T0 + 2);
    expect(decideHealth(rec, cfg, T0 + 2).state).toBe(HealthState.DOWN);
    rec = feed(cfg, [ok(T0 + 30_000)], rec);
    expect(decideHealth(rec, cfg, T0 + 30_000).state).toBe(HealthState.DOWN);
    rec = feed(cfg, [ok(T0 + 60_000)], rec);
    expect(decideHealth(rec, cfg, T0 + 60_000).state).toBe(HealthState.HEALTHY);
  });

  it('DOWN while a simulated failure is in force; it ends by time or by end-simulation', () => {
    const cfg = config();
    let rec = feed(cfg, [ok(T0)]);
    rec = startSimulation(rec, T0 + 300_000, T0 + 1000);
    const d = decideHealth(rec, cfg, T0 + 2000);
    expect(d.state).toBe(HealthState.DOWN);
    expect(d.reason).toBe('us-east-1 is DOWN: failure simulated until 10:05:00.000Z');
    expect(d.firstFailureAt).toBe(T0 + 1000);
    expect(d.healthySince).toBeNull();
    const byTime = decideHealth(rec, cfg, T0 + 300_000);
    expect(byTime.state).toBe(HealthState.HEALTHY);
    expect(byTime.healthySince).toBe(T0 + 300_000);
    const ended = endSimulation(rec, T0 + 5000);
    expect(decideHealth(ended, cfg, T0 + 5000).state).toBe(HealthState.HEALTHY);
    expect(decideHealth(ended, cfg, T0 + 5000).healthySince).toBe(T0 + 5000);
  });

  it('refuses a simulation that ends before it starts', () => {
    const cfg = config();
    const rec = newRegionHealthRecord('us-east-1', cfg);
    expect(() => startSimulation(rec, T0, T0)).toThrow(GeoredError);
    expect(() => startSimulation(rec, T0, T0)).toThrow(/us-east-1/);
  });

  it('ignores results of a method that is not configured', () => {
    const cfg = config();
    const rec = feed(cfg, [ok(T0)]);
    expect(applyCheckResult(rec, fail(T0 + 1, 'icmp_ping'), cfg, T0 + 1)).toBe(rec);
  });
});

describe('recovery hysteresis', () => {
  it('stays DOWN until success_threshold consecutive successes, saying how far it got', () => {
    const cfg = config({ retry_count: 2, success_threshold: 3 });
    let rec = feed(cfg, [fail(T0), fail(T0 + 10_000), ok(T0 + 40_000), ok(T0 + 70_000)]);
    const d = decideHealth(rec, cfg, T0 + 70_000);
    expect(d.state).toBe(HealthState.DOWN);
    expect(d.reason).toBe(
      'us-east-1 is DOWN: 2 consecutive sip_options failures (timeout after 10000 ms), the last at 10:00:10.000Z; ' +
        'recovering, 2 of 3 consecutive sip_options successes needed',
    );
    expect(d.firstFailureAt).toBe(T0);
    rec = feed(cfg, [ok(T0 + 100_000)], rec);
    const healed = decideHealth(rec, cfg, T0 + 100_000);
    expect(healed.state).toBe(HealthState.HEALTHY);
    expect(healed.firstFailureAt).toBeNull();
    expect(healed.healthySince).toBe(T0 + 100_000);
  });

  it('a failure during recovery restarts the count of successes', () => {
    const cfg = config({ retry_count: 1, success_threshold: 2 });
    const rec = feed(cfg, [fail(T0), ok(T0 + 1), fail(T0 + 2), ok(T0 + 3)]);
    expect(decideHealth(rec, cfg, T0 + 3).state).toBe(HealthState.DOWN);
    expect(decideHealth(feed(cfg, [ok(T0 + 4)], rec), cfg, T0 + 4).state).toBe(HealthState.HEALTHY);
  });

  it('from CRITICAL (never DOWN) also needs success_threshold successes, CRITICAL meanwhile', () => {
    const cfg = config({ retry_count: 3, success_threshold: 2 });
    const rec = feed(cfg, [ok(T0), fail(T0 + 30_000), ok(T0 + 60_000)]);
    const d = decideHealth(rec, cfg, T0 + 60_000);
    expect(d.state).toBe(HealthState.CRITICAL);
    expect(d.reason).toBe(
      'us-east-1 is CRITICAL: recovering, 1 of 2 consecutive sip_options successes needed to be HEALTHY',
    );
    expect(decideHealth(feed(cfg, [ok(T0 + 90_000)], rec), cfg, T0 + 90_000).state).toBe(HealthState.HEALTHY);
  });

  it('property: one success never takes a DOWN region to HEALTHY when success_threshold > 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        (retry_count, success_threshold, history) => {
          const cfg = config({ retry_count, success_threshold });
          let t = T0;
          const results = history.map((good) => (good ? ok((t += 1000)) : fail((t += 1000))));
          // Whatever came before, retry_count failures in a row end in DOWN with no success since.
          let rec = feed(cfg, [...results, ...Array.from({ length: retry_count }, () => fail((t += 1000)))]);
          expect(decideHealth(rec, cfg, t).state).toBe(HealthState.DOWN);
          rec = feed(cfg, [ok((t += 1000))], rec);
          expect(decideHealth(rec, cfg, t).state).toBe(HealthState.DOWN);
        },
      ),
    );
  });

  it('property: the same record, config and time always give the same decision', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2000 })), { maxLength: 20 }),
        (steps) => {
          const cfg = config({ retry_count: 2, success_threshold: 2 });
          let t = T0;
          const results = steps.map(([good, lat]) =>
            good ? ok((t += 1000), 'sip_options', lat) : fail((t += 1000)),
          );
          expect(decideHealth(feed(cfg, results), cfg, t)).toEqual(decideHealth(feed(cfg, results), cfg, t));
        },
      ),
    );
  });
});
