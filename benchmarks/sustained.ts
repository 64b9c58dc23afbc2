/**
 * Issue 13: geored against Kamailio measured so that each figure means what it says, in the same run.
 *
 * - cpu-per-call: CPU time per call at 100 calls/s, geored and Kamailio alternated (K, G, K, G, …) so that
 *   both see the same machine load; the ratio of each pair, its median and spread.
 * - capacity: steps of at least 60 s at each rate; per step CPU use, failed setups and setup time; the
 *   capacity is the highest rate where failed setups < 0.1 % and setup p99 < 100 ms for the whole step.
 * - wire-latency: tcpdump on loopback, from a datagram's arrival at the proxy's port to the proxy's datagram
 *   out (see lib/wire.ts), geored and Kamailio at 100 calls/s.
 * - memory: RSS and V8 heap of geored sampled along 100,000 calls.
 *
 * Both proxies carry the same traffic: the anchor's pbx-uac.xml (1 s calls honouring Record-Route) and
 * region-uas.xml, with the same sipp arguments as ../shared/anchors/kamailio/run.sh, which runs Kamailio.
 * Environment: BENCH_CPU_RUNS (pairs, default 3), BENCH_CPU_CALLS (default 2000), BENCH_STEPS (default
 * "100,200,300,400,600"), BENCH_STEP_SECONDS (default 60), BENCH_MEMORY_CALLS (default 100000),
 * BENCH_MEMORY_RATE (default 100), BENCH_LATENCY_CALLS (default 3000), BENCH_GEORED_NODE_ARGS (Node flags
 * for geored, space-separated).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSection } from './run';
import { uac, withGeored, type Env } from './lib/geored-env';
import { kamailioAvailable, kamailioCps, type KamailioCps } from './lib/kamailio';
import { sleep } from './lib/processes';
import {
  elapsedSeconds,
  repartitionQuantile,
  setupRepartition,
  shareAtLeast,
  type UacResult,
} from './lib/sipp';
import { fmtMs, median, percentile } from './lib/stats';
import { addedLatencies, KINDS, readPcap, startCapture, tcpdumpAvailable } from './lib/wire';

const RATE = 100;
const env = (name: string, dflt: string): string => process.env[name] ?? dflt;
const CPU_RUNS = Number(env('BENCH_CPU_RUNS', '3'));
const CPU_CALLS = Number(env('BENCH_CPU_CALLS', '2000'));
const STEPS = env('BENCH_STEPS', '100,200,300,400,600').split(',').map(Number);
const STEP_SECONDS = Number(env('BENCH_STEP_SECONDS', '60'));
const MEMORY_CALLS = Number(env('BENCH_MEMORY_CALLS', '100000'));
const MEMORY_RATE = Number(env('BENCH_MEMORY_RATE', '100'));
const LATENCY_CALLS = Number(env('BENCH_LATENCY_CALLS', '3000'));
const NODE_ARGS = env('BENCH_GEORED_NODE_ARGS', '').split(' ').filter(Boolean);
/**
 * Calls placed through a fresh geored before a measured run, not counted: production runs one long-lived
 * process whose code V8 has compiled; a fresh one spends its first seconds compiling (Kamailio, in C, has no
 * such phase). perf on a fresh geored at 100 calls/s (docs/benchmarks.md, call-path profile round 3) found
 * TurboFan at 10–11 % of the samples 10–20 s after start and 1–3 % from 25 s on: 3,000 calls (30 s) reach
 * the settled process. The CPU of the warm-up calls is printed too, as the cold figure.
 * BENCH_WARMUP_CALLS=0 measures the cold process only.
 */
const WARMUP_CALLS = Number(env('BENCH_WARMUP_CALLS', '3000'));
// geored writes call records in batches every 500 ms: the CPU reading waits for the last batch.
const RECORD_FLUSH_SETTLE_MS = 750;
const MAX_FAILED = 0.001;
/** A step counts only when sipp placed its calls at 95 % of the rate or more. */
const PLACED_SHARE = 0.95;
const MAX_P99_MS = 100;

const errText = (err: unknown): string => (err instanceof Error ? err.message.split('\n')[0]! : String(err));
/** `cpu`: the cpu-per-call section, which prints the warm-up calls' CPU as its cold column. */
const nodeArgsNote = (section: 'cpu' | 'other' = 'other'): string =>
  (NODE_ARGS.length > 0 ? ` geored ran with Node flags \`${NODE_ARGS.join(' ')}\`.` : '') +
  (WARMUP_CALLS > 0
    ? ` Each fresh geored first carried ${WARMUP_CALLS} calls at ${RATE}/s, ` +
      (section === 'cpu'
        ? 'not counted in the ratio (a long-running process is warm; Kamailio has no warm-up); their CPU per call is the cold column.'
        : 'not measured (a long-running process is warm; Kamailio has no warm-up).')
    : ' geored measured cold (no warm-up calls).');
