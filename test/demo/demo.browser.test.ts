/**
 * `geored demo` as a newcomer runs it: the printed block gives the panel and a token; in the panel the
 * demo control blackholes the active region, the failover shows live with its history row, and no demo
 * call fails. SIGINT then stops everything: the process exits 0 and every port it bound is free again.
 * A port given on the command line that is taken is a one-line error naming the option.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { tcpFree, udpFree } from '../../src/demo/ports';
import { openBrowser, screenshot, type Browser } from '../helpers/browser';
import { openSse } from '../helpers/sse-client';
import { GEORED_BIN, runGeored } from '../helpers/geored-process';
import { freePort } from '../helpers/ports';

const GEO = '/api/framework/geographic-redundancy';
let child: ChildProcess | null = null;
let browser: Browser | null = null;

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('geored demo', () => {
  it('a port taken on the command line is a one-line error naming the option, not a stack trace', async () => {
    const busy = createServer();
    const port = await new Promise<number>((resolve) =>
      busy.listen({ host: '127.0.0.1', port: 0 }, () => resolve((busy.address() as { port: number }).port)),
    );
    try {
      const r = await runGeored(['demo', '--api-port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('--api-port');
      expect(r.stderr).toContain(String(port));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      busy.close();
    }
  });

  it('runs, breaks the active region from the panel, fails over live with no failed call, and stops clean', async () => {
    const apiPort = await freePort();
    const sipPort = await freePort();
    child = spawn(
      process.execPath,
      [GEORED_BIN, 'demo', '--api-port', String(apiPort), '--sip-port', String(sipPort)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const deadline = performance.now() + 45_000;
    while (!/Sign-in token\s+\S+/.test(out)) {
      if (performance.now() > deadline || child.exitCode !== null)
        throw new Error(`demo did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const panelUrl = /Admin panel\s+(\S+)/.exec(out)![1]!;
    const token = /Sign-in token\s+(\S+)/.exec(out)![1]!;
    expect(panelUrl).toBe(`http://127.0.0.1:${apiPort}/admin`);
    expect(out.split('\n').filter((l) => l.trim() !== '').length).toBeLessThan(15); // one short block
    const get = async (path: string) =>
      (await (
        await fetch(`http://127.0.0.1:${apiPort}${GEO}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as Record<string, unknown>;
    // The providers' ports, to check they are released at the end.
    const providerPorts = await Promise.all(
      ['us-east-1', 'us-west-1', 'eu-west-1'].map(async (r) =>
        Number(
          String((await get(`/regions/${r}`))['sip_server'])
            .split(':')
            .pop(),
        ),
      ),
    );

    // The event stream carries each new call record as GET /api/calls shows it.
    const stream = await openSse(`http://127.0.0.1:${apiPort}${GEO}/events/stream`, token);
    const call = await stream.waitFor((e) => e.event === 'call', 30_000);
    stream.close();
    expect(call.data).toMatchObject({
      type: 'call',
      direction: 'outbound',
      final_status: 200,
      region: 'us-east-1',
    });
    const listed = (await (
      await fetch(`http://127.0.0.1:${apiPort}/api/calls?limit=1000`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { calls: Record<string, unknown>[] };
    const { time: _t, type: _ty, ...record } = call.data;
    expect(listed.calls.find((c) => c['call_id'] === record['call_id'])).toEqual(record);

    browser = await openBrowser();
    const { page } = browser;
    await page.goto(panelUrl);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-region]').first().waitFor();
    await expect
      .poll(() => page.locator('#active-name').textContent(), { timeout: 30_000 })
      .toBe('us-east-1');
    // Calls are flowing through us-east-1 before anything breaks.
    await expect
      .poll(async () => Number(await page.getByTestId('demo-answered').textContent()), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2);

    await page.getByRole('button', { name: 'Blackhole us-east-1' }).click();
    await expect
      .poll(() => page.locator('[data-region="us-east-1"] [data-state]').getAttribute('data-state'), {
        timeout: 30_000,
      })
      .toBe('down');
    await expect
      .poll(() => page.locator('#active-name').textContent(), { timeout: 30_000 })
      .toBe('us-west-1');
    await screenshot(page, 'demo-after-blackhole-1366');
    // Calls keep being answered after the failover, and none failed.
    const answeredAtFailover = Number(await page.getByTestId('demo-answered').textContent());
    await expect
      .poll(async () => Number(await page.getByTestId('demo-answered').textContent()), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(answeredAtFailover + 2);
    expect(await page.getByTestId('demo-failed').textContent()).toBe('0');
    const demo = await get('/demo');
    expect(demo['calls']).toMatchObject({ failed: 0 });
    // Every call record since the start was answered (a failed one would have no 2xx final status).
    const records = (await (
      await fetch(`http://127.0.0.1:${apiPort}/api/calls?limit=1000`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { calls: { final_status: number | null; attempts: { region: string }[] }[] };
    expect(records.calls.length).toBeGreaterThan(2);
    expect(records.calls.filter((c) => c.final_status !== 200)).toEqual([]);

    await page.getByRole('link', { name: 'History' }).click();
    const row = page.getByTestId('history-table').locator('tbody tr').first();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('us-east-1 is DOWN');
    expect(await row.textContent()).toContain('automatic');
    await browser.close();
    browser = null;

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped.');
    expect(out).not.toMatch(/\n\s+at /);
    expect(await tcpFree(apiPort)).toBe(true);
    expect(await udpFree(sipPort)).toBe(true);
    for (const p of providerPorts) expect(await udpFree(p)).toBe(true);
  }, 150_000);
});
