/**
 * HealthMonitor in virtual time: a manual clock, and check methods that are plain functions answering what
 * each test scripts (up, down = no answer until the deadline, 503 at once). That is the input the monitor
 * runs on, not a stand-in for it; the real checks against real peers are in test/health/checks and
 * monitor-sipp.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { HealthCheckConfig } from '../../src/config/types';
import type { CheckLookup } from '../../src/health/checks/registry';
import type { CheckEntry, CheckOutcome } from '../../src/health/checks/types';
import type { HealthDecisionConfig } from '../../src/health/decide-health-types';
import { HealthMonitor, type ResultEvent, type StateEvent } from '../../src/health/monitor';
import { ManualClock } from './checks/manual-clock';
import { region } from './checks/region';

type Mode = 'up' | 'down' | '503' | 'slow-up';

const FAST: HealthCheckConfig = {
  interval: 1,
  timeout: 0.25,
  retry_count: 2,
  success_threshold: 2,
  check_methods: ['sip_options'],
  custom_checks: [],
  jitter: 0.1,
  latency_warning_ms: 1000,
  sip_options_ok_codes: [200],
  passive_failure_threshold: 3,
  score_window: 300,
  retention: { max_rows: 1000, max_age_days: 1 },
};

function config(hc: Partial<HealthCheckConfig> = {}): HealthDecisionConfig {
  return { health_check: { ...FAST, ...hc }, failover: { min_failure_duration: 0 } };
}

/** Scripted methods: each records when it was started (clock time) and answers as its mode says. */
class Script implements CheckLookup {
  readonly modes = new Map<string, Mode>();
  readonly starts: Array<{ method: string; region: string; at: number }> = [];
  /** Resolvers of checks held open by the test ('held' mode via hold()). */
  readonly held: Array<(o: CheckOutcome) => void> = [];
  private holdNext = false;

  constructor(
    private readonly clock: ManualClock,
    methods: readonly string[] = ['sip_options'],
  ) {
    for (const m of methods) this.modes.set(m, 'up');
  }

  hold(): void {
    this.holdNext = true;
  }

  set(method: string, mode: Mode): void {
    this.modes.set(method, mode);
  }

  get(name: string): CheckEntry {
    if (!this.modes.has(name))
      throw Object.assign(new Error(`unknown ${name}`), { code: 'CHECK_UNKNOWN_METHOD' });
    return {
      name,
      run: (reg, ctx) => {
        this.starts.push({ method: name, region: reg.name, at: this.clock.now() });
        if (this.holdNext) {
          this.holdNext = false;
          return new Promise((resolve) => this.held.push(resolve));
        }
        const mode = this.modes.get(name)!;
        if (mode === 'up') return Promise.resolve({ success: true, level: 'ok', latency_ms: 5 });
        if (mode === 'slow-up') return Promise.resolve({ success: true, level: 'ok', latency_ms: 1500 });
        if (mode === '503')
          return Promise.resolve({
            success: false,
            level: 'critical',
            latency_ms: 3,
            error: '503 Service Unavailable',
          });
        // No answer: like the real checks, it answers its own timeout when the monitor aborts it.
        return new Promise((resolve) =>
          ctx.signal.addEventListener('abort', () =>
            resolve({
              success: false,
              level: 'critical',
              latency_ms: null,
              error: `no answer within ${ctx.timeoutMs} ms`,
            }),
          ),
        );
      },
    };
  }

  startsOf(regionName = 'r1', method = 'sip_options'): number[] {
    return this.starts.filter((s) => s.region === regionName && s.method === method).map((s) => s.at);
  }
}

function setup(
  hc: Partial<HealthCheckConfig> = {},
  opts: { random?: () => number; methods?: string[] } = {},
) {
  const clock = new ManualClock();
  const script = new Script(clock, opts.methods ?? hc.check_methods ?? ['sip_options']);
  const monitor = new HealthMonitor({
    config: config(hc),
    regions: [region('r1', '127.0.0.1', 5060)],
    checks: script,
    clock,
    random: opts.random ?? (() => 0.5),
  });
  const states: StateEvent[] = [];
  const results: ResultEvent[] = [];
  monitor.on('state', (e) => states.push(e));
  monitor.on('result', (e) => results.push(e));
  return { clock, script, monitor, states, results, t0: clock.now() };
}

