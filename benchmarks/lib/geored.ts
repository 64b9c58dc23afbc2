/**
 * The real `geored serve` for the benchmarks: a config file written to a temporary directory (free ports,
 * SQLite in that directory, two sipp regions), started as `node bin/geored.js serve --config FILE`,
 * its JSON log lines written to a file, its REST API and /metrics read with the admin token.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/ports';
import { cpuSecondsOfTree } from './cpu';
import { sleep, startChild, waitBound, type Child } from './processes';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface GeoredOptions {
  readonly dir: string;
  readonly regionPorts: readonly number[]; // region-1, region-2, ... by priority
  readonly health: { interval: number; timeout: number; retry_count: number };
  readonly provisionalTimeoutMs?: number;
  readonly logLevel?: string;
  /** Node.js flags before bin/geored.js (e.g. `--cpu-prof`, `--max-semi-space-size=16`). */
  readonly nodeArgs?: readonly string[];
}

export interface Geored {
  readonly child: Child;
  readonly sipPort: number;
  readonly apiPort: number;
  readonly logFile: string;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  metrics(): Promise<string>;
  cpuSeconds(): number;
  /** JSON log lines written so far. */
  logLines(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

export function regionName(i: number): string {
  return `region-${i + 1}`;
}

export function configYaml(o: GeoredOptions, sipPort: number, apiPort: number): string {
  const regions = o.regionPorts
    .map(
      (p, i) =>
        `      - { name: ${regionName(i)}, priority: ${i + 1}, trunk_id: trunk-${i + 1}, sip_server: "127.0.0.1:${p}", location: loopback }`,
    )
    .join('\n');
  return [
    'server:',
    `  sip: { listen: ["udp:127.0.0.1:${sipPort}"] }`,
    `  api: { listen: "127.0.0.1:${apiPort}" }`,
    `  store: "sqlite:${join(o.dir, 'geored.db')}"`,
    `  log_level: ${o.logLevel ?? 'info'}`,
    ...(o.provisionalTimeoutMs !== undefined
      ? ['proxy:', `  provisional_timeout_ms: ${o.provisionalTimeoutMs}`]
      : []),
    'features:',
    '  geographic_redundancy:',
    '    enabled: true',
    `    health_check: { interval: ${o.health.interval}, timeout: ${o.health.timeout}, retry_count: ${o.health.retry_count} }`,
    '    failover: { automatic: true, failback: false }',
    '    regions:',
    regions,
    '',
  ].join('\n');
}

export async function startGeored(o: GeoredOptions): Promise<Geored> {
  const sipPort = await freePort();
  const apiPort = await freePort();
  const token = randomBytes(16).toString('hex');
  const configFile = join(o.dir, 'geored.yml');
  writeFileSync(configFile, configYaml(o, sipPort, apiPort));
  const logFile = join(o.dir, 'geored.log');
  const child = startChild(
    'geored',
    process.execPath,
    [...(o.nodeArgs ?? []), join(REPO, 'bin/geored.js'), 'serve', '--config', configFile],
    {
      cwd: o.dir,
      logFile,
      env: {
        ...process.env,
        GEORED_API_TOKEN: token,
        GEORED_SIP_LISTEN: `udp:127.0.0.1:${sipPort}`,
        GEORED_API_LISTEN: `127.0.0.1:${apiPort}`,
        NODE_ENV: 'production',
      },
    },
  );
  const base = `http://127.0.0.1:${apiPort}`;
  const headers = { authorization: `Bearer ${token}` };
  const g: Geored = {
    child,
    sipPort,
    apiPort,
    logFile,
    async get<T>(path: string) {
      const res = await fetch(base + path, { headers, signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: body as T };
    },
    async metrics() {
      const res = await fetch(base + '/metrics', { headers, signal: AbortSignal.timeout(5000) });
      return res.text();
    },
    cpuSeconds: () => cpuSecondsOfTree(child.pid),
    logLines() {
      let text = '';
      try {
        text = readFileSync(logFile, 'utf8');
      } catch {
        return [];
      }
      const out: Array<Record<string, unknown>> = [];
      for (const line of text.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          out.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* partial line */
        }
      }
      return out;
    },
    stop: () => child.stop(5000),
  };
  try {
    await waitBound(apiPort, 'tcp', child, 30_000);
    await waitBound(sipPort, 'udp', child, 10_000);
    const end = Date.now() + 10_000;
    for (;;) {
      const ok = await fetch(base + '/readyz', { signal: AbortSignal.timeout(2000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > end) throw new Error(`geored not ready in time\n${child.output()}`);
      await sleep(50);
    }
  } catch (err) {
    await child.stop();
    const last = child
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-3)
      .join(' | ')
      .slice(-600);
    throw new Error(
      `geored serve did not start (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): ${last}`,
    );
  }
  return g;
}

/** Polls GET active-region every `everyMs` until its name is not `from`; the epoch ms of the first such answer. */
export async function waitActiveChange(
  g: Geored,
  from: string,
  timeoutMs: number,
  everyMs = 10,
): Promise<{ at: number; to: string } | null> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const r = await g
      .get<{ name?: string }>('/api/framework/geographic-redundancy/active-region')
      .catch(() => null);
    const at = Date.now();
    const name = r?.status === 200 ? r.body.name : undefined;
    if (name !== undefined && name !== from) return { at, to: name };
    await sleep(Math.max(0, everyMs - (Date.now() - at)));
  }
  return null;
}

/** Waits until `name` is the active region (bounded); false on timeout. */
export async function waitActive(g: Geored, name: string, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const r = await g
      .get<{ name?: string; health_state?: string }>('/api/framework/geographic-redundancy/active-region')
      .catch(() => null);
    if (r?.status === 200 && r.body.name === name) return true;
    await sleep(50);
  }
  return false;
}

/**
 * The first log line at or after `since` (epoch ms) that records a switch to `to` (the service logs one
 * JSON line per failover with `from`, `to` and `initiated_by`). Its pino `time` is when the switch was made.
 */
export function failoverLogTime(g: Geored, to: string, since: number): number | null {
  for (const line of g.logLines()) {
    const time = typeof line.time === 'number' ? line.time : NaN;
    if (!(time >= since)) continue;
    if (line.to === to && 'initiated_by' in line && line.from !== to) return time;
  }
  return null;
}

/** The first log line at or after `since` recording that `region`'s health went to `state` (e.g. 'critical'). */
export function healthLogTime(g: Geored, region: string, state: string, since: number): number | null {
  for (const line of g.logLines()) {
    const time = typeof line.time === 'number' ? line.time : NaN;
    if (time >= since && line.region === region && line.to === state) return time;
  }
  return null;
}