const geored = <T>(fn: (e: Env) => Promise<T>): Promise<T> => withGeored(fn, { nodeArgs: NODE_ARGS });

interface Run {
  readonly r: UacResult | KamailioCps;
  readonly cpuSeconds: number;
  readonly elapsedS: number;
}

async function georedRun(
  e: Env,
  rate: number,
  calls: number,
  rtt = false,
): Promise<Run & { r: UacResult; coldCpuSeconds: number | null }> {
  let coldCpuSeconds: number | null = null;
  if (WARMUP_CALLS > 0) {
    const w0 = e.g.cpuSeconds();
    await uac(e, RATE, WARMUP_CALLS);
    await sleep(RECORD_FLUSH_SETTLE_MS);
    coldCpuSeconds = e.g.cpuSeconds() - w0;
    await sleep(1000 - RECORD_FLUSH_SETTLE_MS);
  }
  const c0 = e.g.cpuSeconds();
  const r = await uac(e, rate, calls, rtt);
  await sleep(RECORD_FLUSH_SETTLE_MS);
  return { r, cpuSeconds: e.g.cpuSeconds() - c0, elapsedS: elapsedSeconds(r.stats), coldCpuSeconds };
}

async function kamailioRun(rate: number, calls: number): Promise<Run> {
  const k = await kamailioCps(rate, calls);
  return { r: k, cpuSeconds: k.cpuSeconds, elapsedS: k.elapsedS };
}

const usPerCall = (run: Run, calls: number): number => (run.cpuSeconds * 1e6) / calls;

export const cpuSection: BenchSection = {
  name: 'cpu-per-call',
  about:
    `Issue 13: CPU time (user + system, /proc) per call at ${RATE} calls/s, ${CPU_CALLS} calls of 1 s per run, ` +
    'Record-Route, call records on (SQLite, the default store), metrics on, log level info: the real ' +
    '`geored serve` of the compiled build (dist/) against Kamailio 5.6 by `../shared/anchors/kamailio/run.sh ' +
    `cps\` (dispatcher, 4 children), alternated Kamailio, geored, … for ${CPU_RUNS} pairs in the same run. ` +
    'Target: ratio ≤ 1.0. The ratio of each pair is the regression figure: compare it across commits.',
  async run() {
    if (!kamailioAvailable()) return '- Kamailio reference not available (kamailio, sipp or run.sh missing).';
    const coldHead = WARMUP_CALLS > 0 ? ` geored's first ${WARMUP_CALLS} calls µs/call (cold) |` : '';
    const rows = [
      `| pair | Kamailio µs/call | geored µs/call | ratio | failed setups K / G |${coldHead}`,
      `|---|---:|---:|---:|---|${WARMUP_CALLS > 0 ? '---:|' : ''}`,
    ];
    const ratios: number[] = [];
    const colds: number[] = [];
    const gs: number[] = [];
    const ks: number[] = [];
    const notes: string[] = [];
    for (let i = 1; i <= CPU_RUNS; i++) {
      try {
        const k = await kamailioRun(RATE, CPU_CALLS);
        const g = await geored((e) => georedRun(e, RATE, CPU_CALLS));
        const ku = usPerCall(k, CPU_CALLS);
        const gu = usPerCall(g, CPU_CALLS);
        ratios.push(gu / ku);
        gs.push(gu);
        ks.push(ku);
        const cold = g.coldCpuSeconds === null ? null : (g.coldCpuSeconds * 1e6) / WARMUP_CALLS;
        if (cold !== null) colds.push(cold);
        rows.push(
          `| ${i} | ${ku.toFixed(0)} | ${gu.toFixed(0)} | ${(gu / ku).toFixed(2)} | ${k.r.failedSetups}/${k.r.sent} / ${g.r.failedSetups}/${g.r.sent} |${cold === null ? '' : ` ${cold.toFixed(0)} |`}`,
        );
      } catch (err) {
        notes.push(`pair ${i}: ${errText(err)}`);
      }
    }
    const span = (v: number[], d = 0): string =>
      v.length
        ? `${median(v).toFixed(d)} (${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)})`
        : 'n/a';
    rows.push(
      `| median (min–max) | ${span(ks)} | ${span(gs)} | ${span(ratios, 2)} | target ≤ 1.0: ${ratios.length ? (median(ratios) <= 1 ? 'met' : 'NOT met') : 'not measured'} |${WARMUP_CALLS > 0 ? ` ${span(colds)} |` : ''}`,
    );
    notes.push(
      `CPU of geored read ${RECORD_FLUSH_SETTLE_MS} ms after sipp's last call (the last batch of call records is counted); ` +
        "Kamailio's is run.sh's reading of its processes around sipp's run." +
        nodeArgsNote('cpu'),
    );
    return [...rows, '', ...notes.map((n) => `- ${n}`)].join('\n');
  },
};

