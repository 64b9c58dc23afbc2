/**
 * A geored call path on loopback for tests: a real SipStack with a SipProxy on it, regions that are real
 * sipp UAS processes, and a PBX that is a real sipp UAC. Everything it starts is stopped by `stopAll()`.
 */
import pino from 'pino';
import { Metrics } from '../../src/metrics/registry';
import { createSipProxy, type SipProxy } from '../../src/proxy';
import type { CallFacts, RegionRuntime, RegistrarLike, SourceClass } from '../../src/proxy';
import type { CallOutcome } from '../../src/health/decide-health-types';
import type { ProxyConfig, SecurityConfig } from '../../src/config/types';
import { SipStack } from '../../src/sip/stack';
import type { TlsFiles } from '../../src/sip/transport';
import type { Endpoint } from '../../src/sip/transport/types';
import type { Store } from '../../src/store/types';
import { runSippUac, startSipp, stopAllSipp, type SippPeer, type UacRun } from '../helpers/sipp';

export interface Region {
  readonly name: string;
  readonly sipp: SippPeer;
  readonly runtime: RegionRuntime;
}

export interface Harness {
  readonly stack: SipStack;
  readonly proxy: SipProxy;
  readonly port: number;
  readonly metrics: Metrics;
  /** Every passive signal: region, outcome, and the transport's words for a transport error. */
  readonly outcomes: Array<[string, CallOutcome] | [string, CallOutcome, string]>;
  readonly routed: CallFacts[];
}

const stacks: SipStack[] = [];
const proxies: SipProxy[] = [];
const metricsList: Metrics[] = [];

export async function stopAll(): Promise<void> {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await Promise.all(stacks.splice(0).map((s) => s.close()));
  for (const m of metricsList.splice(0)) m.close();
  await stopAllSipp();
}

export async function region(
  name: string,
  scenario: string,
  extra: Partial<RegionRuntime> = {},
  sippOpts: { set?: Record<string, string>; extraArgs?: readonly string[] } = {},
): Promise<Region> {
  const sipp = await startSipp({ scenario, ...sippOpts });
  const runtime: RegionRuntime = {
    name,
    endpoints: [{ protocol: 'udp', address: sipp.address, port: sipp.port }],
    ...extra,
  };
  return { name, sipp, runtime };
}

export const PROXY_DEFAULTS: ProxyConfig = {
  provisional_timeout_ms: 500,
  failover_codes: [408, 500, 503, 504],
  failover_6xx: [],
  record_route: true,
  max_forwards: 70,
  timer_c_ms: 185_000,
  did_header: null,
  history_info: true,
};

export async function startProxy(opts: {
  regions: readonly RegionRuntime[];
  proxy?: Partial<ProxyConfig>;
  store?: Pick<Store, 'recordCalls' | 'endCalls' | 'pruneCalls'>;
  registrar?: RegistrarLike;
  security?: SecurityConfig;
  pbxAddress?: Endpoint;
  /** Region sources by port (their sipp UAS ports); every other loopback source is the PBX. */
  regionPorts?: ReadonlyMap<number, string>;
  /** RFC 3261 T1 for the stack (default 500 ms); a small one lets transactions end quickly in a test. */
  t1Ms?: number;
  /** The proxy's logger (default: silent). */
  logger?: pino.Logger;
  /** TLS files of the stack (a `ca` to trust for TLS regions). */
  tls?: TlsFiles;
  /** Also called with every passive signal (after it is recorded in `outcomes`). */
  onCallOutcome?: (region: string, outcome: CallOutcome, detail?: string) => void;
}): Promise<Harness> {
  const stack = await SipStack.create({
    listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
    ...(opts.t1Ms !== undefined && { timers: { T1: opts.t1Ms } }),
    ...(opts.tls && { tls: opts.tls }),
  });
  stacks.push(stack);
  const metrics = new Metrics({ defaultMetrics: false });
  metricsList.push(metrics);
  const outcomes: Harness['outcomes'] = [];
  const routed: CallFacts[] = [];
  const byPort = opts.regionPorts ?? new Map(opts.regions.map((r) => [r.endpoints[0]!.port, r.name]));
  const classify = (source: Endpoint): SourceClass => {
    const name = byPort.get(source.port);
    if (name) return { kind: 'region', region: name };
    return source.address === '127.0.0.1' ? { kind: 'pbx' } : { kind: 'unknown' };
  };
  const list = opts.regions;
  const proxy = createSipProxy({
    stack,
    config: {
      proxy: { ...PROXY_DEFAULTS, ...opts.proxy },
      pbx: { allow_any_loopback: true, ...(opts.pbxAddress && { address: opts.pbxAddress }) },
      ...(opts.security && { security: opts.security }),
    },
    router: (facts) => {
      routed.push(facts);
      return { order: list.map((r) => r.name), reason: 'test order' };
    },
    regions: () => list,
    classify,
    ...(opts.registrar && { registrar: opts.registrar }),
    ...(opts.store && { store: opts.store }),
    metrics,
    onCallOutcome: (r, o, detail) => {
      outcomes.push(detail === undefined ? [r, o] : [r, o, detail]);
      opts.onCallOutcome?.(r, o, detail);
    },
    logger: opts.logger ?? pino({ level: 'silent' }),
    limits: { recordFlushMs: 50 },
  });
  proxies.push(proxy);
  const port = stack.endpoints()[0]!.port;
  return { stack, proxy, port, metrics, outcomes, routed };
}

/** Runs a sipp UAC against geored until it has placed `calls` calls; sipp exits 0 only if all succeeded. */
export function runUac(
  scenario: string,
  proxyPort: number,
  calls: number,
  rate = 10,
  extraArgs: readonly string[] = [],
  port?: number,
): Promise<UacRun> {
  return runSippUac({
    scenario,
    target: proxyPort,
    calls,
    rate,
    timeout: '60s',
    extraArgs,
    ...(port !== undefined && { port }),
  });
}

/** Sum of a metric's samples whose labels include `labels`; `x_count` reads histogram x's counts. */
export async function metricSum(
  m: Metrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const base = name.endsWith('_count') ? name.slice(0, -'_count'.length) : name;
  const all = await m.registry.getMetricsAsJSON();
  const metric = all.find((x) => x.name === name) ?? all.find((x) => x.name === base);
  if (!metric) return 0;
  let sum = 0;
  type Sample = { value: number; labels: Record<string, string | number>; metricName?: string };
  for (const v of metric.values as Sample[]) {
    if (v.metricName !== undefined && v.metricName !== name) continue;
    if (Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val)) sum += v.value;
  }
  return sum;
}

/** Waits until `cond` holds, checking every 25 ms; throws after `timeoutMs` (a bound, not an assertion on speed). */
export async function until(cond: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