describe('HealthMonitor: probe schedule', () => {
  it('probes at once on start, then every interval spread by jitter within ±jitter', async () => {
    const randoms = [0, 0.9999, 0.5, 0.25];
    let i = 0;
    const { clock, script, monitor, t0 } = setup({}, { random: () => randoms[i++ % randoms.length]! });
    monitor.start();
    await clock.advance(10_000);
    const starts = script.startsOf();
    expect(starts[0]).toBe(t0);
    const gaps = starts.slice(1).map((s, k) => s - starts[k]!);
    // interval 1 s, jitter 0.1: u=0 → 900 ms, u≈1 → 1100 ms, u=0.5 → 1000 ms, u=0.25 → 950 ms.
    expect(gaps.slice(0, 4)).toEqual([900, 1100, 1000, 950]);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(900);
      expect(g).toBeLessThanOrEqual(1100);
    }
    await monitor.stop();
  });

  it('after a failure re-probes at once, then every timeout, and is DOWN timeout × retry_count after the outage met a probe', async () => {
    const { clock, script, monitor, states } = setup({ retry_count: 3 });
    monitor.start();
    await clock.advance(2_500); // probes at 0, 1000, 2000: all up
    script.set('sip_options', 'down');
    await clock.advance(3_000);
    const starts = script.startsOf();
    const firstFailed = starts[3]!; // 3000: the first probe that met the outage
    expect(firstFailed - states[0]!.at).toBe(-250); // CRITICAL when that probe timed out
    expect(starts.slice(3, 6).map((s) => s - firstFailed)).toEqual([0, 250, 500]);
    expect(states.map((s) => [s.from, s.to, s.at - firstFailed])).toEqual([
      ['healthy', 'critical', 250],
      ['critical', 'down', 750],
    ]);
    expect(states[1]!.reason).toBe(
      'r1 is DOWN: 3 consecutive sip_options failures (no answer within 250 ms), the last at 10:00:03.750Z',
    );
    // Once DOWN, back to the normal pace: a dead region gains nothing from being hammered.
    expect(starts[6]! - (firstFailed + 750)).toBe(1000);
    await monitor.stop();
  });

  it('fast profile (interval 1, timeout 0.25, retry_count 2): DOWN 0.5 s after the first probe that meets the outage', async () => {
    const { clock, script, monitor, states } = setup();
    monitor.start();
    await clock.advance(1_200);
    script.set('sip_options', 'down');
    const outage = clock.now();
    await clock.advance(3_000);
    const firstFailed = script.startsOf().find((s) => s >= outage)!;
    const down = states.find((s) => s.to === 'down')!;
    expect(down.at - firstFailed).toBe(500);
    // From the outage itself, at most one interval (with jitter) more.
    expect(down.at - outage).toBeLessThanOrEqual(1100 + 500);
    await monitor.stop();
  });

  it('a failure that answers at once (503) re-probes at once, then waits out the rest of the timeout', async () => {
    const { clock, script, monitor, states, results, t0 } = setup({ retry_count: 3 });
    monitor.start();
    await clock.advance(500);
    script.set('sip_options', '503');
    await clock.advance(1_000); // the probe at 1000 fails in 3 ms of its own
    const starts = script.startsOf();
    expect(starts.slice(1, 4).map((s) => s - t0 - 1000)).toEqual([0, 0, 247]);
    expect(states.at(-1)).toMatchObject({ to: 'down' });
    expect(results.at(-1)?.outcome.error).toBe('503 Service Unavailable');
    await monitor.stop();
  });

  it('recovers to HEALTHY only after success_threshold consecutive successes', async () => {
    const { clock, script, monitor, states } = setup({ success_threshold: 3 });
    monitor.start();
    script.set('sip_options', 'down');
    await clock.advance(600);
    expect(states.at(-1)?.to).toBe('down');
    script.set('sip_options', 'up');
    const upAt = clock.now();
    await clock.advance(10_000);
    const successesBefore = script.startsOf().filter((s) => s > upAt && s <= states.at(-1)!.at);
    expect(states.at(-1)).toMatchObject({ from: 'down', to: 'healthy' });
    expect(successesBefore).toHaveLength(3);
    await monitor.stop();
  });
});

