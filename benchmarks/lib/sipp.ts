/**
 * sipp as the benchmarks use it, exactly as ../shared/anchors/kamailio/run.sh does: region UASes answering
 * OPTIONS and calls (region-uas.xml), and a PBX UAC placing 1 s calls that honour Record-Route
 * (pbx-uac.xml), with `-trace_stat` CSV and the final screen parsed here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, waitBound, type Child } from './processes';

// ../shared beside the repository, wherever it was cloned.
export const ANCHOR_DIR = fileURLToPath(new URL('../../../shared/anchors/kamailio', import.meta.url));
export const REGION_UAS = `${ANCHOR_DIR}/region-uas.xml`;
export const PBX_UAC = `${ANCHOR_DIR}/pbx-uac.xml`;

/** A region: sipp answering OPTIONS and calls on 127.0.0.1:port (foreground, so it is ours to SIGSTOP). */
export async function startRegionUas(port: number, cwd: string, scenario = REGION_UAS): Promise<Child> {
  const child = startChild(
    `sipp-uas:${port}`,
    'sipp',
    [
      '-sf',
      scenario,
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-nostdin',
      '-trace_err',
      '-error_file',
      join(cwd, `uas${port}.err`),
    ],
    { cwd },
  );
  await waitBound(port, 'udp', child);
  return child;
}

export interface UacOptions {
  readonly target: string; // host:port of the proxy
  readonly port: number; // the UAC's own port
  readonly rate: number;
  readonly calls: number;
  /** Concurrent call limit (-l); run.sh uses rate × 10 for cps, rate × 20 for failover. */
  readonly limit: number;
  readonly cwd: string;
  /** Write every call's INVITE→200 time (-trace_rtt -rtt_freq 1). */
  readonly rtt?: boolean;
  /** Upper bound on the run; the UAC is killed after it. */
  readonly timeoutMs?: number;
}

export interface UacResult {
  readonly sent: number; // INVITEs sent (first transmissions)
  readonly answered: number; // 200s to INVITE received (E-RTD1 row)
  readonly failedSetups: number;
  readonly successfulCalls: number;
  readonly failedCalls: number;
  /** Cumulative mean INVITE→200 (sipp ResponseTime1(C)), ms. */
  readonly meanSetupMs: number;
  /** Per call (with `rtt`): ms since sipp started, INVITE→200 ms (1 ms resolution). */
  readonly rtts: ReadonlyArray<{ atMs: number; ms: number }>;
  /** Wall-clock time sipp was started (epoch ms), to place `rtts` in time. */
  readonly startedAt: number;
  readonly screen: string;
  /** The last row of sipp's -trace_stat CSV (cumulative columns: ResponseTimeRepartition1_<10, …). */
  readonly stats: Record<string, string>;
}

/** Starts the PBX UAC; resolves with its parsed results when it exits (or is killed at the time bound). */
export function startUac(opts: UacOptions): { child: Child; result: Promise<UacResult> } {
  const csv = join(opts.cwd, `uac-${opts.port}.csv`);
  const args = [
    '-sf',
    PBX_UAC,
    opts.target,
    '-i',
    '127.0.0.1',
    '-p',
    String(opts.port),
    '-r',
    String(opts.rate),
    '-m',
    String(opts.calls),
    '-l',
    String(opts.limit),
    '-nostdin',
    '-trace_stat',
    '-stf',
    csv,
    '-fd',
    '1',
  ];
  if (opts.rtt) args.push('-trace_rtt', '-rtt_freq', '1');
  const startedAt = Date.now();
  const child = startChild(`sipp-uac:${opts.port}`, 'sipp', args, { cwd: opts.cwd });
  const bound = opts.timeoutMs ?? (opts.calls / opts.rate) * 1000 + 40_000;
  const result = (async (): Promise<UacResult> => {
    const timer = setTimeout(() => void child.stop(), bound);
    await child.exited;
    clearTimeout(timer);
    await child.stop();
    return parseUac(child.output(), csv, opts.cwd, child.pid, startedAt);
  })();
  return { child, result };
}

export async function runUac(opts: UacOptions): Promise<UacResult> {
  return startUac(opts).result;
}