interface Step {
  readonly rate: number;
  readonly sent: number;
  readonly failed: number;
  readonly coreShare: number; // CPU seconds / wall seconds of the step
  /** Calls per second sipp really placed: its calls over its run less the last call's 1 s. */
  readonly placed: number;
  readonly p50: string;
  readonly p99: string;
  /** Share of setups ≥ 100 ms (sipp's repartition). */
  readonly slow: number;
  readonly exact?: { p50: number; p99: number; max: number };
  readonly ok: boolean;
}

function step(rate: number, run: Run): Step {
  const r = run.r;
  const rep = setupRepartition(r.stats);
  const slow = shareAtLeast(rep, MAX_P99_MS);
  const failRatio = r.sent > 0 ? r.failedSetups / r.sent : NaN;
  const rtts = 'rtts' in r ? r.rtts.map((x) => x.ms) : [];
  const placed = r.sent / Math.max(1, run.elapsedS - 1);
  return {
    rate,
    sent: r.sent,
    failed: r.failedSetups,
    coreShare: run.cpuSeconds / run.elapsedS,
    placed,
    p50: repartitionQuantile(rep, 0.5),
    p99: repartitionQuantile(rep, 0.99),
    slow,
    ...(rtts.length > 0 && {
      exact: { p50: percentile(rtts, 0.5), p99: percentile(rtts, 0.99), max: Math.max(...rtts) },
    }),
    // p99 < 100 ms ⇔ fewer than 1 % of the setups took 100 ms or more.
    // A step sipp could not place at its rate (the machine's two cores are shared with it) tested a lower
    // rate than it names: not held, whatever the proxy did.
    ok: failRatio < MAX_FAILED && slow < 0.01 && placed >= rate * PLACED_SHARE,
  };
}

export const capacitySection: BenchSection = {
  name: 'capacity',
  about:
    `Issue 13: sustained capacity. Steps of ${STEP_SECONDS} s of 1 s calls at ${STEPS.join(', ')} calls/s, a fresh ` +
    'proxy per step, Kamailio (run.sh cps) and geored (`geored serve`, dist/) alternated at each rate. Per ' +
    'step: CPU use of the proxy (CPU seconds / wall seconds of the step; 2 cores = 200 %), failed setups ' +
    "(INVITEs sent − 200s received, as run.sh counts them), setup time (INVITE→200 at the PBX: sipp's " +
    'ResponseTimeRepartition1 buckets for both, and for geored also every call with -trace_rtt, 1 ms ' +
    `resolution). Capacity = the highest rate at which failed setups < ${MAX_FAILED * 100} % and setup p99 < ${MAX_P99_MS} ms ` +
    `for the whole step, sipp having placed the calls at ${PLACED_SHARE * 100} % of the rate or more (placed at: its ` +
    'calls over its run less the last 1 s call; a step sipp could not place tested a lower rate than it names); ' +
    'a proxy stops at its first failed step.',
  async run() {
    const rows = [
      '| rate | proxy | placed at | failed setups | CPU use | setup p50 / p99 (sipp buckets) | setups ≥ 100 ms | geored exact p50 / p99 / max | step |',
      '|---:|---|---:|---|---:|---|---:|---|---|',
    ];
    const notes: string[] = [];
    const best: Record<string, number> = { Kamailio: 0, geored: 0 };
    const stopped: Record<string, boolean> = { Kamailio: !kamailioAvailable(), geored: false };
    if (stopped['Kamailio'])
      notes.push('Kamailio reference not available (kamailio, sipp or run.sh missing).');
    for (const rate of STEPS) {
      const calls = rate * STEP_SECONDS;
      for (const who of ['Kamailio', 'geored'] as const) {
        if (stopped[who]) continue;
        let s: Step;
        try {
          const run =
            who === 'Kamailio'
              ? await kamailioRun(rate, calls)
              : await geored((e) => georedRun(e, rate, calls, true));
          s = step(rate, run);
        } catch (err) {
          rows.push(`| ${rate} | ${who} | | ${errText(err)} | | | | | failed |`);
          stopped[who] = true;
          continue;
        }
        rows.push(
          `| ${rate}/s | ${who} | ${s.placed.toFixed(0)}/s | ${s.failed}/${s.sent} | ${(s.coreShare * 100).toFixed(0)} % | ${s.p50} / ${s.p99} | ${(s.slow * 100).toFixed(2)} % | ${s.exact ? `${fmtMs(s.exact.p50, 0)} / ${fmtMs(s.exact.p99, 0)} / ${fmtMs(s.exact.max, 0)}` : ''} | ${s.ok ? 'held' : 'NOT held'} |`,
        );
        if (s.ok) best[who] = rate;
        else stopped[who] = true;
      }
    }
    const k = best['Kamailio']!;
    const g = best['geored']!;
    rows.push(
      '',
      `Capacity: geored ${g}/s, Kamailio ${k}/s${k > 0 ? ` (ratio ${(g / k).toFixed(2)}; target ≥ 1.0: ${g >= k ? 'met' : 'NOT met'})` : ''}. ` +
        `A rate not listed for a proxy was not run: it had failed the step before; the top step (${STEPS[STEPS.length - 1]}/s) held means the capacity is at least that.`,
    );
    notes.push(
      "Setup p50/p99 from sipp's buckets (< 10, < 20, < 30, < 40, < 50, < 100, < 150, < 200, ≥ 200 ms): the bucket that holds the quantile.",
    );
    notes.push(nodeArgsNote().trim() || 'geored ran with no extra Node flags.');
    return [...rows, '', ...notes.map((n) => `- ${n}`)].join('\n');
  },
};