describe('HealthMonitor: signals besides probes', () => {
  it('passive call failures mark the region DOWN at once, and trigger a probe', async () => {
    const { clock, script, monitor, states } = setup();
    monitor.start();
    // 400 ms after the last probe started (more than a timeout), 600 ms before the next is due.
    await clock.advance(1_400);
    const before = script.startsOf().length;
    monitor.reportCallOutcome('r1', 'timeout');
    monitor.reportCallOutcome('r1', '5xx');
    expect(states).toHaveLength(0);
    monitor.reportCallOutcome('r1', 'transport-error');
    expect(states).toEqual([expect.objectContaining({ from: 'healthy', to: 'down', at: clock.now() })]);
    expect(states[0]!.reason).toMatch(/^r1 is DOWN: 3 consecutive failed calls reported by the call path/);
    await clock.advance(0);
    expect(script.startsOf().length).toBe(before + 1);
    expect(script.startsOf().at(-1)).toBe(clock.now());
    await monitor.stop();
  });

  it('simulation makes the region DOWN until it ends on its own, or at end-simulation', async () => {
    const { clock, monitor, states } = setup();
    monitor.start();
    await clock.advance(100);
    monitor.setSimulation('r1', clock.now() + 5_000);
    expect(states.at(-1)).toMatchObject({
      to: 'down',
      reason: 'r1 is DOWN: failure simulated until 10:00:05.100Z',
    });
    await clock.advance(4_999);
    expect(states).toHaveLength(1);
    await clock.advance(1);
    expect(states.at(-1)).toMatchObject({ from: 'down', to: 'healthy', at: clock.now() });

    monitor.setSimulation('r1', clock.now() + 60_000);
    await clock.advance(1_000);
    monitor.setSimulation('r1', null);
    expect(states.map((s) => s.to)).toEqual(['down', 'healthy', 'down', 'healthy']);
    expect(() => monitor.setSimulation('r1', clock.now() - 1)).toThrowError(
      expect.objectContaining({ code: 'HEALTH_SIMULATION_TOO_SHORT' }),
    );
    await monitor.stop();
  });

  it('a failing registration with passing OPTIONS is DEGRADED', async () => {
    const { clock, monitor, states } = setup();
    monitor.start();
    await clock.advance(10);
    monitor.setRegistrationState('r1', 'failed', '403 Forbidden');
    expect(states.at(-1)).toMatchObject({ to: 'degraded' });
    expect(states.at(-1)!.reason).toContain('(403 Forbidden)');
    monitor.setRegistrationState('r1', 'registered');
    expect(states.at(-1)).toMatchObject({ from: 'degraded', to: 'healthy' });
    await monitor.stop();
  });

  it('runs every method of a round side by side, each bounded by the timeout', async () => {
    const { clock, script, monitor, states, results } = setup(
      { check_methods: ['sip_options', 'http_ping'] },
      { methods: ['sip_options', 'http_ping'] },
    );
    script.set('http_ping', 'down');
    monitor.start();
    await clock.advance(300);
    expect(script.startsOf('r1', 'sip_options')[0]).toBe(script.startsOf('r1', 'http_ping')[0]);
    expect(results.map((r) => [r.method, r.outcome.success])).toEqual([
      ['sip_options', true],
      ['http_ping', false],
    ]);
    // Each result carries when it was known: the answer at once, the silent method at the timeout.
    const start = script.startsOf('r1', 'sip_options')[0]!;
    expect(results.map((r) => r.at - start)).toEqual([0, 250]);
    expect(states.at(-1)).toMatchObject({ to: 'degraded' });
    await monitor.stop();
  });
});

