/**
 * Where geored's CPU goes, from `perf record` (real CPU samples of every thread; --cpu-prof samples wall
 * time, so a send pre-empted by its receiver on a loaded machine is counted in full). serve-cpu.ts
 * --perf runs geored with --perf-basic-prof (so perf names JIT frames) and perf over the measured window;
 * this groups the samples' stacks: a sample counts for every group one of its frames matches, so the
 * groups overlap (parse runs inside receive) and are read one by one, not summed.
 */
import { execFileSync } from 'node:child_process';

/** Group name → substrings of a frame's symbol, any of which counts (JIT frames are `JS:*name file:line`). */
export const PERF_GROUPS: ReadonlyArray<readonly [string, string | readonly string[]]> = [
  ['UDP receive (dgram onMessage: everything a datagram causes)', 'JS:*onMessage node:dgram'],
  ['UDP send (dgram send, its JS and the sendmsg system call)', 'doSend node:dgram'],
  ['  of it the kernel (udp_sendmsg, loopback delivery)', 'udp_sendmsg'],
  ['SIP parse (parseMessage, parse)', ['parseMessage', 'JS:*parse file', 'JS:^parse file']],
  ['request semantics check (checkRequestSemantics, verdict)', ['checkRequestSemantics', 'verdict file']],
  ['Via (topVia, parseVia)', 'topVia'],
  ['serialize (toBuffer)', 'toBuffer'],
  ['proxy: new call (outbound)', 'JS:*outbound '],
  ['proxy: in-dialog requests (inDialog)', 'inDialog'],
  ['routing decision (routeCall)', 'routeCall'],
  ['health from call outcomes (reportCallOutcome)', 'reportCallOutcome'],
  [
    'health probes (OPTIONS checks, their results)',
    ['optionsTo', 'applyRound', 'runCheck ', 'JS:*probe ', 'JS:^probe '],
  ],
  ['failover loop (cycle, decideFailover)', ['decideFailover', 'JS:*cycle ', 'JS:^cycle ']],
  ['call records: the journal append', 'appendJournal'],
  ['call records: SQLite (better-sqlite3)', 'better_sqlite3'],
  ['prom-client', 'prom-client'],
  ['pino', '/pino/'],
  ['Node timers (processTimers)', 'processTimers'],
  ['promise jobs (RunMicrotasks)', 'RunMicrotasks'],
  ['garbage collection (any thread)', ['Heap::', 'Scaveng', 'MarkCompact', 'ConcurrentMarking', 'Sweeper']],
  ['  of it scavenges', 'Scaveng'],
  ['event-loop wait and wake-up (epoll, schedule)', 'epoll_pwait'],
];

export function perfGroups(dataFile: string, cpuUsPerCall: number): string {
  const text = execFileSync('perf', ['script', '-i', dataFile, '-F', 'ip,sym,dso'], {
    maxBuffer: 1 << 30,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let samples = 0;
  const hits = new Array<number>(PERF_GROUPS.length).fill(0);
  let frames: string[] = [];
  const flush = (): void => {
    if (frames.length === 0) return;
    samples++;
    PERF_GROUPS.forEach(([, pattern], i) => {
      const any = typeof pattern === 'string' ? [pattern] : pattern;
      if (frames.some((f) => any.some((p) => f.includes(p)))) hits[i]! += 1;
    });
    frames = [];
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') flush();
    else frames.push(line);
  }
  flush();
  const rows = ['| group | share of samples | µs per call |', '|---|---:|---:|'];
  PERF_GROUPS.forEach(([name], i) => {
    const share = samples === 0 ? 0 : hits[i]! / samples;
    rows.push(`| ${name} | ${(share * 100).toFixed(1)} % | ${Math.round(share * cpuUsPerCall)} |`);
  });
  return `${samples} samples\n${rows.join('\n')}`;
}
