/**
 * Issue 3, "How fast": time from blackholing the active region (SIGSTOP of its sipp UAS answering OPTIONS)
 * to the active-region change in the real `geored serve`, with the guide's defaults and a fast profile,
 * beside Kamailio's dispatcher (run.sh failover, FAILROUTE=0 PING=1 THRESH=3) in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports';
import type { BenchSection } from './run';
import {
  failoverLogTime,
  healthLogTime,
  startGeored,
  waitActive,
  waitActiveChange,
  type Geored,
} from './lib/geored';
import { kamailioAvailable, kamailioFailover } from './lib/kamailio';
import { sleep, type Child } from './lib/processes';
import { startRegionUas } from './lib/sipp';
import { fmtS, median } from './lib/stats';

interface Profile {
  readonly name: string;
  readonly health: { interval: number; timeout: number; retry_count: number };
  readonly targetS: number;
  readonly strict: boolean; // target is "<" (true) or "≤" (false)
  readonly trials: number;
  readonly parallel: boolean;
}

const PROFILES: Profile[] = [
  {
    name: 'fast (interval 1, timeout 0.25, retry_count 2)',
    health: { interval: 1, timeout: 0.25, retry_count: 2 },
    targetS: 0.6,
    strict: true,
    trials: 10,
    parallel: false,
  },
  {
    name: "guide's defaults (interval 30, timeout 10, retry_count 3)",
    health: { interval: 30, timeout: 10, retry_count: 3 },
    targetS: 10 * 3 + 0.1,
    strict: false,
    trials: 3,
    parallel: true, // ~30-60 s each: the three trials run side by side, each with its own regions
  },
];

interface Trial {
  readonly pollS: number | null; // first poll answering another region, minus the SIGSTOP
  readonly logS: number | null; // time of the failover log line, minus the SIGSTOP
  readonly phaseS: number;
  /** When the first probe after the outage was sent: CRITICAL log time − timeout, minus the SIGSTOP. */
  readonly firstProbeS?: number | null;
  readonly error?: string;
}

