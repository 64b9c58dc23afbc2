/** Command checks as real child processes: exit codes 0/1/2, the region in argv and env, a kill on timeout. */
import { describe, expect, it } from 'vitest';
import { commandCheck } from '../../../src/health/checks/command';
import { ctx, region } from './region';

const r = region('us-east-1', '127.0.0.1', 5070);
const sh = (script: string, timeout = 5) =>
  commandCheck({
    name: 'script',
    command: ['sh', '-c', script, 'check', '{region}', '{sip_server}'],
    timeout,
  });

describe('command checks', () => {
  it('exit 0 is healthy, with the first output line as detail', async () => {
    const o = await sh('echo "OK - all good"; exit 0')(r, ctx(5000));
    expect(o).toMatchObject({ success: true, level: 'ok', detail: 'OK - all good' });
    expect(o.latency_ms).toBeGreaterThan(0);
  });

  it('exit 1 passes with a warning', async () => {
    const o = await sh('echo "WARN - queue deep"; exit 1')(r, ctx(5000));
    expect(o).toMatchObject({
      success: true,
      level: 'warning',
      detail: 'script exited 1 (warning): WARN - queue deep',
    });
  });

  it('exit 2 (anything else) is critical', async () => {
    const o = await sh('echo "CRIT - down" >&2; exit 2')(r, ctx(5000));
    expect(o).toMatchObject({
      success: false,
      level: 'critical',
      error: 'script exited 2 (critical): CRIT - down',
    });
  });

  it('gets the region in its arguments and environment', async () => {
    const o = await sh('echo "$1 $2 $REGION $SIP_SERVER"')(r, ctx(5000));
    expect(o.detail).toBe('us-east-1 127.0.0.1:5070 us-east-1 127.0.0.1:5070');
  });

  it('is killed when it runs past its timeout', async () => {
    const marker = `geored-sleep-${process.pid}-${Date.now()}`;
    const o = await commandCheck({
      name: 'slow',
      command: ['sh', '-c', `exec sleep 30 # ${marker}`],
      timeout: 0.2,
    })(r, ctx(5000));
    expect(o).toMatchObject({ success: false, error: 'slow killed after its 200 ms timeout' });
    // The child is gone, not left sleeping.
    const { execFileSync } = await import('node:child_process');
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps).not.toContain(marker);
  });

  it('is killed when the monitor aborts, and reports a program that cannot start', async () => {
    const ac = new AbortController();
    const pending = sh('exec sleep 30', 30)(r, ctx(30_000, ac.signal));
    setTimeout(() => ac.abort(), 50);
    expect((await pending).error).toBe('script killed after its 30000 ms timeout');
    const o = await commandCheck({ name: 'gone', command: ['/nonexistent/check'], timeout: 1 })(r, ctx(1000));
    expect(o.success).toBe(false);
    expect(o.error).toMatch(/^cannot run \/nonexistent\/check: .*ENOENT/);
  });
});
