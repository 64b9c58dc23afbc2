/**
 * A region blackholed (its sipp SIGSTOPped) under a steady load of calls: every call still sets up, through
 * per-call failover on the provisional timeout. The region comes back (SIGCONT) before the load ends, so
 * the calls it carried before the outage can end with their BYE, and the answers it sends late to INVITEs
 * geored already gave up on are ACKed and hung up by geored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { metricSum, region, runUac, startProxy, stopAll } from './harness';

afterEach(stopAll);

describe('region blackholed during a steady load', () => {
  it('20 calls/s for 5 s: zero failed call setups', async () => {
    const east = await region('us-east-1', 'region-uas.xml');
    const west = await region('us-west-1', 'region-uas.xml');
    const h = await startProxy({ regions: [east.runtime, west.runtime] });
    const load = runUac('pbx-uac.xml', h.port, 100, 20);
    await new Promise((r) => setTimeout(r, 1500));
    east.sipp.pause();
    // What arrives from here on was sent by east after it stopped (100 ms covers an answer in flight).
    await new Promise((r) => setTimeout(r, 100));
    const paused = h.outcomes.length;
    await new Promise((r) => setTimeout(r, 1400));
    const resumed = h.outcomes.length;
    east.sipp.resume();
    const run = await load;
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(100);
    expect(run.failed).toBe(0);
    const timeouts = await metricSum(h.metrics, 'geored_call_failovers_total', {
      from: 'us-east-1',
      to: 'us-west-1',
      cause: 'timeout',
    });
    expect(timeouts).toBeGreaterThan(0);
    expect(
      await metricSum(h.metrics, 'geored_calls_total', { region: 'us-west-1', outcome: 'answered' }),
    ).toBe(timeouts);
    // While east was stopped it answered nothing, so each silence was a failed call (decide-signal.ts).
    const whileStopped = h.outcomes.slice(paused, resumed).filter(([r]) => r === 'us-east-1');
    expect(whileStopped.length).toBeGreaterThan(0);
    expect(whileStopped.every(([, o]) => o === 'timeout')).toBe(true);
    // Once resumed, east answers the INVITEs it held: those late answers are good news for east, and a
    // silence ending after east answered another INVITE is loss, not a failed call, so not counted.
    const eastTimeouts = h.outcomes.filter(([r, o]) => r === 'us-east-1' && o === 'timeout').length;
    expect(eastTimeouts).toBeGreaterThanOrEqual(whileStopped.length);
    expect(eastTimeouts).toBeLessThanOrEqual(timeouts);
    expect(h.outcomes.slice(resumed).some(([r, o]) => r === 'us-east-1' && o === 'ok')).toBe(true);
  }, 60_000);
});