describe('HealthMonitor: leadership and lifecycle', () => {
  it('pause stops probing and drops rounds in flight; resume probes at once', async () => {
    const { clock, script, monitor, results } = setup();
    monitor.start();
    await clock.advance(1_000); // probes at 0 and 1000
    script.set('sip_options', 'down');
    await clock.advance(1_000); // the probe at 2000 is in flight
    const count = script.startsOf().length;
    const resultCount = results.length;
    monitor.pause();
    await clock.advance(30_000);
    expect(script.startsOf().length).toBe(count);
    expect(results.length).toBe(resultCount);
    script.set('sip_options', 'up');
    monitor.resume();
    await clock.advance(0);
    expect(script.startsOf().length).toBe(count + 1);
    expect(script.startsOf().at(-1)).toBe(clock.now());
    await monitor.stop();
  });

  it('stop waits for the round in flight, emits its result, and probes no more', async () => {
    const { clock, script, monitor, results } = setup({ timeout: 60 });
    script.hold();
    monitor.start();
    await clock.advance(0);
    let stopped = false;
    const stopping = monitor.stop().then(() => (stopped = true));
    await clock.advance(0);
    expect(stopped).toBe(false);
    script.held[0]!({ success: true, level: 'ok', latency_ms: 7 });
    await stopping;
    expect(results).toHaveLength(1);
    await clock.advance(60_000);
    expect(script.startsOf()).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });

  it('adds and removes regions at run time, and refuses unknown names and methods', async () => {
    const { clock, script, monitor } = setup();
    monitor.start();
    monitor.addRegion(region('r2', '127.0.0.1', 5062));
    await clock.advance(0);
    expect(script.startsOf('r2')).toEqual([clock.now()]);
    expect(() => monitor.addRegion(region('r2', '127.0.0.1', 5062))).toThrowError(
      expect.objectContaining({ code: 'CHECK_REGION_EXISTS' }),
    );
    monitor.removeRegion('r2');
    await clock.advance(5_000);
    expect(script.startsOf('r2')).toHaveLength(1);
    expect(monitor.regions()).toEqual(['r1']);
    expect(() => monitor.reportCallOutcome('r2', 'timeout')).toThrowError(
      expect.objectContaining({ code: 'CHECK_UNKNOWN_REGION' }),
    );
    expect(() => monitor.updateConfig(config({ check_methods: ['sip_options', 'nope'] }))).toThrowError(
      expect.objectContaining({ code: 'CHECK_UNKNOWN_METHOD' }),
    );
    await monitor.stop();
  });

  it('updateConfig applies the new interval to the next probe; snapshot shows the decision', async () => {
    const { clock, script, monitor } = setup();
    monitor.start();
    await clock.advance(10);
    monitor.updateConfig(config({ interval: 5, jitter: 0 }));
    await clock.advance(20_000);
    const starts = script.startsOf();
    // The pending probe is rescheduled from the moment of the change (10 ms after the first probe).
    expect(starts.slice(1).map((s, k) => s - starts[k]!)).toEqual([5_010, 5_000, 5_000, 5_000]);
    const snap = monitor.snapshot('r1');
    expect(snap.decision.state).toBe('healthy');
    expect(snap.nextProbeAt).toBe(starts.at(-1)! + 5_000);
    expect(monitor.records().get('r1')?.latest['sip_options']?.success).toBe(true);
    await monitor.stop();
  });

  it('a slow answer is WARNING, and a listener that throws does not stop the others', async () => {
    const { clock, script, monitor, states } = setup();
    monitor.on('state', () => {
      throw new Error('broken listener');
    });
    const seen: string[] = [];
    monitor.on('state', (e) => seen.push(e.to));
    script.set('sip_options', 'slow-up');
    monitor.start();
    await clock.advance(10);
    expect(states.at(-1)).toMatchObject({ to: 'warning' });
    expect(seen).toEqual(['warning']);
    await monitor.stop();
  });
});
