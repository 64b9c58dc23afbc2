/**
 * Kamailio measured by its reference script, ../shared/anchors/kamailio/run.sh, called as a child process
 * and its output parsed. The script starts kamailio and two sipp regions on fixed ports (5160, 5171, 5172,
 * 5190) and kills them itself on exit; if it has to be stopped early, whatever it left is found by its
 * work directory (kamailio) or by being new since the start (its -bg sipp regions) and killed by pid.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ANCHOR_DIR, elapsedSeconds, lastStats } from './sipp';
import { pidsByCmdline, sleep, startChild } from './processes';

export const RUN_SH = `${ANCHOR_DIR}/run.sh`;

export interface KamailioCps {
  readonly rate: number;
  readonly calls: number;
  readonly sent: number;
  readonly answered: number;
  readonly failedSetups: number;
  readonly cpuSeconds: number;
  readonly cpuUsPerCall: number;
  /** sipp's cumulative mean INVITE→200 through Kamailio, ms (sipp's 1 ms resolution). */
  readonly meanSetupMs: number;
  /** sipp's run time, s (from its -trace_stat CSV). */
  readonly elapsedS: number;
  /** The last row of the PBX sipp's -trace_stat CSV (run.sh leaves it in its work directory). */
  readonly stats: Record<string, string>;
  readonly raw: string;
}

export interface KamailioFailover {
  readonly rate: number;
  readonly sent: number;
  readonly answered: number;
  readonly failedSetups: number;
  /** DSDOWN time minus outage time, s (null when Kamailio never marked region 1 down). */
  readonly downAfterS: number | null;
  readonly raw: string;
}

function num(re: RegExp, text: string): number {
  const m = re.exec(text);
  return m ? Number(m[1]) : NaN;
}

function setups(text: string): { sent: number; answered: number; failedSetups: number } {
  const m = /setups: (\d+) sent, (\d+) answered, (-?\d+) failed/.exec(text);
  return m
    ? { sent: Number(m[1]), answered: Number(m[2]), failedSetups: Number(m[3]) }
    : { sent: NaN, answered: NaN, failedSetups: NaN };
}

/** Runs run.sh with `args` and `env`, bounded by `timeoutMs`; returns its stdout + stderr. */
async function runScript(args: string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  const uasBefore = new Set(pidsByCmdline('sipp', `${ANCHOR_DIR}/region-uas.xml`));
  const child = startChild('run.sh', 'bash', [RUN_SH, ...args], {
    env: { ...process.env, ...env },
    cwd: '/tmp',
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void child.stop(5000); // SIGTERM: run.sh's EXIT trap cleans up
  }, timeoutMs);
  try {
    await child.exited;
  } finally {
    clearTimeout(timer);
    await child.stop();
  }
  const out = child.output();
  // Belt and braces: kamailio of this run (by its work dir) and, after a timeout, the sipp regions it started.
  const work = /work dir: (\S+)/.exec(out)?.[1];
  const leftovers = work ? pidsByCmdline('kamailio', `${work}/kamailio.cfg`) : [];
  if (timedOut) {
    for (const pid of pidsByCmdline('sipp', `${ANCHOR_DIR}/region-uas.xml`)) {
      if (!uasBefore.has(pid)) leftovers.push(pid);
    }
  }
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (timedOut) throw new Error(`run.sh ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${out}`);
  await sleep(300); // let the kernel release run.sh's fixed ports before the next run
  return out;
}

/** `run.sh cps RATE CALLS`: failed setups and Kamailio's CPU per call. */
export async function kamailioCps(
  rate: number,
  calls: number,
  env: Record<string, string> = {},
): Promise<KamailioCps> {
  const raw = await runScript(['cps', String(rate), String(calls)], env, (calls / rate) * 1000 + 90_000);
  const s = setups(raw);
  const cpuSeconds = num(/kamailio cpu: ([\d.]+) s/, raw);
  const rt = /ResponseTime1\(C\)=(\S+)/.exec(raw)?.[1] ?? '';
  const m = /^(\d+):(\d+):(\d+):(\d+)$/.exec(rt);
  const meanSetupMs = m
    ? (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000 + Number(m[4]) / 1000
    : NaN;
  const work = /work dir: (\S+)/.exec(raw)?.[1];
  const stats = work ? lastStats(`${work}/uac.csv`) : {};
  return {
    rate,
    calls,
    ...s,
    elapsedS: elapsedSeconds(stats),
    stats,
    cpuSeconds,
    cpuUsPerCall: num(/= (\d+) us\/call/, raw),
    meanSetupMs,
    raw,
  };
}

/** `run.sh failover RATE SECONDS`: region 1 SIGSTOPped after 5 s; failed setups and DSDOWN − outage. */
export async function kamailioFailover(
  rate: number,
  seconds: number,
  env: Record<string, string>,
): Promise<KamailioFailover> {
  const raw = await runScript(['failover', String(rate), String(seconds)], env, seconds * 1000 + 90_000);
  const down = num(/DSDOWN \S+ (\d+\.\d+)/, raw);
  const outage = num(/outage at (\d+\.\d+)/, raw);
  return {
    rate,
    ...setups(raw),
    downAfterS: Number.isFinite(down) && Number.isFinite(outage) ? down - outage : null,
    raw,
  };
}

/** True when the Kamailio reference can run here. */
export function kamailioAvailable(): boolean {
  return existsSync('/usr/sbin/kamailio') && existsSync('/usr/bin/sipp') && existsSync(RUN_SH);
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
