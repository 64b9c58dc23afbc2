/**
 * CANCEL, re-INVITE and BYE across a failover, and a region's 401 challenge, with real sipp on both sides.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { metricSum, region, runUac, startProxy, stopAll, until } from './harness';

afterEach(stopAll);

describe('dialogs through geored', () => {
  it('CANCEL before answer: the ringing region gets CANCEL, the PBX gets 200 and 487', async () => {
    const ring = await region('us-east-1', 'region-uas-ring.xml', {}, { extraArgs: ['-m', '1'] });
    const h = await startProxy({ regions: [ring.runtime] });
    const run = await runUac('pbx-uac-cancel.xml', h.port, 1, 1);
    expect(run.code, run.output).toBe(0);
    // The region's scenario only completes when the CANCEL reached it and its 487 was ACKed.
    expect(await ring.sipp.exited, ring.sipp.output()).toBe(0);
    expect(await metricSum(h.metrics, 'geored_calls_total', { outcome: 'cancelled' })).toBe(1);
  }, 30_000);

  it('re-INVITE and BYE follow the dialog after a failover from a 503 region', async () => {
    const busy = await region('us-east-1', 'region-503.xml');
    const west = await region('us-west-1', 'region-uas.xml', {}, { extraArgs: ['-m', '3'] });
    const h = await startProxy({ regions: [busy.runtime, west.runtime] });
    const run = await runUac('pbx-uac-reinvite.xml', h.port, 3, 5);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(3);
    expect(await west.sipp.exited, west.sipp.output()).toBe(0);
    // Initial INVITE to each region, plus the re-INVITE to the one that carries the call.
    expect(
      await metricSum(h.metrics, 'geored_sip_messages_out_total', { kind: 'request', value: 'INVITE' }),
    ).toBe(9);
    expect(await metricSum(h.metrics, 'geored_call_failovers_total', { cause: '503' })).toBe(3);
  }, 30_000);

  it("answers a region's 401 with its credentials and keeps CSeq consistent for ACK and BYE", async () => {
    const auth = await region(
      'us-east-1',
      'region-uas-auth.xml',
      { credentials: { username: 'trunk', password: 's3cret' } },
      { set: { user: 'trunk', password: 's3cret' }, extraArgs: ['-m', '2'] },
    );
    const h = await startProxy({ regions: [auth.runtime] });
    const run = await runUac('pbx-uac.xml', h.port, 2, 5);
    expect(run.code, run.output).toBe(0);
    expect(run.successful).toBe(2);
    // verifyauth accepted the answer, and the ereg checks on CSeq passed, or this exits non-zero.
    expect(await auth.sipp.exited, auth.sipp.output()).toBe(0);
  }, 30_000);

  it('a region refusing the credentials on file: the PBX gets the refusal, never the challenge', async () => {
    const auth = await region(
      'us-east-1',
      'region-uas-auth.xml',
      { credentials: { username: 'trunk', password: 'wrong' } },
      { set: { user: 'trunk', password: 's3cret' } },
    );
    const h = await startProxy({ regions: [auth.runtime] });
    // sipp keeps a failed call open until its timeout, so this waits for geored's side, not for sipp's exit.
    void runUac('pbx-uac.xml', h.port, 1, 1);
    await until(
      async () => (await metricSum(h.metrics, 'geored_calls_total', { outcome: 'rejected' })) === 1,
    );
    expect(
      await metricSum(h.metrics, 'geored_sip_messages_out_total', { kind: 'response', value: '403' }),
    ).toBeGreaterThan(0);
    expect(
      await metricSum(h.metrics, 'geored_sip_messages_out_total', { kind: 'response', value: '401' }),
    ).toBe(0);
    // Two INVITEs reached the region: the first, then the one answering its challenge.
    expect(
      await metricSum(h.metrics, 'geored_sip_messages_out_total', { kind: 'request', value: 'INVITE' }),
    ).toBe(2);
  }, 30_000);
});