function latencyRows(who: string, byKind: Map<string, number[]>): string[] {
  return KINDS.map((kind) => {
    const v = byKind.get(kind) ?? [];
    const q = (p: number): string => (v.length ? (percentile(v, p) / 1000).toFixed(3) : 'n/a');
    const p99 = v.length ? percentile(v, 0.99) / 1000 : NaN;
    return `| ${who} | ${kind} | ${v.length} | ${q(0.5)} | ${q(0.99)} | ${v.length ? (Math.max(...v) / 1000).toFixed(3) : 'n/a'} | ${Number.isFinite(p99) ? (p99 < 2 ? 'met' : 'NOT met') : 'not measured'} |`;
  });
}

export const latencySection: BenchSection = {
  name: 'wire-latency',
  about:
    `Issue 13: latency added by the proxy on the wire at ${RATE} calls/s (${LATENCY_CALLS} calls of 1 s): tcpdump on ` +
    "loopback captures every datagram to and from the proxy's port; each message out is paired with the " +
    'message in that caused it (same kind, same Call-ID; first copies only), and the figure is the time between ' +
    "the two captures (the kernel's timestamps, µs): the wait in the socket buffer, parsing, routing and the " +
    'send included. geored (`geored serve`, dist/) and Kamailio (run.sh cps, port 5160) in the same run. ' +
    (WARMUP_CALLS > 0 ? `geored first carried ${WARMUP_CALLS} calls, not captured. ` : '') +
    'Target: p99 < 2 ms.',
  async run() {
    if (!tcpdumpAvailable())
      return '- tcpdump not available (Debian package tcpdump, run as root): not measured.';
    const rows = [
      '| proxy | message | pairs | p50 (ms) | p99 (ms) | max (ms) | p99 < 2 ms |',
      '|---|---|---:|---:|---:|---:|---|',
    ];
    const notes: string[] = [];
    try {
      const g = await geored(async (e) => {
        // The same warm-up as cpu-per-call: the figure is a long-running process's, not its first seconds'.
        if (WARMUP_CALLS > 0) await uac(e, RATE, WARMUP_CALLS);
        const file = join(e.dir, 'geored.pcap');
        const cap = await startCapture(e.g.sipPort, file);
        let r: UacResult;
        try {
          r = await uac(e, RATE, LATENCY_CALLS);
        } finally {
          await sleep(200);
          await cap.stop();
        }
        return { r, lat: addedLatencies(readPcap(file), e.g.sipPort) };
      });
      rows.push(...latencyRows('geored', g.lat));
      notes.push(`geored: ${g.r.failedSetups}/${g.r.sent} failed setups during the capture.`);
    } catch (err) {
      notes.push(`geored: ${errText(err)}`);
    }
    if (kamailioAvailable()) {
      try {
        const file = `/tmp/geored-bench-kamailio-${process.pid}.pcap`;
        const cap = await startCapture(5160, file); // run.sh's fixed Kamailio port
        let k: KamailioCps;
        try {
          k = await kamailioCps(RATE, LATENCY_CALLS);
        } finally {
          await sleep(200);
          await cap.stop();
        }
        rows.push(...latencyRows('Kamailio', addedLatencies(readPcap(file), 5160)));
        notes.push(`Kamailio: ${k.failedSetups}/${k.sent} failed setups during the capture.`);
      } catch (err) {
        notes.push(`Kamailio: ${errText(err)}`);
      }
    } else notes.push('Kamailio reference not available.');
    notes.push(
      'tcpdump itself costs CPU in the sender of each datagram: these runs are not the CPU-per-call runs.' +
        nodeArgsNote(),
    );
    return [...rows, '', ...notes.map((n) => `- ${n}`)].join('\n');
  },
};

