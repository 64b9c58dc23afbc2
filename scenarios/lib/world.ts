/**
 * One scenario's world on loopback: three sipp regions (region-1..3 by priority), each behind its own seeded
 * UDP relay (the fault injection point), and the real `geored serve` configured with the relays as the
 * regions' sip_server, its store in the world's own directory so a restart (even after SIGKILL) finds it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGeoredProcess, type GeoredProcess } from '../../test/helpers/geored-process';
import { freePort } from '../../test/helpers/ports';
import { startSipp, type SippPeer } from '../../test/helpers/sipp';
import { UdpRelay } from './relay';
import { TcpRelay } from './tcp-relay';
import { makeTlsMaterial, TlsRelay, type TlsMaterial } from './tls-relay';

export const TOKEN = 'scenario-admin-token';
export const GEO = '/api/framework/geographic-redundancy';

export interface HealthProfile {
  readonly interval: number;
  readonly timeout: number;
  readonly retry_count: number;
  readonly jitter?: number;
  readonly latency_warning_ms?: number;
  readonly success_threshold?: number;
}

/** Detection within about a second; jitter 0 so runs compare. */
export const FAST_HEALTH: HealthProfile = { interval: 0.25, timeout: 0.25, retry_count: 2, jitter: 0 };
/** The guide's defaults. */
export const GUIDE_HEALTH: HealthProfile = { interval: 30, timeout: 10, retry_count: 3 };

export interface RegionOptions {
  /** sipp scenario of the region (default region-uas.xml). */
  readonly scenario?: string;
  /**
   * 'tcp': a TCP sipp behind a TcpRelay, configured as sip:...;transport=tcp; 'tls': a TCP sipp behind a
   * TlsRelay (the world's CA, which geored trusts through server.sip.tls.ca), as ...;transport=tls.
   * Default udp.
   */
  readonly transport?: 'udp' | 'tcp' | 'tls';
}

export interface WorldOptions {
  readonly health: HealthProfile;
  /** features.geographic_redundancy.failover / failback (the guide's keys). */
  readonly failover?: Record<string, unknown>;
  readonly failback?: Record<string, unknown>;
  /** The top-level proxy: section. */
  readonly proxy?: Record<string, unknown>;
  /** Extra server: keys (redis, store). */
  readonly server?: Record<string, unknown>;
  readonly regions?: readonly RegionOptions[];
  /** Seed of the relays' PRNG (each region's relay gets seed + index). */
  readonly seed?: number;
  readonly env?: Record<string, string>;
  /** Extra keys of each region's config entry, by index (e.g. credentials). */
  readonly regionExtra?: ReadonlyArray<Record<string, unknown>>;
}

export interface WorldRegion {
  readonly name: string;
  sipp: SippPeer;
  readonly relay: UdpRelay;
  /** Set for a TCP region: the relay geored connects to. */
  readonly tcpRelay?: TcpRelay;
  /** Set for a TLS region: the TLS edge geored connects to. */
  readonly tlsRelay?: TlsRelay;
  readonly scenario: string;
}

export interface FailoverRow {
  from_region: string | null;
  to_region: string;
  reason: string | null;
  automatic: boolean;
  occurred_at: string;
}

export interface CallRecord {
  call_id: string;
  region: string | null;
  final_status: number | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  attempts: Array<{ region: string; status: number | null; outcome: string }>;
}

export class World {
  geored!: GeoredProcess;
  readonly configFile: string;
  private sipPort = 0;
  private apiPort = 0;

  private constructor(
    readonly dir: string,
    readonly regions: WorldRegion[],
    private readonly opts: WorldOptions,
    /** The certificates of a world with a TLS region. */
    readonly tls: TlsMaterial | null = null,
  ) {
    this.configFile = join(dir, 'geored.json');
  }

