/**
 * CPU per call of geored's call path, in process: a real SipStack with a SipProxy on it (as `geored serve`
 * wires it: info logging, metrics, a SQLite store for call records), two sipp regions answering
 * (region-uas.xml) and a sipp PBX placing 1 s calls (pbx-uac.xml). Prints this process's CPU time
 * (process.cpuUsage: user + system) over the run divided by the completed calls. A dev tool for profiling,
 * not part of npm test:
 *
 *   node --cpu-prof --import tsx benchmarks/profile-call-path.ts [--calls 1000] [--rate 100] [--store none]
 *
 * CPU time, not wall time: the machine is shared, and a loaded core stretches wall time but not CPU time.
 * The window runs from the first call to the last BYE answer, so startup and teardown are not counted.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Metrics } from '../src/metrics/registry';
import { createSipProxy, type RegionRuntime, type SourceClass } from '../src/proxy';
import { SipStack } from '../src/sip/stack';
import type { Endpoint } from '../src/sip/transport/types';
import { openStore } from '../src/store';
import type { Store } from '../src/store/types';
import { startSipp, stopAllSipp } from '../test/helpers/sipp';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    store: { type: 'string', default: 'sqlite' },
    'log-level': { type: 'string', default: 'info' },
    /** Calls placed before the measured run, so it sees optimised code (a long-running proxy's state). */
    warmup: { type: 'string', default: '0' },
  },
});
const calls = Number(values.calls);
const rate = Number(values.rate);

const dir = mkdtempSync(join(tmpdir(), 'geored-profile-'));
let store: Store | undefined;
let stack: SipStack | undefined;
let metrics: Metrics | undefined;
try {
  // Logs go to /dev/null: the cost of building and serialising lines at the configured level is counted,
  // the terminal is not.
  const logger = pino({ level: values['log-level'] }, pino.destination({ dest: '/dev/null', sync: false }));
  if (values.store === 'sqlite') store = await openStore(`sqlite:${join(dir, 'geored.db')}`, { logger });
  const east = await startSipp({ scenario: 'region-uas.xml' });
  const west = await startSipp({ scenario: 'region-uas.xml' });
  const regions: RegionRuntime[] = [east, west].map((s, i) => ({
    name: `region-${i + 1}`,
    endpoints: [{ protocol: 'udp', address: s.address, port: s.port }],
  }));
  const regionPorts = new Map(regions.map((r) => [r.endpoints[0]!.port, r.name]));
  stack = await SipStack.create({
    listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
    logger: logger.child({ component: 'sip' }),
  });
  metrics = new Metrics();
  const proxy = createSipProxy({
    stack,
    config: {
      proxy: {
        provisional_timeout_ms: 1000,
        failover_codes: [408, 500, 503, 504],
        failover_6xx: [],
        record_route: true,
        max_forwards: 70,
        timer_c_ms: 185_000,
        did_header: null,
        history_info: true,
      },
      pbx: { allow_any_loopback: true },
    },
    router: () => ({ order: regions.map((r) => r.name), reason: 'priority' }),
    regions: () => regions,
    classify: (source: Endpoint): SourceClass => {
      const name = regionPorts.get(source.port);
      return name ? { kind: 'region', region: name } : { kind: 'pbx' };
    },
    ...(store && { store }),
    metrics,
    logger: logger.child({ component: 'proxy' }),
  });
  const port = stack.endpoints()[0]!.port;

  const place = async (n: number) => {
    const uac = await startSipp({
      scenario: 'pbx-uac.xml',
      extraArgs: [
        `127.0.0.1:${port}`,
        '-s',
        '15550001',
        '-m',
        String(n),
        '-r',
        String(rate),
        '-timeout',
        '120s',
      ],
    });
    const code = await uac.exited;
    return { code, out: uac.output() };
  };
  if (Number(values.warmup) > 0) await place(Number(values.warmup));

  const threads0 = threadTicks();
  const before = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const wall0 = performance.now();
  const { code, out } = await place(calls);
  const used = process.cpuUsage(before);
  const threads1 = threadTicks();
  const wall = performance.now() - wall0;
  const elu = performance.eventLoopUtilization(elu0);
  const ok = lastNumber(out, 'Successful call');
  const failed = lastNumber(out, 'Failed call');
  await proxy.close();
  const cpuUs = used.user + used.system;
  console.log(
    JSON.stringify({
      calls,
      rate,
      sippExit: code,
      successful: ok,
      failed,
      cpuMs: Math.round(cpuUs / 1000),
      userMs: Math.round(used.user / 1000),
      systemMs: Math.round(used.system / 1000),
      cpuUsPerCall: ok > 0 ? Math.round(cpuUs / ok) : null,
      wallS: Math.round(wall) / 1000,
      eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
      threadsMs: threadDelta(threads0, threads1),
    }),
  );
} finally {
  await stopAllSipp();
  await stack?.close();
  metrics?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
}

/** A cumulative counter from sipp's final statistics screen ("Successful call | 0 | 20"). */
function lastNumber(output: string, name: string): number {
  const line = output
    .split('\n')
    .filter((l) => l.includes(name))
    .pop();
  const n = line?.match(/\d+/g);
  return n ? Number(n[n.length - 1]) : -1;
}

/**
 * CPU ticks (1/100 s) per kind of thread from /proc/self/task: how much of the process's CPU is the event
 * loop ("main") and how much V8's background compiler and GC helpers or libuv's pool ("other").
 */
function threadTicks(): Map<string, number> {
  const byName = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Every thread is called "node"; the main thread (the event loop) is the one whose id is the pid.
      const name = Number(tid) === process.pid ? 'main' : 'other';
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + Number(rest[11]) + Number(rest[12]));
    }
  } catch {
    // Not Linux: no breakdown.
  }
  return byName;
}

function threadDelta(a: Map<string, number>, b: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, t] of b) {
    const d = (t - (a.get(name) ?? 0)) * 10;
    if (d > 0) out[name] = d;
  }
  return out;
}