function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

function metricValue(text: string, name: string, labels = ''): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(name + (labels ? `{${labels}` : ' ')) || line.startsWith(`${name}{`)) {
      if (labels && !line.includes(labels)) continue;
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return NaN;
}

export const memorySection: BenchSection = {
  name: 'memory',
  about:
    `Issue 13: memory of \`geored serve\` (dist/) over ${MEMORY_CALLS.toLocaleString('en')} calls of 1 s at ${MEMORY_RATE} ` +
    'calls/s (call records on, SQLite): RSS (/proc) and V8 heap used and old space used (/metrics) sampled every ' +
    '10 s. Flat means no growth after warm-up: the last third of the samples against the samples after the first ' +
    '10 % of the calls.',
  async run() {
    const samples: Array<{ t: number; calls: number; rss: number; heap: number; old: number }> = [];
    const out = await geored(async (e) => {
      const t0 = Date.now();
      const running = uac(e, MEMORY_RATE, MEMORY_CALLS);
      let done = false;
      void running.finally(() => (done = true));
      while (!done) {
        const m = await e.g.metrics().catch(() => '');
        const t = (Date.now() - t0) / 1000;
        samples.push({
          t,
          calls: Math.min(MEMORY_CALLS, Math.round(t * MEMORY_RATE)),
          rss: rssMiB(e.g.child.pid),
          heap: metricValue(m, 'geored_nodejs_heap_size_used_bytes') / 2 ** 20,
          old: metricValue(m, 'geored_nodejs_heap_space_size_used_bytes', 'space="old"') / 2 ** 20,
        });
        for (let i = 0; i < 100 && !done; i++) await sleep(100);
      }
      const r = await running;
      await sleep(2000);
      const records = await e.g
        .get<{ total?: number; calls?: unknown[] }>('/api/calls?limit=1')
        .catch(() => null);
      return { r, records };
    });
    const rows = [
      '| t (s) | calls placed | RSS (MiB) | heap used (MiB) | old space used (MiB) |',
      '|---:|---:|---:|---:|---:|',
    ];
    const every = Math.max(1, Math.ceil(samples.length / 30));
    samples.forEach((s, i) => {
      if (i % every === 0 || i === samples.length - 1)
        rows.push(
          `| ${s.t.toFixed(0)} | ${s.calls} | ${s.rss.toFixed(1)} | ${s.heap.toFixed(1)} | ${s.old.toFixed(1)} |`,
        );
    });
    const warm = samples.filter((s) => s.calls >= MEMORY_CALLS * 0.1);
    const last = warm.slice(Math.floor((warm.length * 2) / 3));
    const early = warm.slice(0, Math.max(1, Math.floor(warm.length / 3)));
    const avg = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const growth = (k: 'rss' | 'heap' | 'old'): string => {
      const a = avg(early.map((s) => s[k]));
      const b = avg(last.map((s) => s[k]));
      return `${a.toFixed(1)} → ${b.toFixed(1)} MiB (${(((b - a) / a) * 100).toFixed(1)} %)`;
    };
    const notes = [
      `${out.r.sent} calls placed, ${out.r.failedSetups} failed setups; ${samples.length} samples.`,
      `mean of the first third after warm-up → mean of the last third: RSS ${growth('rss')}, heap used ${growth('heap')}, old space used ${growth('old')}.`,
      'Heap used moves with each garbage collection (samples fall anywhere between two); the old space and RSS show growth. No warm-up calls here.' +
        (NODE_ARGS.length > 0 ? ` geored ran with Node flags \`${NODE_ARGS.join(' ')}\`.` : ''),
    ];
    return [...rows, '', ...notes.map((n) => `- ${n}`)].join('\n');
  },
};
