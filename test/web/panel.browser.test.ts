/**
 * The admin panel in a real Chromium against a real `geored serve` between three sipp regions: sign-in,
 * regions, manual failover, a failover by someone else arriving live, a failure seen live, the API's
 * validation error beside its field, a read-only token, no token in a URL, the HTML or a log line, no
 * request off the machine, axe-core on every page, and screenshots at 1366x768 and 390 px.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, screenshot, seriousA11yViolations, type Browser } from '../helpers/browser';
import { startGeoredProcess, stopAllGeored, type GeoredProcess } from '../helpers/geored-process';
import { stopAllSipp, type SippPeer } from '../helpers/sipp';
import { threeSippRegions } from '../helpers/sipp-regions';

const GEO = '/api/framework/geographic-redundancy';
const ADMIN = 'panel-admin-token-7d1f0c';
const READER = 'panel-read-token-93ab2e';
const PAGES = [
  'overview',
  'failover',
  'history',
  'health-checks',
  'drills',
  'metrics',
  'calls',
  'alerts',
  'replication',
];

/** The little of the DOM these tests read inside the page. */
type Dom = {
  document: { activeElement: { textContent: string | null; id: string } | null };
  sessionStorage: { length: number };
};

let geored: GeoredProcess;
let peers: Record<string, SippPeer>;
let browser: Browser;

