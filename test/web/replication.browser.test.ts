/**
 * The admin panel's Replication view in a real Chromium against a real `geored serve` whose two regions
 * have real PostgreSQL 15 databases (private clusters): per region and table the state, the lag, the last
 * verification and the residency rules, from the REST API; a region database that stops shows up live
 * through the event stream's replication_lag event; axe-core on the view. (The empty state, without
 * region databases, is in panel.browser.test.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, screenshot, seriousA11yViolations, type Browser } from '../helpers/browser';
import { startGeoredProcess, stopAllGeored, type GeoredProcess } from '../helpers/geored-process';
import { removeClusters, startClusters, type PgCluster } from '../helpers/pg-clusters';
import { stopAllSipp } from '../helpers/sipp';
import { twoSippRegions } from '../helpers/sipp-regions';
import { PBX_SCHEMA } from '../replication/pbx-schema';

const GEO = '/api/framework/geographic-redundancy';
const ADMIN = 'replication-panel-token-5e21';

let geored: GeoredProcess;
let browser: Browser;
let east: PgCluster;
let west: PgCluster;

async function status(): Promise<{ tables: Array<{ region: string; table: string; state: string }> }> {
  const res = await fetch(`${geored.apiUrl}${GEO}/replication/status`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  return (await res.json()) as { tables: Array<{ region: string; table: string; state: string }> };
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline)
      throw new Error(`${what} did not happen:\n${geored.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  [east, west] = (await startClusters(['us-east-1', 'us-west-1'])) as [PgCluster, PgCluster];
  await Promise.all([east, west].map((c) => c.sql(PBX_SCHEMA)));
  const two = await twoSippRegions();
  // Each region's database and jurisdiction after its sip_server line.
  const dbs: Array<[PgCluster, string]> = [
    [east, 'us'],
    [west, 'ca'],
  ];
  let n = 0;
  const lines = two.lines.flatMap((l) => {
    if (!l.includes('sip_server:')) return [l];
    const [db, jurisdiction] = dbs[n++]!;
    return [l, `        database: "${db.url}"`, `        jurisdiction: ${jurisdiction}`];
  });
  const dir = mkdtempSync(join(tmpdir(), 'geored-rep-panel-'));
  const file = join(dir, 'config.yml');
  writeFileSync(
    file,
    [
      'features:',
      '  geographic_redundancy:',
      '    health_check: { interval: 0.2, timeout: 0.5, retry_count: 2, jitter: 0 }',
      ...lines,
      '    data_replication:',
      '      data_types: [extensions, call_queues]',
      '      sync_interval: 1',
      '      lag_alert_seconds: 3600',
      '      lag_alert_bytes: 65536',
      '      data_residency:',
      '        us-east-1: { data_types: [personal_data], no_transfer_outside_us: true }',
      '',
    ].join('\n'),
  );
  geored = await startGeoredProcess({ configFile: file, env: { GEORED_API_TOKEN: ADMIN } });
  await waitFor('every table ready in us-west-1', async () => {
    const s = await status();
    return s.tables.length === 3 && s.tables.every((t) => t.state === 'ready');
  });
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopAllGeored();
  await stopAllSipp();
  await removeClusters();
});

describe('the Replication view', () => {
  it('shows per region and table the state, lag, last verification and rules; a stopped region database arrives live', async () => {
    const { page } = browser;
    await page.goto(`${geored.apiUrl}/admin`);
    await page.getByLabel('API token').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('connection').getByText('Live').waitFor();
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: 'Replication' })
      .click();
    await page.getByRole('heading', { name: 'Tables per region' }).waitFor();
    await expect
      .poll(() => page.getByTestId('replication-reason').textContent())
      .toBe('us-east-1 publishes to us-west-1.');
    const row = page.locator('[data-replica="us-west-1/public.extensions"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual(['us-west-1', 'public.extensions', 'us-east-1', 'ready']);
    expect(cells[4]).toMatch(/^\d+(\.\d)? (B|KiB)$/);
    expect(cells[5]).toMatch(/^\d+\.\d\d s$/);
    expect(cells[6]).toMatch(/\d\d:\d\d:\d\d/);
    // us-west-1 is outside the US: the file's rule withholds the personal columns from it.
    expect(cells[7]).toBe('residency of us-east-1: no personal_data outside us');
    expect(await page.locator('[data-replica]').count()).toBe(3);
    expect(await page.locator('[data-replica-region="us-west-1"]').textContent()).toContain(
      'subscriber · ca · reachable',
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'replication-live-1366');

    // us-west-1's server stops; us-east-1 keeps writing: the lag event comes through the stream and the
    // view reloads the status, which shows the region unreachable.
    await west.stop();
    await east.sql(
      'CREATE TABLE lag_padding AS SELECT g, md5(g::text) AS h FROM generate_series(1, 20000) g',
    );
    const events = page.getByTestId('replication-lag-events');
    await events.waitFor({ timeout: 30_000 });
    expect(await events.textContent()).toMatch(
      /us-west-1 lags [\d.]+ s, \d+ bytes behind us-east-1 \(not connected\), above the threshold of 3600 s or 65536 bytes/,
    );
    await expect.poll(() => row.locator('td').nth(3).textContent(), { timeout: 15_000 }).toBe('unreachable');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'replication-live-390');
    await page.setViewportSize({ width: 1366, height: 768 });
    await west.start();
  }, 120_000);
});
