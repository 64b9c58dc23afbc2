/**
 * The monitor in real time against a real sipp region, with the real check registry and SIP stack: the
 * fast profile (interval 1, timeout 0.25, retry_count 2). SIGSTOP blackholes the region → a state event to
 * DOWN; SIGCONT → back to HEALTHY after success_threshold answers. Waits are bounded, never asserted on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckRegistry } from '../../src/health/checks/registry';
import type { HealthDecisionConfig } from '../../src/health/decide-health-types';
import { HealthMonitor, type ResultEvent, type StateEvent } from '../../src/health/monitor';
import { SipStack } from '../../src/sip/stack';
import { startSipp, stopAllSipp, type SippPeer } from '../helpers/sipp';
import { region } from './checks/region';

const cfg: HealthDecisionConfig = {
  health_check: {
    interval: 1,
    timeout: 0.25,
    retry_count: 2,
    success_threshold: 2,
    check_methods: ['sip_options'],
    custom_checks: [],
    jitter: 0.1,
    // A loaded CI machine may answer loopback slowly; this test is about DOWN and back, not WARNING.
    latency_warning_ms: 10_000,
    sip_options_ok_codes: [200],
    passive_failure_threshold: 3,
    score_window: 60,
    retention: { max_rows: 1000, max_age_days: 1 },
  },
  failover: { min_failure_duration: 0 },
};

let stack: SipStack;
let sipp: SippPeer;
let monitor: HealthMonitor;
const states: StateEvent[] = [];
const results: ResultEvent[] = [];

beforeAll(async () => {
  stack = await SipStack.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  sipp = await startSipp({ scenario: 'uas-options.xml' });
  const checks = new CheckRegistry({
    stack,
    resolve: async (t) => [{ protocol: 'udp', address: t.host, port: t.port ?? 5060 }],
    okCodes: () => cfg.health_check.sip_options_ok_codes,
    now: () => Date.now(),
  });
  monitor = new HealthMonitor({ config: cfg, regions: [region('sipp', '127.0.0.1', sipp.port)], checks });
  monitor.on('state', (e) => states.push(e));
  monitor.on('result', (e) => results.push(e));
});

afterAll(async () => {
  await monitor?.stop();
  await stopAllSipp();
  await stack?.close();
});

/** Resolves with the first state event matching, or fails after `ms` with what was seen. */
function nextState(to: string, after: number, ms: number): Promise<StateEvent> {
  return new Promise((resolve, reject) => {
    const seen = () => states.find((s, i) => i >= after && s.to === to);
    const timer = setTimeout(
      () => reject(new Error(`no state event to ${to} within ${ms} ms; saw ${JSON.stringify(states)}`)),
      ms,
    );
    const poll = setInterval(() => {
      const found = seen();
      if (found) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(found);
      }
    }, 10);
  });
}

describe('HealthMonitor against sipp', () => {
  it('goes DOWN when sipp is SIGSTOPped and HEALTHY again after SIGCONT', async () => {
    monitor.start();
    // A first answer proves the region is really up before the outage.
    for (let i = 0; i < 500 && !results.some((r) => r.outcome.success); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(
      results.find((r) => r.outcome.success),
      sipp.output(),
    ).toBeDefined();
    expect(monitor.snapshot('sipp').decision.state).toBe('healthy');

    const mark = states.length;
    sipp.pause();
    const down = await nextState('down', mark, 10_000);
    expect(down.reason).toMatch(
      /^sipp is DOWN: 2 consecutive sip_options failures \(no answer within 250 ms\)/,
    );
    expect(states.slice(mark).map((s) => s.to)).toEqual(['critical', 'down']);

    const back = states.length;
    sipp.resume();
    const healthy = await nextState('healthy', back, 15_000);
    expect(healthy.from).toBe('down');
    const after = results.filter((r) => r.at > down.at && r.at <= healthy.at && r.outcome.success);
    expect(after.length).toBeGreaterThanOrEqual(2);
  });
});
