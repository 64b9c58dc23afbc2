/**
 * Issue 4, "How fast": the real `geored serve` as the proxy between sipp regions and a sipp PBX, beside
 * Kamailio's dispatcher measured by ../shared/anchors/kamailio/run.sh in the same run, with the same
 * scenarios (the anchor's pbx-uac.xml and region-uas.xml), the same sipp arguments and the same call counts.
 * BENCH_CALLS overrides the call count of the CPU run (default 2000); BENCH_SKIP_KAMAILIO=1 runs geored only
 * (for trying the harness; the comparison needs both).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports';
import type { BenchSection } from './run';
import { startGeored, waitActive, type Geored } from './lib/geored';
import { bucketAround, diffBuckets, parseHistogram, quantile, type Buckets } from './lib/histogram';
import { kamailioAvailable, kamailioCps, kamailioFailover, type KamailioFailover } from './lib/kamailio';
import { sleep, type Child } from './lib/processes';
import { runUac, startRegionUas, startUac, type UacResult } from './lib/sipp';
import { fmtMs, fmtS, median, percentile, ratio } from './lib/stats';

const RATE = 100;
const CALLS = Number(process.env['BENCH_CALLS'] ?? 2000);
const OUTAGE_SECONDS = 15; // run.sh failover 100 15: region 1 SIGSTOPped after 5 s
const PROVISIONAL_MS = 500;
// Probing like the fast profile of issue 3, so the dead region is also found by probes within ~0.5 s.
const HEALTH = { interval: 1, timeout: 0.25, retry_count: 2 };
const HISTOGRAM = 'geored_proxy_added_latency_seconds';
// geored writes call records in batches every 500 ms (src/proxy/defaults.ts, recordFlushMs): the CPU reading
// waits that long after sipp's last call, so the last batch is counted too.
const RECORD_FLUSH_SETTLE_MS = 750;

const errText = (err: unknown): string => (err instanceof Error ? err.message.split('\n')[0]! : String(err));

interface Env {
  readonly g: Geored;
  readonly regions: Child[];
  readonly dir: string;
}

/** Two sipp regions and a fresh `geored serve` in front of them, all stopped afterwards. */
async function withGeored<T>(fn: (env: Env) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-bench-proxy-'));
  const regions: Child[] = [];
  let g: Geored | undefined;
  try {
    const ports = [await freePort(), await freePort()];
    for (const port of ports) regions.push(await startRegionUas(port, dir));
    g = await startGeored({ dir, regionPorts: ports, health: HEALTH, provisionalTimeoutMs: PROVISIONAL_MS });
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

async function uac(env: Env, rate: number, calls: number, limit: number, rtt = false): Promise<UacResult> {
  return runUac({
    target: `127.0.0.1:${env.g.sipPort}`,
    port: await freePort(),
    rate,
    calls,
    limit,
    cwd: env.dir,
    rtt,
  });
}

interface GeoCps {
  readonly r: UacResult;
  readonly cpuSeconds: number;
  readonly invite: Buckets | null;
  readonly ok200: Buckets | null;
  /** SIP messages geored received during the run, by method or status (geored_sip_messages_in_total). */
  readonly messagesIn: Record<string, number>;
  /** geored log lines written during the run (info level: none expected per call). */
  readonly logLines: number;
}

function messagesIn(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^geored_sip_messages_in_total\{[^}]*value="([^"]+)"[^}]*\}\s+(\S+)/.exec(line);
    if (m) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  }
  return out;
}

async function geoCps(rate: number, calls: number): Promise<GeoCps> {
  return withGeored(async (env) => {
    const m0 = await env.g.metrics().catch(() => '');
    const l0 = env.g.logLines().length;
    const c0 = env.g.cpuSeconds();
    const r = await uac(env, rate, calls, rate * 10);
    await sleep(RECORD_FLUSH_SETTLE_MS);
    const c1 = env.g.cpuSeconds();
    const l1 = env.g.logLines().length;
    const m1 = await env.g.metrics().catch(() => '');
    const in0 = messagesIn(m0);
    const in1 = messagesIn(m1);
    const inDiff = Object.fromEntries(Object.entries(in1).map(([k, v]) => [k, v - (in0[k] ?? 0)]));
    const hist = (leg: string): Buckets | null => {
      const after = parseHistogram(m1, HISTOGRAM, { leg });
      if (after.bounds.length === 0) return null;
      return diffBuckets(after, parseHistogram(m0, HISTOGRAM, { leg }));
    };
    return {
      r,
      cpuSeconds: c1 - c0,
      invite: hist('invite'),
      ok200: hist('200'),
      messagesIn: inDiff,
      logLines: l1 - l0,
    };
  });
}

