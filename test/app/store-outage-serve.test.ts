/**
 * geored never exits because its store went away (issue 12, store-outage): the real `geored serve` on a
 * PostgreSQL cluster of the test's own, under calls and fast probes so the store has transactions in
 * flight, and the cluster stopped (pg_ctl stop: every session is terminated with FATAL, then closed) and
 * started again. A pooled client checked out at that moment used to emit 'error' with no listener, which
 * ended the process (a CI run of the scenario saw its API refuse connections 100 s in).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { removeClusters, startClusters, type PgCluster } from '../helpers/pg-clusters';
import { startSipp } from '../helpers/sipp';
import { FAST_HEALTH, regionLines, startGeored, stopEverything, until } from './harness';

afterEach(stopEverything);
afterAll(removeClusters, 120_000);

async function readyz(apiUrl: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text() };
}

describe('geored serve while its PostgreSQL store goes away and comes back', () => {
  it('stays up, says not ready naming the store while it is down, and ready once it is back', async () => {
    const [pg] = (await startClusters(['store'])) as [PgCluster];
    const regions = [];
    for (let i = 1; i <= 3; i++) regions.push(await startSipp({ scenario: 'region-uas.xml' }));
    const g = await startGeored(
      [
        FAST_HEALTH,
        '    regions:',
        ...regions.flatMap((r, i) => regionLines(`region-${i + 1}`, i + 1, r.port)),
      ],
      [],
      { GEORED_STORE: pg.url },
    );
    let exited: number | null | undefined;
    void g.exited.then((code) => (exited = code));
    // Calls through geored the whole time, so call-record batches are being written when the store stops.
    const load = startSipp({
      scenario: 'pbx-uac.xml',
      extraArgs: [`127.0.0.1:${g.sipPort}`, '-s', '15550001', '-m', '200', '-r', '40', '-timeout', '60s'],
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await readyz(g.apiUrl)).status).toBe(200);

    await pg.stop();
    const seen: Array<{ status: number; body: string }> = [];
    await until(
      async () => {
        seen.push(await readyz(g.apiUrl));
        return seen.length >= 8;
      },
      'eight /readyz polls while the store is down',
      30_000,
    );
    expect(exited, `geored exited while its store was down:\n${g.output().slice(-4000)}`).toBeUndefined();
    // From the third poll on the store's absence has been noticed (the first may race the stop).
    for (const r of seen.slice(2)) {
      expect(r.status).toBe(503);
      expect(r.body).toMatch(/the store \(postgres:\/\/postgres@127\.0\.0\.1:\d+\/pbx\) does not answer/);
    }

    await pg.start();
    await until(
      async () => (await readyz(g.apiUrl)).status === 200,
      '/readyz 200 once the store is back',
      60_000,
    );
    await (
      await load
    ).exited;
    expect(exited, `geored exited:\n${g.output().slice(-4000)}`).toBeUndefined();
    expect(g.output()).not.toMatch(/uncaught|unhandled/i);
  }, 180_000);
});
