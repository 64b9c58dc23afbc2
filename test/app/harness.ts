/**
 * The real `geored serve` between sipp peers on loopback: a config file in a temp dir, the process on free
 * ports, REST calls with the admin token, and sipp UACs run to completion. `stopEverything()` in afterEach.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGeoredProcess, stopAllGeored, type GeoredProcess } from '../helpers/geored-process';
import { runSippUac, startSipp, stopAllSipp, type UacRun } from '../helpers/sipp';

export const TOKEN = 'app-test-token';
export const GEO = '/api/framework/geographic-redundancy';

/** Probes fast enough that a blackholed region is DOWN within a second. */
export const FAST_HEALTH = '    health_check: { interval: 0.25, timeout: 0.25, retry_count: 2, jitter: 0 }';
/** Probes rare enough that peers which do not answer OPTIONS (a registrar, a UAC) are left alone. */
export const SLOW_HEALTH = '    health_check: { interval: 60, timeout: 1, retry_count: 3, jitter: 0 }';

export async function stopEverything(): Promise<void> {
  await stopAllGeored();
  await stopAllSipp();
}

export function regionLines(name: string, priority: number, port: number, extra: string[] = []): string[] {
  return [
    `      - name: ${name}`,
    `        priority: ${priority}`,
    `        trunk_id: trunk-${name}`,
    `        sip_server: "127.0.0.1:${port}"`,
    ...extra,
  ];
}

/** geored serve on `lines` (the document after `features:`/`geographic_redundancy:`), plus top-level `tail`. */
export async function startGeored(
  lines: string[],
  tail: string[] = [],
  env: Record<string, string> = {},
): Promise<GeoredProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-app-'));
  const file = join(dir, 'config.yml');
  writeFileSync(file, ['features:', '  geographic_redundancy:', ...lines, ...tail, ''].join('\n'));
  return startGeoredProcess({ configFile: file, env: { GEORED_API_TOKEN: TOKEN, ...env } });
}

export async function get<T = Record<string, unknown>>(g: GeoredProcess, path: string): Promise<T> {
  const res = await fetch(`${g.apiUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export interface CallRow {
  call_id: string;
  direction: 'outbound' | 'inbound';
  region: string | null;
  final_status: number | null;
  ended_at: string | null;
  attempts: Array<{ region: string; status: number | null; outcome: string }>;
  routing_reason: string | null;
}

export async function calls(g: GeoredProcess, query = 'limit=1000'): Promise<CallRow[]> {
  return (await get<{ calls: CallRow[] }>(g, `/api/calls?${query}`)).calls;
}

export async function activeRegion(g: GeoredProcess): Promise<string> {
  return String((await get(g, `${GEO}/active-region`))['name']);
}

/** A sipp UAC placing `calls` calls at `rate`/s through geored; sipp exits 0 only if every call succeeded. */
export function runUac(
  scenario: string,
  sipPort: number,
  calls: number,
  rate: number,
  port?: number,
): Promise<UacRun> {
  return runSippUac({
    scenario,
    target: sipPort,
    calls,
    rate,
    timeout: '90s',
    ...(port !== undefined && { port }),
  });
}

/** Waits until `cond` holds, polling every 50 ms; throws naming `what` after `timeoutMs` (a bound, not a speed check). */
export async function until(
  cond: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** config.yml lines for a PBX that registers with digest credentials (user `pbx`, password from PBX_PASSWORD). */
export function pbxCredentialLines(...extra: string[]): string[] {
  return [
    'pbx:',
    '  credentials:',
    '    username: pbx',
    '    password: env:PBX_PASSWORD',
    '    realm: geored.test',
    ...extra,
  ];
}

/**
 * The PBX (sipp, user `pbx`, digest with `password`) registers to geored from `pbxPort` for 300 s, and is
 * then stopped without un-registering: the binding stays, and another program may take the port.
 */
export async function registerPbx(
  geored: Pick<GeoredProcess, 'sipPort' | 'logs'>,
  pbxPort: number,
  password = 'secret',
): Promise<void> {
  const register = await startSipp({
    scenario: 'pbx-register.xml',
    port: pbxPort,
    set: { expires: '300' },
    extraArgs: [
      '-s',
      'pbx',
      '-au',
      'pbx',
      '-ap',
      password,
      '-d',
      '60000',
      '-m',
      '1',
      `127.0.0.1:${geored.sipPort}`,
    ],
  });
  await until(
    () => geored.logs().some((l) => String(l['msg']).startsWith('PBX registration:')),
    'the PBX registered',
  );
  await register.stop();
}

/** Sum of the samples of a Prometheus text metric whose label set contains every `labels` pair. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const set = m[3] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(m[4]);
  }
  return sum;
}