interface CallAttempt {
  region: string;
  outcome: string;
  started_at: string;
}
interface CallRecord {
  call_id: string;
  attempts: CallAttempt[];
  region: string | null;
  final_status: number | null;
  started_at: string;
  answered_at: string | null;
}

async function callsBetween(g: Geored, from: number, to: number): Promise<CallRecord[]> {
  const out: CallRecord[] = [];
  for (let t = from; t < to; t += 5000) {
    const q = `since=${new Date(t).toISOString()}&until=${new Date(Math.min(to, t + 5000)).toISOString()}&limit=1000`;
    const res = await g.get<{ calls?: CallRecord[] }>(`/api/calls?${q}`);
    if (res.status !== 200) throw new Error(`GET /api/calls answered ${res.status}`);
    out.push(...(res.body.calls ?? []));
  }
  return out;
}

interface GeoOutage {
  readonly r: UacResult;
  readonly caught: number;
  readonly extraP50Ms: number;
  readonly extraMaxMs: number;
  readonly sippMaxAfterMs: number;
  readonly sippBaselineMs: number;
  readonly lastDeadTryS: number;
  readonly triedDead: number;
  readonly recordsNote: string;
}

async function geoOutage(): Promise<GeoOutage> {
  return withGeored(async (env) => {
    const { child, result } = startUac({
      target: `127.0.0.1:${env.g.sipPort}`,
      port: await freePort(),
      rate: RATE,
      calls: RATE * OUTAGE_SECONDS,
      limit: RATE * 20,
      cwd: env.dir,
      rtt: true,
    });
    const startedAt = Date.now();
    await sleep(5000);
    const t0 = Date.now();
    if (!child.done()) env.regions[0]!.pause();
    const r = await result;
    // sipp's view: INVITE→200 of every call (1 ms resolution); call start = 200 time − setup time.
    const sippStart = (x: { atMs: number; ms: number }): number => r.startedAt + x.atMs - x.ms;
    const before = r.rtts.filter((x) => sippStart(x) < t0 - 1000).map((x) => x.ms);
    const after = r.rtts.filter((x) => sippStart(x) >= t0 - 1000).map((x) => x.ms);
    // geored's view: the call records, every region tried with its start time.
    let caught = 0;
    let extra: number[] = [];
    let lastDeadTryS = NaN;
    let triedDead = 0;
    let recordsNote = '';
    try {
      const recs = await callsBetween(env.g, startedAt - 1000, Date.now() + 1000);
      const setup = (c: CallRecord): number =>
        c.answered_at === null ? NaN : Date.parse(c.answered_at) - Date.parse(c.started_at);
      const baseline = median(
        recs
          .filter((c) => Date.parse(c.started_at) < t0 - 1000)
          .map(setup)
          .filter(Number.isFinite),
      );
      const dead = recs.filter((c) =>
        c.attempts.some((a) => a.region === 'region-1' && Date.parse(a.started_at) >= t0),
      );
      triedDead = dead.length;
      lastDeadTryS =
        dead.length === 0
          ? 0
          : (Math.max(
              ...dead.flatMap((c) =>
                c.attempts.filter((a) => a.region === 'region-1').map((a) => Date.parse(a.started_at)),
              ),
            ) -
              t0) /
            1000;
      const hit = recs.filter(
        (c) =>
          c.attempts.length > 1 &&
          c.attempts.some((a) => a.region === 'region-1' && a.outcome !== 'answered') &&
          Date.parse(c.started_at) >= t0 - 2 * PROVISIONAL_MS,
      );
      caught = hit.length;
      extra = hit.map((c) => setup(c) - baseline).filter(Number.isFinite);
      recordsNote = `${recs.length} call records read, baseline setup (records) ${fmtMs(baseline, 0)}`;
      // Which calls did not set up, by sipp's call number (Call-ID "N-pid@ip"), for a precise report.
      const seen = new Set<number>();
      for (const c of recs) {
        const n = /^(\d+)-\d+@/.exec(c.call_id);
        if (n) seen.add(Number(n[1]));
      }
      const notOk = recs.filter((c) => c.final_status !== 200);
      if (notOk.length > 0)
        recordsNote += `; records without a 200: ${notOk
          .slice(0, 5)
          .map(
            (c) =>
              `${c.call_id} started ${fmtS((Date.parse(c.started_at) - t0) / 1000)} after the outage, final ${c.final_status ?? 'none'}, tried ${c.attempts.map((a) => `${a.region}:${a.outcome}`).join('>')}`,
          )
          .join('; ')}`;
      if (seen.size > 0) {
        const missing: number[] = [];
        for (let i = 1; i <= r.sent; i++) if (!seen.has(i)) missing.push(i);
        if (missing.length > 0)
          recordsNote += `; sipp calls with no record in geored: ${missing.length} (call numbers ${missing
            .slice(0, 10)
            .join(
              ', ',
            )}; call ${missing[0]} was sent about ${fmtS((missing[0]! - 1) / RATE - (t0 - startedAt) / 1000)} after the outage)`;
      }
      const warn = env.g.logLines().filter((l) => typeof l.level === 'number' && l.level >= 40);
      if (warn.length > 0)
        recordsNote += `; geored logged ${warn.length} warnings/errors, first: ${JSON.stringify(warn[0]).slice(0, 300)}`;
    } catch (err) {
      recordsNote = `call records not readable: ${errText(err)}`;
    }
    return {
      r,
      caught,
      extraP50Ms: median(extra),
      extraMaxMs: extra.length ? Math.max(...extra) : NaN,
      sippMaxAfterMs: after.length ? Math.max(...after) : NaN,
      sippBaselineMs: median(before),
      lastDeadTryS,
      triedDead,
      recordsNote,
    };
  });
}