/** "hh:mm:ss:uuuuuu" (sipp's time format) → ms. */
export function sippTimeMs(s: string | undefined): number {
  const m = /^(\d+):(\d+):(\d+):(\d+)$/.exec((s ?? '').trim());
  if (!m) return NaN;
  return (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000 + Number(m[4]) / 1000;
}

/** The last line of a -trace_stat CSV as a map from column name to value. */
export function lastStats(csvPath: string): Record<string, string> {
  let text = '';
  try {
    text = readFileSync(csvPath, 'utf8');
  } catch {
    return {};
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const head = (lines[0] ?? '').split(';');
  const last = (lines[lines.length - 1] ?? '').split(';');
  const out: Record<string, string> = {};
  head.forEach((h, i) => (out[h] = last[i] ?? ''));
  return out;
}

/** From sipp's final screen, like run.sh's awk: INVITEs sent and 200s received on the E-RTD1 row. */
export function parseScreen(screen: string): { sent: number; answered: number } {
  let sent = NaN;
  let answered = NaN;
  for (const line of screen.split('\n')) {
    const inv = /^\s*INVITE ---------->\s+(\d+)/.exec(line);
    if (inv) sent = Number(inv[1]);
    const ok = /^\s*200 <----------\s+E-RTD1\s+(\d+)/.exec(line);
    if (ok) answered = Number(ok[1]);
  }
  return { sent, answered };
}

function parseUac(screen: string, csv: string, cwd: string, pid: number, startedAt: number): UacResult {
  const { sent, answered } = parseScreen(screen);
  const stats = lastStats(csv);
  const rtts: Array<{ atMs: number; ms: number }> = [];
  const rttFile = readdirSync(cwd).find((f) => f.endsWith(`_${pid}_rtt.csv`));
  if (rttFile) {
    for (const line of readFileSync(join(cwd, rttFile), 'utf8').split('\n').slice(1)) {
      const [at, ms, no] = line.split(';');
      if (no?.trim() === '1') rtts.push({ atMs: Number(at), ms: Number(ms) });
    }
  }
  return {
    sent,
    answered,
    failedSetups: sent - answered,
    successfulCalls: Number(stats['SuccessfulCall(C)'] ?? NaN),
    failedCalls: Number(stats['FailedCall(C)'] ?? NaN),
    meanSetupMs: sippTimeMs(stats['ResponseTime1(C)']),
    rtts,
    startedAt,
    screen,
    stats,
  };
}

/** sipp's INVITE→200 histogram (ResponseTimeRepartition1, cumulative): [upper bound ms, count]; last = ≥ 200 ms. */
export function setupRepartition(stats: Record<string, string>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [k, v] of Object.entries(stats)) {
    const m = /^ResponseTimeRepartition1_(<|>=)(\d+)$/.exec(k);
    if (m) out.push([m[1] === '<' ? Number(m[2]) : Infinity, Number(v)]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** The bucket of sipp's repartition holding quantile q, as text ("< 10 ms", "100–150 ms", "≥ 200 ms"). */
export function repartitionQuantile(rep: Array<[number, number]>, q: number): string {
  const total = rep.reduce((t, [, n]) => t + n, 0);
  if (total === 0) return 'n/a';
  let seen = 0;
  let lo = 0;
  for (const [hi, n] of rep) {
    seen += n;
    if (seen >= q * total) {
      if (hi === Infinity) return `≥ ${lo} ms`;
      return lo === 0 ? `< ${hi} ms` : `${lo}–${hi} ms`;
    }
    lo = hi;
  }
  return 'n/a';
}

/** Share of the setups sipp timed at `boundMs` or more (needs a repartition bound at boundMs). */
export function shareAtLeast(rep: Array<[number, number]>, boundMs: number): number {
  const total = rep.reduce((t, [, n]) => t + n, 0);
  const slow = rep.filter(([hi]) => hi > boundMs).reduce((t, [, n]) => t + n, 0);
  return total > 0 ? slow / total : NaN;
}

/** Seconds from sipp's start to its last -trace_stat row (the epoch seconds ending StartTime and CurrentTime). */
export function elapsedSeconds(stats: Record<string, string>): number {
  const epoch = (v: string | undefined): number => Number(/(\d+\.\d+)\s*$/.exec(v ?? '')?.[1]);
  return epoch(stats['CurrentTime']) - epoch(stats['StartTime']);
}
