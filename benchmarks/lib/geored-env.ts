/** Two sipp regions and a fresh `geored serve` in front of them (region-1 active), all stopped afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/ports';
import { startGeored, waitActive, type Geored } from './geored';
import { sleep, type Child } from './processes';
import { runUac, startRegionUas, type UacResult } from './sipp';

// Probing like the fast profile of issue 3, so a dead region is also found by probes within ~0.5 s.
export const HEALTH = { interval: 1, timeout: 0.25, retry_count: 2 };
export const PROVISIONAL_MS = 500;

export interface Env {
  readonly g: Geored;
  readonly regions: Child[];
  readonly dir: string;
}

export async function withGeored<T>(
  fn: (env: Env) => Promise<T>,
  opts: { nodeArgs?: readonly string[] } = {},
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-bench-proxy-'));
  const regions: Child[] = [];
  let g: Geored | undefined;
  try {
    const ports = [await freePort(), await freePort()];
    for (const port of ports) regions.push(await startRegionUas(port, dir));
    g = await startGeored({
      dir,
      regionPorts: ports,
      health: HEALTH,
      provisionalTimeoutMs: PROVISIONAL_MS,
      ...(opts.nodeArgs && { nodeArgs: opts.nodeArgs }),
    });
    await sleep(1500); // like run.sh's wait after starting kamailio: first probes done
    if (!(await waitActive(g, 'region-1', 10_000)))
      throw new Error('region-1 did not become the active region');
    return await fn({ g, regions, dir });
  } finally {
    await g?.stop();
    await Promise.all(regions.map((r) => r.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The PBX: `calls` 1 s calls at `rate`/s through geored, with run.sh's concurrency limit (rate × 10). */
export async function uac(env: Env, rate: number, calls: number, rtt = false): Promise<UacResult> {
  return runUac({
    target: `127.0.0.1:${env.g.sipPort}`,
    port: await freePort(),
    rate,
    calls,
    limit: rate * 10,
    cwd: env.dir,
    rtt,
  });
}