function qMs(b: Buckets | null, q: number): string {
  if (!b || b.count <= 0) return 'n/a';
  const v = quantile(b, q);
  const [lo, hi] = bucketAround(b, v);
  return `${(v * 1000).toFixed(3)} ms (bucket ${(lo * 1000).toFixed(3)}–${(hi * 1000).toFixed(3)} ms)`;
}

export const section: BenchSection = {
  name: 'proxy-vs-kamailio',
  about:
    'Issue 4: the real `geored serve` (fast probing: interval 1, timeout 0.25, retry_count 2; provisional ' +
    `timeout ${PROVISIONAL_MS} ms) between two sipp regions (region-uas.xml) and a sipp PBX (pbx-uac.xml, ` +
    '1 s calls honouring Record-Route), with the same scenarios and sipp arguments as ' +
    '`../shared/anchors/kamailio/run.sh`, which measures Kamailio 5.6 (dispatcher, 4 children) in the same run. ' +
    'Targets: CPU per call ratio ≤ 1.0 (one run each here; the `cpu-per-call` section alternates several); ' +
    'added latency p99 < 2 ms; sustained capacity is the `capacity` section; outage: 0 failed ' +
    `setups, extra setup delay ≤ ${PROVISIONAL_MS} ms, no new call tries the dead region after < 0.6 s. ` +
    'Failed setups = INVITEs sent − 200s received (sipp screen), as run.sh counts them.',
  async run() {
    const notes: string[] = [];
    const rows: string[] = [
      '| measurement | geored | Kamailio | ratio / target | |',
      '|---|---|---|---|---|',
    ];

    // ---- Kamailio (run.sh) ----
    let kCpuUs = NaN;
    let kFo0: KamailioFailover | null = null;
    let kFo1: KamailioFailover | null = null;
    let kCpuLine = 'n/a';
    if (process.env['BENCH_SKIP_KAMAILIO'] === '1') notes.push('Kamailio skipped (BENCH_SKIP_KAMAILIO=1).');
    else if (kamailioAvailable()) {
      try {
        const k = await kamailioCps(RATE, CALLS);
        kCpuUs = k.cpuUsPerCall;
        kCpuLine = `${k.cpuUsPerCall} µs/call (${k.failedSetups}/${k.sent} failed, mean setup ${fmtMs(k.meanSetupMs, 0)})`;
      } catch (err) {
        notes.push(`Kamailio cps: ${errText(err)}`);
      }
      for (const fr of ['0', '1']) {
        try {
          const f = await kamailioFailover(RATE, OUTAGE_SECONDS, { FAILROUTE: fr, PING: '1', THRESH: '3' });
          if (fr === '0') kFo0 = f;
          else kFo1 = f;
        } catch (err) {
          notes.push(`Kamailio failover FAILROUTE=${fr}: ${errText(err)}`);
        }
      }
    } else notes.push('Kamailio reference not available (kamailio, sipp or run.sh missing).');

    // ---- geored ----
    let wired = false;
    try {
      const smoke = await withGeored((env) => uac(env, 10, 20, 100));
      wired = smoke.answered > 0;
      if (!wired) {
        notes.push(
          `geored's proxy does not carry calls in \`geored serve\` yet: ${smoke.sent} INVITEs sent, ${smoke.answered} answered ` +
            '— CPU, capacity, added latency and outage figures of geored could not be measured.',
        );
      }
    } catch (err) {
      notes.push(`geored serve could not be run: ${errText(err)}`);
    }
    let gCpu: GeoCps | null = null;
    let gOut: GeoOutage | null = null;
    if (wired) {
      try {
        gCpu = await geoCps(RATE, CALLS);
      } catch (err) {
        notes.push(`geored cps: ${errText(err)}`);
      }
      try {
        gOut = await geoOutage();
      } catch (err) {
        notes.push(`geored outage: ${errText(err)}`);
      }
    }

    const gUs = gCpu ? (gCpu.cpuSeconds * 1e6) / CALLS : NaN;
    const cpuRatio = gUs / kCpuUs;
    rows.push(
      `| CPU per call, ${RATE}/s, ${CALLS} calls of 1 s | ${gCpu ? `${gUs.toFixed(0)} µs/call (${gCpu.r.failedSetups}/${gCpu.r.sent} failed, mean setup ${fmtMs(gCpu.r.meanSetupMs, 0)})` : 'n/a'} | ${kCpuLine} | ${ratio(gUs, kCpuUs)} (≤ 1.0) | ${Number.isFinite(cpuRatio) ? (cpuRatio <= 1 ? 'met' : 'NOT met') : 'not measured'} |`,
    );
    for (const [leg, b] of [
      ['INVITE in → INVITE out', gCpu?.invite ?? null],
      ['200 in → 200 out', gCpu?.ok200 ?? null],
    ] as const) {
      const p99 = b && b.count > 0 ? quantile(b, 0.99) : NaN;
      rows.push(
        `| added latency ${leg}, ${RATE}/s: p50 / p99 | ${qMs(b, 0.5)} / ${qMs(b, 0.99)} (${b?.count ?? 0} obs.) | | p99 < 2 ms | ${Number.isFinite(p99) ? (p99 < 0.002 ? 'met' : 'NOT met') : 'not measured'} |`,
      );
    }
    if (gCpu) {
      const m = gCpu.messagesIn;
      notes.push(
        `geored CPU run: geored received ${m['INVITE'] ?? 0} INVITE, ${m['ACK'] ?? 0} ACK, ${m['BYE'] ?? 0} BYE ` +
          `(ACK and BYE through the proxy, as with Kamailio's Record-Route), wrote ${gCpu.logLines} log lines ` +
          `at log level info; CPU read ${RECORD_FLUSH_SETTLE_MS} ms after sipp's last call, so the last ` +
          'batch of call records written is counted.',
      );
    }
    if (gCpu && !gCpu.invite)
      notes.push(`/metrics has no \`${HISTOGRAM}\` histogram: added latency not measured.`);
    const kFail = (f: KamailioFailover | null): string => (f ? `${f.failedSetups}/${f.sent}` : 'n/a');
    rows.push(
      `| outage ${RATE}/s, ${OUTAGE_SECONDS} s, region 1 stopped at 5 s: failed setups | ${gOut ? `${gOut.r.failedSetups}/${gOut.r.sent}` : 'n/a'} | FAILROUTE=0: ${kFail(kFo0)}; FAILROUTE=1: ${kFail(kFo1)} | 0 | ${gOut ? (gOut.r.failedSetups === 0 ? 'met' : 'NOT met') : 'not measured'} |`,
    );
    rows.push(
      `| outage: extra setup delay of calls caught (geored records), p50 / max | ${gOut ? `${gOut.caught} calls: ${fmtMs(gOut.extraP50Ms, 0)} / ${fmtMs(gOut.extraMaxMs, 0)}` : 'n/a'} | | ≤ ${PROVISIONAL_MS} ms | ${gOut && Number.isFinite(gOut.extraMaxMs) ? (gOut.extraMaxMs <= PROVISIONAL_MS ? 'met' : 'NOT met') : 'not measured'} |`,
    );
    rows.push(
      `| outage: until no new call tries the dead region | ${gOut && Number.isFinite(gOut.lastDeadTryS) ? `${fmtS(gOut.lastDeadTryS)} (${gOut.triedDead} calls tried it)` : 'n/a'} | DSDOWN after: FAILROUTE=0 ${fmtS(kFo0?.downAfterS ?? NaN)}, FAILROUTE=1 ${fmtS(kFo1?.downAfterS ?? NaN)} | < 0.6 s | ${gOut && Number.isFinite(gOut.lastDeadTryS) ? (gOut.lastDeadTryS < 0.6 ? 'met' : 'NOT met') : 'not measured'} |`,
    );
    if (gOut) {
      notes.push(
        `outage, sipp's view (1 ms resolution): baseline INVITE→200 p50 ${fmtMs(gOut.sippBaselineMs, 0)}, worst after the outage ` +
          `${fmtMs(gOut.sippMaxAfterMs, 0)}, p99 ${fmtMs(
            percentile(
              gOut.r.rtts.map((x) => x.ms),
              0.99,
            ),
            0,
          )} over the run; ${gOut.recordsNote}.`,
      );
    }
    notes.push(
      'Added latency quantiles are interpolated linearly inside the histogram bucket that holds them (as ' +
        "Prometheus' histogram_quantile); the bucket is given, it is the resolution of the figure.",
    );
    return [...rows, '', ...notes.map((n) => `- ${n}`)].join('\n');
  },
};
