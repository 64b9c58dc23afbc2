/** TTL checks in virtual time, and TypeScript custom checks answering true, false, an outcome, a throw or late. */
import { describe, expect, it } from 'vitest';
import { customCheck } from '../../../src/health/checks/custom';
import { TtlBoard } from '../../../src/health/checks/ttl';
import { ctx, region } from './region';

const r = region('eu-west-1', '127.0.0.1', 5060);

describe('TTL checks', () => {
  it('pass while a push is fresh, fail after the TTL, and report warn/fail pushes as they are', async () => {
    let now = 1_000_000;
    const board = new TtlBoard(() => now);
    const check = board.check('pusher', 10);

    // Before the first push the TTL runs from when the check started counting.
    expect(await check(r)).toMatchObject({
      success: true,
      detail: 'waiting for the first TTL push (ttl 10 s)',
    });
    now += 12_000;
    expect(await check(r)).toMatchObject({
      success: false,
      error: 'no TTL push yet, waited 12.0 s, ttl 10 s',
    });

    board.push('eu-west-1', 'pusher', { status: 'pass', note: 'replication lag 2 s' });
    now += 9_000;
    expect(await check(r)).toMatchObject({
      success: true,
      detail: 'TTL push says pass: replication lag 2 s',
    });
    now += 3_000;
    expect(await check(r)).toMatchObject({ success: false, error: 'no TTL push for 12.0 s, ttl 10 s' });

    board.push('eu-west-1', 'pusher', { status: 'warn' });
    expect(await check(r)).toMatchObject({ success: true, level: 'warning', detail: 'TTL push says warn' });
    board.push('eu-west-1', 'pusher', { status: 'fail', note: 'db down' });
    expect(await check(r)).toMatchObject({ success: false, error: 'TTL push says fail: db down' });

    // Pushes are per region.
    expect(await check(region('other', '127.0.0.1', 5060))).toMatchObject({ success: true });
  });

  it('refuses a status other than pass, warn or fail', () => {
    const board = new TtlBoard(() => 0);
    expect(() => board.push('r', 'x', { status: 'ok' as never })).toThrowError(
      expect.objectContaining({ code: 'CHECK_BAD_TTL_STATUS' }),
    );
  });
});

describe('custom TypeScript checks', () => {
  it('true passes and false fails', async () => {
    expect(await customCheck('custom', () => true)(r, ctx(1000))).toMatchObject({
      success: true,
      level: 'ok',
    });
    expect(await customCheck('custom', async () => false)(r, ctx(1000))).toMatchObject({
      success: false,
      error: 'custom returned false',
    });
  });

  it('gets the region, and may answer a full outcome', async () => {
    const o = await customCheck('custom', (reg) => ({
      success: true,
      level: 'warning' as const,
      latency_ms: 12,
      detail: `checked ${reg.name}`,
    }))(r, ctx(1000));
    expect(o).toEqual({ success: true, level: 'warning', latency_ms: 12, detail: 'checked eu-west-1' });
  });

  it('a throw is a failure with the message', async () => {
    const o = await customCheck('custom', () => {
      throw new Error('backend said no\nstack...');
    })(r, ctx(1000));
    expect(o).toMatchObject({ success: false, error: 'custom threw: backend said no' });
  });

  it('a function slower than the timeout fails with no answer, and its late answer is ignored', async () => {
    let finished = false;
    const o = await customCheck('custom', async () => {
      await new Promise((res) => setTimeout(res, 400));
      finished = true;
      return true;
    })(r, ctx(100));
    expect(o).toMatchObject({ success: false, error: 'no answer within 100 ms' });
    expect(finished).toBe(false);
  });

  it('a nonsense answer is a failure that says what came back', async () => {
    const o = await customCheck('custom', () => 'yes' as never)(r, ctx(1000));
    expect(o).toMatchObject({
      success: false,
      error: 'custom returned "yes", not a boolean or a check outcome',
    });
  });
});