async function trial(p: Profile): Promise<Trial> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-bench-fd-'));
  const children: Child[] = [];
  let g: Geored | undefined;
  try {
    const ports = [await freePort(), await freePort()];
    for (const port of ports) children.push(await startRegionUas(port, dir));
    g = await startGeored({ dir, regionPorts: ports, health: p.health });
    const i = p.health.interval;
    if (!(await waitActive(g, 'region-1', (i * 3 + 20) * 1000))) {
      return { pollS: null, logS: null, phaseS: 0, error: 'region-1 never became active' };
    }
    // Outage phase uniformly random over one probe interval.
    const phaseS = Math.random() * i;
    await sleep(phaseS * 1000);
    const t0 = Date.now();
    children[0]!.pause();
    const bound = (p.health.timeout * p.health.retry_count + i * 2 + 10) * 1000;
    const change = await waitActiveChange(g, 'region-1', bound);
    if (!change) return { pollS: null, logS: null, phaseS, error: `no change within ${bound} ms` };
    await sleep(200); // let the log line reach the file
    const logT = failoverLogTime(g, change.to, t0);
    const critical = healthLogTime(g, 'region-1', 'critical', t0);
    return {
      pollS: (change.at - t0) / 1000,
      logS: logT === null ? null : (logT - t0) / 1000,
      phaseS,
      firstProbeS: critical === null ? null : (critical - t0) / 1000 - p.health.timeout,
    };
  } catch (err) {
    return {
      pollS: null,
      logS: null,
      phaseS: 0,
      error: err instanceof Error ? err.message.split('\n')[0]! : String(err),
    };
  } finally {
    await g?.stop();
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function verdict(values: number[], p: Profile): string {
  if (values.length === 0) return 'not measured';
  const worst = Math.max(...values);
  return (p.strict ? worst < p.targetS : worst <= p.targetS) ? 'met' : 'NOT met';
}

export const section: BenchSection = {
  name: 'failover-detect',
  about:
    'Issue 3: time from blackholing the active region (SIGSTOP of its sipp UAS answering OPTIONS) to the ' +
    'active-region change of the real `geored serve`, outage phase random over one probe interval, fresh geored ' +
    'per trial. Detected two ways: polling `GET .../active-region` every 10 ms (upper bound, includes the ' +
    'poll period and HTTP round trip) and the `time` of the failover log line (the switch itself; the more ' +
    'precise figure). Targets: defaults ≤ timeout × retry_count + 100 ms = 30.1 s; fast profile < 0.6 s. ' +
    "Reference in the same run: Kamailio's dispatcher, `run.sh failover 10 10` with FAILROUTE=0 PING=1 " +
    'THRESH=3 (DSDOWN time in its log minus the SIGSTOP).',
  async run() {
    const lines: string[] = [
      '| system / profile | trials | log: p50 | log: max | poll: p50 | poll: max | target | |',
      '|---|---:|---:|---:|---:|---:|---:|---|',
    ];
    const notes: string[] = [];
    // Kamailio first: it does not depend on geored.
    if (kamailioAvailable()) {
      const downs: number[] = [];
      for (let k = 0; k < 3; k++) {
        try {
          const r = await kamailioFailover(10, 10, { FAILROUTE: '0', PING: '1', THRESH: '3' });
          if (r.downAfterS === null) notes.push(`Kamailio trial ${k + 1}: no DSDOWN in its log`);
          else downs.push(r.downAfterS);
        } catch (err) {
          notes.push(
            `Kamailio trial ${k + 1}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
          );
        }
      }
      lines.push(
        `| Kamailio dispatcher (ping 1 s, 3 failures) | ${downs.length} | ${fmtS(median(downs))} | ${fmtS(Math.max(...downs))} | | | (reference) | |`,
      );
    } else notes.push('Kamailio reference not available (kamailio, sipp or run.sh missing).');

    for (const p of PROFILES) {
      const trials = p.parallel
        ? await Promise.all(Array.from({ length: p.trials }, () => trial(p)))
        : await (async () => {
            const out: Trial[] = [];
            for (let k = 0; k < p.trials; k++) out.push(await trial(p));
            return out;
          })();
      const ok = trials.filter((t) => t.pollS !== null);
      const logs = ok.map((t) => t.logS).filter((v): v is number => v !== null);
      const polls = ok.map((t) => t.pollS!);
      for (const [k, t] of trials.entries())
        if (t.error) notes.push(`geored ${p.name}, trial ${k + 1}: ${t.error}`);
      const best = logs.length === ok.length && logs.length > 0 ? logs : polls;
      lines.push(
        `| geored ${p.name} | ${ok.length}/${p.trials} | ${fmtS(median(logs))} | ${fmtS(logs.length ? Math.max(...logs) : NaN)} | ${fmtS(median(polls))} | ${fmtS(polls.length ? Math.max(...polls) : NaN)} | ${p.strict ? '<' : '≤'} ${p.targetS} s | ${verdict(best, p)} |`,
      );
      notes.push(
        `geored ${p.name}: per trial (first probe after the outage → switch by log / by poll): ` +
          ok
            .map((t) => `${fmtS(t.firstProbeS ?? NaN)} → ${fmtS(t.logS ?? NaN)} / ${fmtS(t.pollS!)}`)
            .join('; '),
      );
      const waits = ok.map((t) => t.firstProbeS).filter((v): v is number => typeof v === 'number');
      const confirm = ok
        .filter((t) => typeof t.firstProbeS === 'number' && t.logS !== null)
        .map((t) => t.logS! - t.firstProbeS!);
      if (waits.length > 0) {
        notes.push(
          `geored ${p.name}: wait for the first probe after the outage p50 ${fmtS(median(waits))}, max ${fmtS(Math.max(...waits))}; ` +
            `from that probe to the switch p50 ${fmtS(median(confirm))}, max ${fmtS(Math.max(...confirm))} ` +
            `(timeout × retry_count = ${fmtS(p.health.timeout * p.health.retry_count)}).`,
        );
      }
    }
    return [...lines, '', ...notes.map((n) => `- ${n}`)].join('\n');
  },
};