async function api(method: string, path: string, body?: unknown, token = ADMIN) {
  const res = await fetch(`${geored.apiUrl}${GEO}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline)
      throw new Error(`${what} did not happen:\n${geored.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const activeName = () => browser.page.locator('#active-name');
const regionCard = (name: string) => browser.page.locator(`[data-region="${name}"]`);

async function signIn(token: string): Promise<void> {
  const { page } = browser;
  await page.goto(`${geored.apiUrl}/admin`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-region]').first().waitFor();
  await page.getByTestId('connection').getByText('Live').waitFor();
}

async function go(id: string): Promise<void> {
  await browser.page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('link')
    .nth(PAGES.indexOf(id))
    .click();
  await browser.page.locator('h1').first().waitFor();
}

beforeAll(async () => {
  const three = await threeSippRegions();
  peers = three.peers;
  const dir = mkdtempSync(join(tmpdir(), 'geored-panel-'));
  const file = join(dir, 'config.yml');
  writeFileSync(
    file,
    [
      'features:',
      '  geographic_redundancy:',
      '    health_check: { interval: 0.2, timeout: 0.5, retry_count: 2, jitter: 0 }',
      ...three.lines,
      'server:',
      '  tokens:',
      '    - { name: watcher, role: read, token: "env:PANEL_READ_TOKEN" }',
      '',
    ].join('\n'),
  );
  geored = await startGeoredProcess({
    configFile: file,
    env: { GEORED_API_TOKEN: ADMIN, PANEL_READ_TOKEN: READER },
  });
  await waitFor(
    'us-east-1 active',
    async () => (await api('GET', '/active-region')).json['name'] === 'us-east-1',
  );
  browser = await openBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stopAllGeored();
  await stopAllSipp();
});

describe('the admin panel', () => {
  it('serves every asset itself, with a strict Content-Security-Policy and no token in the HTML', async () => {
    const res = await fetch(`${geored.apiUrl}/admin`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain(ADMIN);
  });

  it('signs in and shows the three regions with the active one marked', async () => {
    await signIn(ADMIN);
    const { page } = browser;
    await expect.poll(() => page.locator('[data-region]').count()).toBe(3);
    await expect.poll(() => activeName().textContent()).toBe('us-east-1');
    await expect.poll(() => regionCard('us-east-1').getByTestId('active-tag').count()).toBe(1);
    for (const r of ['us-east-1', 'us-west-1', 'eu-west-1']) {
      await expect
        .poll(() => regionCard(r).locator('[data-state]').getAttribute('data-state'))
        .toBe('healthy');
      // Colour is not the only signal: the state is written out.
      await expect.poll(() => regionCard(r).locator('[data-state]').textContent()).toContain('Healthy');
    }
    expect(await page.content()).not.toContain(ADMIN);
  });

  it('fails over manually: the active region and the history change', async () => {
    const { page } = browser;
    await go('failover');
    await page.getByLabel('Target region').selectOption('us-west-1');
    await page.getByLabel('Reason').fill('panel test: carrier maintenance');
    await page.getByRole('button', { name: 'Fail over to us-west-1' }).click();
    await page.getByRole('button', { name: 'Confirm failover' }).click();
    await expect
      .poll(() => page.locator('#failover-result').textContent())
      .toContain('us-east-1 → us-west-1');
    await expect.poll(() => activeName().textContent()).toBe('us-west-1');
    await go('history');
    const first = page.getByTestId('history-table').locator('tbody tr').first();
    await expect.poll(() => first.textContent()).toContain('panel test: carrier maintenance');
    expect(await first.textContent()).toContain('manual');
    expect((await api('GET', '/active-region')).json['name']).toBe('us-west-1');
  });

  it('shows a failover someone else made through the API without reloading', async () => {
    const { page } = browser;
    await page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = 'same page'));
    const r = await api('POST', '/failover', { target_region: 'eu-west-1', reason: 'someone else via curl' });
    expect(r.status).toBe(200);
    await expect.poll(() => activeName().textContent()).toBe('eu-west-1');
    const first = page.getByTestId('history-table').locator('tbody tr').first();
    await expect.poll(() => first.textContent()).toContain('someone else via curl');
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe(
      'same page',
    );
  });

  it('watches a failing region go DOWN and the failover happen live', async () => {
    const { page } = browser;
    await go('overview');
    peers['eu-west-1']!.pause();
    try {
      await expect
        .poll(() => regionCard('eu-west-1').locator('[data-state]').getAttribute('data-state'), {
          timeout: 20_000,
        })
        .toBe('down');
      await expect.poll(() => activeName().textContent(), { timeout: 20_000 }).toBe('us-east-1');
      await expect.poll(() => regionCard('eu-west-1').textContent()).toContain('Down');
      await expect.poll(() => page.getByTestId('feed').textContent()).toContain('eu-west-1');
      await screenshot(page, 'overview-failure-1366');
    } finally {
      peers['eu-west-1']!.resume();
    }
    await expect
      .poll(() => regionCard('eu-west-1').locator('[data-state]').getAttribute('data-state'), {
        timeout: 20_000,
      })
      .toBe('healthy');
  });

  it('shows the API error beside the field for a bad interval, and saves a good one', async () => {
    const { page } = browser;
    await go('health-checks');
    const interval = page.getByLabel('Interval (s)');
    await interval.fill('0');
    await page.getByRole('button', { name: 'Save health-check settings' }).click();
    const error = page.getByTestId('error-interval');
    await error.waitFor();
    // The message is the API's own (schema validation names the field).
    const direct = await api('PUT', '/health-check', { interval: 0 });
    expect(direct.status).toBe(400);
    const apiMessage = String((direct.json['error'] as Record<string, unknown>)['message']);
    expect(await error.textContent()).toContain(apiMessage);
    expect(await interval.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await interval.getAttribute('aria-describedby')) ?? '';
    expect(describedBy).toContain('hc-interval-error');
    expect((await api('GET', '/health-check')).json['interval']).toBe(0.2);

    await interval.fill('0.25');
    await page.getByRole('button', { name: 'Save health-check settings' }).click();
    await expect.poll(() => page.locator('#hc-result').textContent()).toContain('saved');
    expect((await api('GET', '/health-check')).json['interval']).toBe(0.25);
  });

  it('shows the Replication view empty when no region has a database', async () => {
    await go('replication');
    const empty = browser.page.getByTestId('replication-empty');
    await empty.waitFor();
    expect(await empty.getByRole('heading').textContent()).toBe('Data replication is not configured');
    expect(await empty.textContent()).toContain('data replication is not enabled');
    expect(await browser.page.getByTestId('replication-table').count()).toBe(0);
  });

  it('passes axe-core (no serious or critical violations) on every page, and is screenshot at both widths', async () => {
    const { page } = browser;
    for (const width of [1366, 390]) {
      await page.setViewportSize(width === 1366 ? { width: 1366, height: 768 } : { width: 390, height: 844 });
      for (const id of PAGES) {
        await go(id);
        await page.waitForTimeout(300); // let charts draw before the picture; not an assertion
        expect({ page: id, width, violations: await seriousA11yViolations(page) }).toEqual({
          page: id,
          width,
          violations: [],
        });
        await screenshot(page, `${id}-${width}`);
      }
    }
    await page.setViewportSize({ width: 1366, height: 768 });
  }, 120_000);

  it('works with the keyboard alone: skip link, navigation and the failover form', async () => {
    const { page } = browser;
    await page.goto(`${geored.apiUrl}/admin#/overview`);
    await page.reload(); // signed in still: the token is in this tab's sessionStorage
    await page.locator('[data-region]').first().waitFor();
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => (globalThis as unknown as Dom).document.activeElement?.textContent),
    ).toContain('Skip to content');
    await page.getByRole('link', { name: 'Manual failover' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Manual failover');
    await page.getByLabel('Target region').focus();
    expect(await page.evaluate(() => (globalThis as unknown as Dom).document.activeElement?.id)).toBe(
      'mf-target',
    );
  });

  it('with a read-only token shows everything with every control disabled, and the API refuses anyway', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as Dom).sessionStorage.length)).toBe(0);
    await signIn(READER);
    await expect.poll(() => page.locator('[data-region]').count()).toBe(3);
    await page.getByText('read-only token').waitFor();
    for (const id of ['failover', 'health-checks', 'drills']) {
      await go(id);
      const enabled = await page
        .locator(
          'main button:not([disabled]), main input:not([disabled]):not([type=datetime-local]), main select:not([disabled])',
        )
        .evaluateAll((els) =>
          els
            .filter((e) => !e.closest('.filters') && !e.closest('.pager') && !e.closest('label.inline'))
            .map((e) => e.outerHTML.slice(0, 80)),
        );
      expect({ page: id, enabled }).toEqual({ page: id, enabled: [] });
    }
    const refused = await api('POST', '/failover', { target_region: 'us-west-1' }, READER);
    expect(refused.status).toBe(403);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
  });

  it('sent no request off the machine, no token in any URL, and no token in any log line', () => {
    expect(browser.requests.length).toBeGreaterThan(10);
    expect(browser.requests.filter((u) => !u.startsWith(`${geored.apiUrl}/`))).toEqual([]);
    expect(browser.requests.filter((u) => u.includes(ADMIN) || u.includes(READER))).toEqual([]);
    const out = geored.output();
    expect(out).not.toContain(ADMIN);
    expect(out).not.toContain(READER);
    expect(browser.errors).toEqual([]);
  });
});