  static async start(opts: WorldOptions): Promise<World> {
    const dir = mkdtempSync(join(tmpdir(), 'geored-scenario-'));
    const regions: WorldRegion[] = [];
    const specs = opts.regions ?? [{}, {}, {}];
    const tls = specs.some((s) => s.transport === 'tls') ? makeTlsMaterial() : null;
    try {
      for (const [i, spec] of specs.entries()) {
        const scenario = spec.scenario ?? 'region-uas.xml';
        const stream = spec.transport === 'tcp' || spec.transport === 'tls';
        const sipp = await startSipp({ scenario, ...(stream && { transport: 'tcp' as const }) });
        const relay = await UdpRelay.start(sipp.port, (opts.seed ?? 12) + i);
        const tcpRelay = spec.transport === 'tcp' ? await TcpRelay.start(sipp.port) : undefined;
        const tlsRelay = spec.transport === 'tls' && tls ? await TlsRelay.start(sipp.port, tls) : undefined;
        regions.push({
          name: `region-${i + 1}`,
          sipp,
          relay,
          scenario,
          ...(tcpRelay && { tcpRelay }),
          ...(tlsRelay && { tlsRelay }),
        });
      }
      const world = new World(dir, regions, opts, tls);
      // A port found free can be taken before geored binds it (another test's ephemeral socket): then
      // geored exits with EADDRINUSE, and the world tries other ports, at most three times.
      for (let attempt = 1; ; attempt++) {
        world.sipPort = await freePort();
        world.apiPort = await freePort();
        writeFileSync(world.configFile, JSON.stringify(world.config(), null, 2));
        try {
          await world.startGeored();
          return world;
        } catch (err) {
          if (attempt >= 3 || !String(err).includes('EADDRINUSE')) throw err;
        }
      }
    } catch (err) {
      await Promise.all(
        regions.map((r) =>
          Promise.all([r.sipp.stop(), r.relay.close(), r.tcpRelay?.close(), r.tlsRelay?.close()]),
        ),
      );
      if (tls) rmSync(tls.dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The config file's content: JSON, which is YAML too. */
  config(): Record<string, unknown> {
    const o = this.opts;
    return {
      features: {
        geographic_redundancy: {
          enabled: true,
          health_check: o.health,
          ...(o.failover && { failover: o.failover }),
          ...(o.failback && { failback: o.failback }),
          regions: this.regions.map((r, i) => ({
            name: r.name,
            priority: i + 1,
            trunk_id: `trunk-${i + 1}`,
            sip_server: r.tlsRelay
              ? `sip:127.0.0.1:${r.tlsRelay.port};transport=tls`
              : r.tcpRelay
                ? `sip:127.0.0.1:${r.tcpRelay.port};transport=tcp`
                : `127.0.0.1:${r.relay.port}`,
            ...o.regionExtra?.[i],
          })),
        },
      },
      ...(o.proxy && { proxy: o.proxy }),
      server: {
        log_level: 'info',
        // geored's own certificate is the region's (any would do); `ca` is what it verifies regions with.
        ...(this.tls && { sip: { tls: { cert: this.tls.valid, key: this.tls.key, ca: this.tls.ca } } }),
        ...o.server,
      },
    };
  }

  get sipTarget(): number {
    return this.sipPort;
  }

  region(name: string): WorldRegion {
    const r = this.regions.find((x) => x.name === name);
    if (!r) throw new Error(`no region ${name}`);
    return r;
  }

  private async startGeored(): Promise<void> {
    const proc = await startGeoredProcess({
      configFile: this.configFile,
      sipPort: this.sipPort,
      apiPort: this.apiPort,
      env: {
        GEORED_API_TOKEN: TOKEN,
        GEORED_STORE: `sqlite:${join(this.dir, 'geored.db')}`,
        ...this.opts.env,
      },
      readyTimeoutMs: 60_000,
    });
    this.geored = proc;
    this.watchExit(proc);
  }

  /**
   * Notes a geored (the main one or a peer) that exits without being told to: a scenario must say so, with
   * the last lines of its log (its stderr too), rather than report a bare ECONNREFUSED later.
   */
  private watchExit(proc: GeoredProcess): void {
    void proc.exited.then(() => {
      if (this.stopping.has(proc)) return;
      const { exitCode, signalCode } = proc.process;
      const how = signalCode ? `killed by ${signalCode}` : `exit code ${String(exitCode)}`;
      this.deaths.push(
        `geored at ${proc.apiUrl} exited unexpectedly (${how}); its last log lines:\n${lastLines(proc.output(), 40)}`,
      );
      process.stderr.write(`${this.deaths[this.deaths.length - 1]}\n`);
    });
  }
  private readonly stopping = new Set<GeoredProcess>();
  /** One entry per geored that died on its own in this world (see watchExit). */
  readonly deaths: string[] = [];

  /** Stops `proc` on purpose (a restart, the end of the world): not a death. */
  private async stopProcess(proc: GeoredProcess, signal: NodeJS.Signals): Promise<void> {
    this.stopping.add(proc);
    await proc.stop(signal);
  }

  /** Kills geored with `signal` and starts it again on the same ports, config and store. */
  async restart(signal: NodeJS.Signals = 'SIGKILL'): Promise<{ downMs: number }> {
    const t0 = Date.now();
    this.keepLogs();
    await this.stopProcess(this.geored, signal);
    await this.startGeored();
    return { downMs: Date.now() - t0 };
  }

  /**
   * Puts a sipp running `scenario` behind a region's relay for new calls and probes (geored sees the same
   * address); calls already set up finish on the old one, stopped with the world.
   */
  async swapRegion(name: string, scenario: string): Promise<void> {
    const r = this.region(name);
    const next = await startSipp({ scenario });
    r.relay.retarget(next.port);
    this.retired.push(r.sipp);
    r.sipp = next;
  }
  private readonly retired: SippPeer[] = [];

  /**
   * Another geored on the same config (regions, relays, Redis) with a store of its own and its own ports:
   * a second instance sharing live state. Stopped with the world.
   */
  async startPeer(): Promise<GeoredProcess> {
    const n = this.peers.length + 2;
    const peer = await startGeoredProcess({
      configFile: this.configFile,
      env: {
        GEORED_API_TOKEN: TOKEN,
        GEORED_STORE: `sqlite:${join(this.dir, `geored-${n}.db`)}`,
        ...this.opts.env,
      },
      readyTimeoutMs: 60_000,
    });
    this.peers.push(peer);
    this.watchExit(peer);
    return peer;
  }
  readonly peers: GeoredProcess[] = [];

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    on: GeoredProcess = this.geored,
  ): Promise<{ status: number; body: T }> {
    let res: Response;
    try {
      res = await fetch(`${on.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      // A refused connection usually means geored is gone: say so, with what it logged last.
      if (this.deaths.length > 0)
        throw new Error(`${method} ${path} failed (${(err as Error).message}): ${this.deaths.join('\n')}`);
      throw err;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics, readyz text)
    }
    return { status: res.status, body: parsed as T };
  }

  async get<T = Record<string, unknown>>(path: string, on: GeoredProcess = this.geored): Promise<T> {
    const r = await this.request<T>('GET', path, undefined, on);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async active(on: GeoredProcess = this.geored): Promise<string | null> {
    const r = await this.request<{ name?: string }>('GET', `${GEO}/active-region`, undefined, on).catch(
      () => ({ status: 0, body: {} as { name?: string } }),
    );
    return r.status === 200 ? (r.body.name ?? null) : null;
  }

  async history(): Promise<FailoverRow[]> {
    return (await this.get<{ failovers: FailoverRow[] }>(`${GEO}/failover-history?limit=1000`)).failovers;
  }

  /** Every call record, newest first, paged 1000 at a time backwards with `until` (the API's maximum). */
  async callRecords(on: GeoredProcess = this.geored): Promise<CallRecord[]> {
    const byId = new Map<string, CallRecord>();
    let until = '';
    for (let page = 0; page < 100; page++) {
      const q = `/api/calls?limit=1000${until ? `&until=${encodeURIComponent(until)}` : ''}`;
      const rows = (await this.get<{ calls: CallRecord[] }>(q, on)).calls;
      const before = byId.size;
      for (const r of rows) byId.set(r.call_id, r);
      if (rows.length < 1000 || byId.size === before) break;
      // `until` is exclusive: 1 ms past the oldest, so rows sharing its millisecond are read again, not skipped.
      const oldest = Math.min(...rows.map((r) => Date.parse(r.started_at)));
      until = new Date(oldest + 1).toISOString();
    }
    return [...byId.values()];
  }

  async regionState(name: string): Promise<{ state: string; reason: string }> {
    return this.get(`${GEO}/regions/${name}/health`);
  }

  /** JSON log lines of the current geored process, every earlier one of this world, and its peers. */
  logs(): Array<Record<string, unknown>> {
    return [...this.earlierLogs, ...this.geored.logs(), ...this.peers.flatMap((p) => p.logs())];
  }
  private readonly earlierLogs: Array<Record<string, unknown>> = [];

  /** Keeps the log of a process about to be replaced. */
  keepLogs(): void {
    this.earlierLogs.push(...this.geored.logs());
  }

  async stop(): Promise<void> {
    if (this.geored) await this.stopProcess(this.geored, 'SIGKILL').catch(() => undefined);
    await Promise.all(this.peers.map((p) => this.stopProcess(p, 'SIGKILL')));
    await Promise.all(
      this.regions.map((r) =>
        Promise.all([r.sipp.stop(), r.relay.close(), r.tcpRelay?.close(), r.tlsRelay?.close()]),
      ),
    );
    await Promise.all(this.retired.map((s) => s.stop()));
    rmSync(this.dir, { recursive: true, force: true });
    if (this.tls) rmSync(this.tls.dir, { recursive: true, force: true });
  }
}

function lastLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-n).join('\n');
}

/** Waits until `cond` holds, polling every 50 ms; throws naming `what` after `boundMs` (a bound, never an assertion on speed). */
export async function until(
  cond: () => Promise<boolean> | boolean,
  what: string,
  boundMs = 20_000,
): Promise<number> {
  const end = Date.now() + boundMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not within ${boundMs} ms: ${what}`);
    await sleep(50);
  }
  return Date.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
