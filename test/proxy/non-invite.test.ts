/**
 * Out-of-dialog requests other than INVITE from a sipp PBX, routed like calls (per-region failover
 * included), and a CANCEL that matches nothing, forwarded statelessly (RFC 3261 §16.10).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { metricSum, region, runUac, startProxy, stopAll } from './harness';

afterEach(stopAll);

const out = (m: Parameters<typeof metricSum>[0], method: string) =>
  metricSum(m, 'geored_sip_messages_out_total', { kind: 'request', value: method });

describe('out-of-dialog non-INVITE requests', () => {
  it('a MESSAGE from the PBX goes to the first region, user kept, and its 200 comes back', async () => {
    const east = await region('us-east-1', 'region-message.xml');
    const west = await region('us-west-1', 'region-message.xml');
    const h = await startProxy({ regions: [east.runtime, west.runtime] });
    const run = await runUac('pbx-message.xml', h.port, 3, 10, ['-set', 'cancel', '0']);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(3);
    expect(await out(h.metrics, 'MESSAGE')).toBe(3);
    expect(h.outcomes).toEqual([
      ['us-east-1', 'ok'],
      ['us-east-1', 'ok'],
      ['us-east-1', 'ok'],
    ]);
    // Messages are not calls: geo_calls and the call counters stay untouched.
    expect(await metricSum(h.metrics, 'geored_calls_total')).toBe(0);
    expect(h.proxy.dialogCount).toBe(0);
  }, 30_000);

  it('the first region answering 503: the MESSAGE reaches the second region and the PBX sees 200', async () => {
    const busy = await region('us-east-1', 'region-message-503.xml');
    const west = await region('us-west-1', 'region-message.xml');
    const h = await startProxy({ regions: [busy.runtime, west.runtime] });
    const run = await runUac('pbx-message.xml', h.port, 3, 10, ['-set', 'cancel', '0']);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(3);
    expect(await out(h.metrics, 'MESSAGE')).toBe(6);
    expect(h.outcomes.filter(([r, o]) => r === 'us-east-1' && o === '5xx')).toHaveLength(3);
    expect(h.outcomes.filter(([r, o]) => r === 'us-west-1' && o === 'ok')).toHaveLength(3);
    expect(
      await metricSum(h.metrics, 'geored_call_failovers_total', {
        from: 'us-east-1',
        to: 'us-west-1',
        cause: '503',
      }),
    ).toBe(3);
  }, 30_000);

  it('a CANCEL matching no transaction is forwarded statelessly and the answer comes back', async () => {
    const east = await region('us-east-1', 'region-message-cancel.xml');
    const h = await startProxy({ regions: [east.runtime] });
    const run = await runUac('pbx-message.xml', h.port, 1, 10, ['-set', 'cancel', '1']);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(1);
    expect(await out(h.metrics, 'CANCEL')).toBe(1);
  }, 30_000);
});
