/**
 * Calls through the real proxy: sipp PBX → geored (SipStack + SipProxy) → sipp regions, on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { metricSum, region, runUac, startProxy, stopAll, until } from './harness';

afterEach(stopAll);

describe('calls through geored', () => {
  it('completes calls to the first region, BYE through geored', async () => {
    const east = await region('us-east-1', 'region-uas.xml');
    const west = await region('us-west-1', 'region-uas.xml');
    const h = await startProxy({ regions: [east.runtime, west.runtime] });
    const run = await runUac('pbx-uac.xml', h.port, 10, 20);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(10);
    expect(run.failed).toBe(0);
    expect(
      await metricSum(h.metrics, 'geored_calls_total', { region: 'us-east-1', outcome: 'answered' }),
    ).toBe(10);
    // BYE went through geored (Record-Route honoured) and was counted both ways.
    expect(
      await metricSum(h.metrics, 'geored_sip_messages_in_total', { kind: 'request', value: 'BYE' }),
    ).toBe(10);
    expect(
      await metricSum(h.metrics, 'geored_sip_messages_out_total', { kind: 'request', value: 'BYE' }),
    ).toBe(10);
    expect(h.outcomes.filter(([r, o]) => r === 'us-east-1' && o === 'ok')).toHaveLength(10);
    expect(h.proxy.dialogCount).toBe(0);
    expect(await metricSum(h.metrics, 'geored_proxy_added_latency_seconds_count', { leg: 'invite' })).toBe(
      10,
    );
  }, 30_000);

  it('sends every call to the next region when the first answers 503: zero failed setups', async () => {
    const busy = await region('us-east-1', 'region-503.xml');
    const west = await region('us-west-1', 'region-uas.xml');
    const h = await startProxy({ regions: [busy.runtime, west.runtime] });
    const run = await runUac('pbx-uac.xml', h.port, 10, 20);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(10);
    expect(
      await metricSum(h.metrics, 'geored_call_failovers_total', {
        from: 'us-east-1',
        to: 'us-west-1',
        cause: '503',
      }),
    ).toBe(10);
    expect(h.outcomes.filter(([r, o]) => r === 'us-east-1' && o === '5xx')).toHaveLength(10);
    expect(
      await metricSum(h.metrics, 'geored_calls_total', { region: 'us-west-1', outcome: 'answered' }),
    ).toBe(10);
  }, 30_000);

  it('logs "every region failed the call" at warn once a minute, not once per call the PBX places', async () => {
    const east = await region('us-east-1', 'region-503.xml');
    const west = await region('us-west-1', 'region-503.xml');
    const lines: Array<{ level: number; msg: string; alsoSince?: number }> = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const h = await startProxy({ regions: [east.runtime, west.runtime], logger });
    // pbx-uac-logged.xml ACKs a final error and goes on to its next call (pbx-uac.xml expects a 200).
    const run = await runUac('pbx-uac-logged.xml', h.port, 10, 20);
    expect(run.code, run.output).toBe(0);
    // Every call was refused by both regions (two 5xx outcomes each), so every call failed at geored.
    expect(h.outcomes.filter(([, o]) => o === '5xx')).toHaveLength(20);
    await until(() => lines.filter((l) => l.msg === 'every region failed the call').length === 10);
    const failed = lines.filter((l) => l.msg === 'every region failed the call');
    expect(failed.filter((l) => l.level === 40)).toEqual([expect.objectContaining({ alsoSince: 0 })]);
    expect(failed.filter((l) => l.level === 20)).toHaveLength(9);
  }, 30_000);
});
