/**
 * A dev tool for profiling the real `geored serve` (the build production runs): two sipp regions, geored,
 * a sipp PBX placing CALLS 1 s calls at RATE/s; prints geored's CPU per call. Not part of npm test.
 *
 *   node --import tsx benchmarks/serve-cpu.ts [--calls 2000] [--rate 100] [--warmup 500] [-- NODE_FLAG...]
 *
 * Node flags after `--` go to geored (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, `--trace-gc`).
 * `--perf`: `perf record` (Debian's linux-perf) of geored over the measured calls, its samples grouped by
 * where the time goes (benchmarks/lib/perf-groups.ts); perf's own cost is in that run's CPU figure.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../test/helpers/ports';
import { startGeored, waitActive } from './lib/geored';
import { perfGroups } from './lib/perf-groups';
import { sleep, startChild, type Child } from './lib/processes';
import { runUac, startRegionUas } from './lib/sipp';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    calls: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '0' },
    keep: { type: 'boolean', default: false },
    perf: { type: 'boolean', default: false },
    idle: { type: 'string', default: '0' },
  },
});
const calls = Number(values.calls);

const byComm = new Map<string, number>();
/** utime and stime ticks of the event loop thread (tid = pid) and of every other thread of `pid`. */
function threadTicks(pid: number): {
  mainUser: number;
  mainSys: number;
  otherUser: number;
  otherSys: number;
} {
  const t = { mainUser: 0, mainSys: 0, otherUser: 0, otherSys: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat = '';
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    byComm.set(comm, (byComm.get(comm) ?? 0) + Number(rest[11]) + Number(rest[12]));
    const main = Number(tid) === pid;
    t[main ? 'mainUser' : 'otherUser'] += Number(rest[11]);
    t[main ? 'mainSys' : 'otherSys'] += Number(rest[12]);
  }
  return t;
}
/** Minor page faults of the whole process (/proc/PID/stat field 10): fresh heap pages cost system time. */
function minorFaults(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}
const rate = Number(values.rate);
const dir = mkdtempSync(join(tmpdir(), 'geored-serve-cpu-'));
const regions: Child[] = [];
const ports = [await freePort(), await freePort()];
for (const port of ports) regions.push(await startRegionUas(port, dir));
const g = await startGeored({
  dir,
  regionPorts: ports,
  health: { interval: 1, timeout: 0.25, retry_count: 2 },
  provisionalTimeoutMs: 500,
  nodeArgs: values.perf ? ['--perf-basic-prof', ...positionals] : positionals,
});
try {
  await sleep(1500);
  if (!(await waitActive(g, 'region-1', 10_000))) throw new Error('region-1 not active');
  const place = async (n: number) =>
    runUac({
      target: `127.0.0.1:${g.sipPort}`,
      port: await freePort(),
      rate,
      calls: n,
      limit: rate * 10,
      cwd: dir,
    });
  if (Number(values.warmup) > 0) await place(Number(values.warmup));
  if (Number(values.idle) > 0) {
    // What a warm geored costs with no calls (probes, timers, housekeeping): at 100 calls/s, every 1 ms of CPU a
    // second it spends idle is 10 µs per call.
    const i0 = g.cpuSeconds();
    await sleep(Number(values.idle) * 1000);
    const idleMsPerS = ((g.cpuSeconds() - i0) * 1000) / Number(values.idle);
    console.log(JSON.stringify({ idleCpuMsPerSecond: Math.round(idleMsPerS * 10) / 10 }));
  }
  await sleep(750);
  const perfData = join(dir, 'perf.data');
  const perf = values.perf
    ? startChild('perf', 'perf', ['record', '-F', '1999', '-g', '-p', String(g.child.pid), '-o', perfData], {
        cwd: dir,
      })
    : null;
  const c0 = g.cpuSeconds();
  const f0 = minorFaults(g.child.pid);
  const t0 = threadTicks(g.child.pid);
  const comm0 = new Map(byComm);
  byComm.clear();
  const r = await place(calls);
  await sleep(750); // the last batch of call records
  const c1 = g.cpuSeconds();
  if (perf) {
    process.kill(perf.pid, 'SIGINT'); // perf writes its file on SIGINT
    await perf.exited;
  }
  const t1 = threadTicks(g.child.pid);
  const faultsPerCall = Math.round(((minorFaults(g.child.pid) - f0) * 10) / calls) / 10;
  const perCall = (k: keyof typeof t0): number => Math.round(((t1[k] - t0[k]) * 1e4) / calls);
  console.log(
    JSON.stringify({
      calls,
      rate,
      sent: r.sent,
      failedSetups: r.failedSetups,
      cpuUsPerCall: Math.round(((c1 - c0) * 1e6) / calls),
      meanSetupMs: r.meanSetupMs,
      faultsPerCall,
      threadsUsPerCall: Object.fromEntries(
        [...byComm].map(([k, v]) => [k, Math.round(((v - (comm0.get(k) ?? 0)) * 1e4) / calls)]),
      ),
      usPerCall: {
        mainUser: perCall('mainUser'),
        mainSys: perCall('mainSys'),
        otherUser: perCall('otherUser'),
        otherSys: perCall('otherSys'),
      },
    }),
  );
  if (perf) console.log(perfGroups(perfData, Math.round(((c1 - c0) * 1e6) / calls)));
} finally {
  await g.stop();
  await Promise.all(regions.map((x) => x.stop()));
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
