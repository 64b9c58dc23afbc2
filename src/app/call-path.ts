/**
 * The call path of `geored serve`: the SIP proxy on the service's SipStack, geored's trunk registrations in
 * every region with credentials, and the PBX's registrar, all following the regions the service knows.
 *
 * Nothing here resolves DNS on the call path: every region's `sip_server` is resolved (RFC 3263, through a
 * TargetCache) in the background, on a timer and whenever regions change, and the proxy reads the last
 * answer. The proxy precomputes a plan per region object, so the same objects are handed out until
 * something about a region (configuration, resolved targets, measured round trip) changes.
 */
import { isIP } from 'node:net';
import { callJournalPath, FileCallJournal } from '../store/call-journal';
import type { CallInput, Store } from '../store/types';
import type { Logger } from 'pino';
import type { Config, RegionConfig } from '../config/types';
import type { GeographicRedundancy } from '../geo/service';
import type { ResultEvent } from '../health/monitor';
import type { LiveState, RegistrationState as LiveRegistrationState } from '../live/types';
import type { Metrics } from '../metrics/registry';
import { createSipProxy, type RegionRuntime, type SipProxy, type SourceClass } from '../proxy';
import {
  classifySource,
  PbxRegistrar,
  TrunkRegistrations,
  type PbxSources,
  type RegionSources,
  type RegistrationState,
  type RegistrationStatus,
} from '../registration';
import { dnsClient } from '../sip/dns/dns-client';
import { TargetCache } from '../sip/dns/target-cache';
import { followBindings, publishBindings, storePersistence } from './pbx-bindings';
import type { SipStack } from '../sip/stack';
import type { Endpoint, TransportProtocol } from '../sip/transport/types';

/** Every state a trunk registration can be in: the labels of geored_registration_state. */
const REGISTRATION_STATES: readonly RegistrationState[] = [
  'unregistered',
  'registering',
  'registered',
  'refreshing',
  'failed',
  'rejected',
];

export interface CallPathOptions {
  readonly config: Config;
  readonly stack: SipStack;
  readonly service: GeographicRedundancy;
  /** What the service was opened on (src/geo/open.ts), handed here by the composition root. */
  readonly store: Store;
  readonly live: LiveState;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** How often every region's sip_server is resolved again; default 30 s. */
  readonly dnsRefreshMs?: number;
  /** How long start-up waits for the first resolution of every region; default 5 s. */
  readonly initialResolveMs?: number;
  /** Call records just written (the event stream). */
  readonly onCallsRecorded?: (calls: readonly CallInput[]) => void;
}

interface Planned {
  readonly config: RegionConfig;
  readonly endpoints: readonly Endpoint[];
  readonly rttMs: number | null;
  readonly runtime: RegionRuntime;
}

/** Sources whose classification is kept (see CallPath.classify). */
const CLASSIFIED_MAX = 1024;

export class CallPath {
  readonly proxy: SipProxy;
  readonly registrar: PbxRegistrar | null;
  readonly registrations: TrunkRegistrations;
  private readonly cache: TargetCache;
  private readonly log: Logger;
  /** Last resolved targets per region; replaced only when the answer differs, so identity means "same". */
  private readonly resolved = new Map<string, readonly Endpoint[]>();
  private readonly dnsFailures = new Map<string, string>();
  private readonly rtt = new Map<string, number>();
  private planned = new Map<string, Planned>();
  private runtimes: readonly RegionRuntime[] = [];
  private regionSources: readonly RegionSources[] = [];
  private pbxSources: PbxSources;
  /** The regions whose registration was set up, with the configuration it was set up from. */
  private readonly registered = new Map<string, RegionConfig>();
  private readonly timer: NodeJS.Timeout;
  private work: Promise<void> = Promise.resolve();
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;
  /** SQLite's call-record journal (src/store/call-journal.ts); none for PostgreSQL or a memory store. */
  private readonly journal: FileCallJournal | null;

  private constructor(private readonly opts: CallPathOptions) {
    const { config, stack, service, store, live, metrics } = opts;
    this.log = opts.logger;
    this.journal = store.file ? new FileCallJournal(callJournalPath(store.file)) : null;
    const supported = [...new Set<TransportProtocol>(stack.endpoints().map((e) => e.protocol))];
    const refreshMs = opts.dnsRefreshMs ?? 30_000;
    // Entries expire before the next refresh tick, so each tick asks DNS again (node hides the TTLs).
    this.cache = new TargetCache(dnsClient(config.server.dns?.servers), {
      supported,
      random: Math.random,
      ttlMs: refreshMs / 2,
      now: Date.now,
    });
    const pbx = config.pbx;
    this.registrar =
      pbx.credentials !== undefined || pbx.address !== undefined
        ? new PbxRegistrar({
            pbx,
            security: config.security,
            logger: this.log.child({ component: 'registrar' }),
            onBan: (ban) => metrics.authBans.inc({ kind: ban.kind }),
            persistence: storePersistence(store),
            publish: publishBindings(live),
            onAuthFailure: () => metrics.authFailures.inc(),
          })
        : null;
    if (this.registrar) {
      const registrar = this.registrar;
      metrics.activeBans = () => registrar.guard.activeBans(Date.now());
      // Another instance took the PBX's REGISTER: calls arriving here must find the PBX too.
      this.unsubscribe.push(followBindings(live, registrar, this.log));
    }
    this.pbxSources = this.pbxSourcesNow();
    if (this.registrar) {
      const registrar = this.registrar;
      this.unsubscribe.push(registrar.onChange(() => (this.pbxSources = this.pbxSourcesNow())));
    }
    this.registrations = new TrunkRegistrations({
      stack,
      resolve: (target) => this.cache.resolve(target),
      logger: this.log.child({ component: 'registration' }),
    });
    this.registrations.on('state', (region, status) => this.onRegistration(region, status));
    const onResult = (e: ResultEvent): void => this.onProbe(e);
    this.unsubscribe.push(service.onProbeResult(onResult));
    this.unsubscribe.push(service.onRegionsChanged(() => this.schedule()));

    this.proxy = createSipProxy({
      stack,
      config: { proxy: config.proxy, pbx: config.pbx, security: config.security },
      router: (facts) =>
        service.routeCall({ number: callingNumber(facts.fromUri), sourceAddress: facts.source.address }),
      regions: () => this.runtimes,
      classify: (source) => this.classify(source),
      ...(this.registrar ? { registrar: this.registrar } : {}),
      store,
      metrics,
      onCallOutcome: (region, outcome, detail) => service.reportCallOutcome(region, outcome, detail),
      ...(opts.onCallsRecorded ? { onCallsRecorded: opts.onCallsRecorded } : {}),
      // SQLite: records reach a journal beside the database at the end of the turn that settled them
      // and the database every flush, so a SIGKILL loses no answered call (src/store/call-journal.ts).
      ...(this.journal ? { callJournal: this.journal } : {}),
      logger: this.log.child({ component: 'proxy' }),
    });
    this.timer = setInterval(() => this.schedule(), refreshMs);
    this.timer.unref();
  }

  /** Builds the call path, resolves every region (bounded) and starts the registrations. */
  static async open(opts: CallPathOptions): Promise<CallPath> {
    const path = new CallPath(opts);
    path.schedule();
    let bound: NodeJS.Timeout | undefined;
    // A slow DNS must not keep geored from starting: regions not resolved yet are skipped by the proxy.
    await Promise.race([
      path.work,
      new Promise<void>((resolve) => (bound = setTimeout(resolve, opts.initialResolveMs ?? 5_000))),
    ]);
    clearTimeout(bound);
    await path.registrar
      ?.restore()
      .catch((err: unknown) => path.log.error({ err }, 'could not restore the PBX registration'));
    path.registrations.start();
    return path;
  }

  /** The regions as the proxy sees them now (for tests and diagnostics). */
  regions(): readonly RegionRuntime[] {
    return this.runtimes;
  }

  /** Stops routing housekeeping and writes pending call records (first on SIGTERM, after the API). */
  async closeProxy(): Promise<void> {
    await this.proxy.close();
    this.journal?.close();
  }

  /** Un-REGISTERs every region (bounded per region) and stops following the service. */
  async stopRegistrations(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const u of this.unsubscribe.splice(0)) u();
    await this.work.catch(() => undefined);
    await this.registrations.stop();
    await this.registrar?.flush();
    this.registrar?.close();
  }

  /**
   * Asked for every request (the screen, the proxy), from a handful of sources: the answer, with its
   * sentence, is kept per source until the regions or the PBX's addresses change (both are replaced, not
   * edited, so a changed input is a new object). Bounded: sources from everywhere only empty it.
   */
  private classify(source: Endpoint): SourceClass {
    if (this.classifiedFor !== this.regionSources || this.classifiedPbx !== this.pbxSources) {
      this.classified.clear();
      this.classifiedFor = this.regionSources;
      this.classifiedPbx = this.pbxSources;
    }
    const key = `${source.address}|${source.port}`;
    let c = this.classified.get(key);
    if (c === undefined) {
      c = classifySource(source, this.regionSources, this.pbxSources);
      if (this.classified.size >= CLASSIFIED_MAX) this.classified.clear();
      this.classified.set(key, c);
    }
    return c;
  }
  private readonly classified = new Map<string, SourceClass>();
  private classifiedFor: unknown = null;
  private classifiedPbx: unknown = null;

  /**
   * The PBX as the classifier sees it: its registered contacts and its static address. A PBX with
   * credentials is "configured" from the start, so loopback sources do not stand in for it; its first
   * REGISTER reaches the registrar anyway, which checks the digest (see SipProxy.onRequest).
   */
  private pbxSourcesNow(): PbxSources {
    const pbx = this.opts.config.pbx;
    const registered = this.registrar?.registeredEndpoints() ?? [];
    return {
      registered,
      ...(pbx.address !== undefined ? { address: pbx.address } : {}),
      configured: pbx.address !== undefined || pbx.credentials !== undefined || registered.length > 0,
      allowAnyLoopback: pbx.allow_any_loopback,
    };
  }

  /** Queues one sync: registrations follow the regions, targets are resolved, runtimes rebuilt. */
  private schedule(): void {
    if (this.closed) return;
    this.work = this.work
      .then(() => this.sync())
      .catch((err: unknown) => this.log.error({ err }, 'call path sync failed'));
  }

  private async sync(): Promise<void> {
    if (this.closed) return;
    const configs = this.opts.service.regionConfigs();
    await this.syncRegistrations(configs);
    await Promise.all(configs.map((c) => this.resolve(c)));
    for (const name of [...this.resolved.keys()]) {
      if (!configs.some((c) => c.name === name)) {
        this.resolved.delete(name);
        this.rtt.delete(name);
      }
    }
    this.rebuild();
    this.pbxSources = this.pbxSourcesNow();
  }

  private async syncRegistrations(configs: readonly RegionConfig[]): Promise<void> {
    const names = new Set(configs.map((c) => c.name));
    for (const name of [...this.registered.keys()]) {
      if (names.has(name)) continue;
      this.registered.delete(name);
      await this.registrations.removeRegion(name).catch(() => undefined);
    }
    for (const c of configs) {
      const before = this.registered.get(c.name);
      if (before === c) continue;
      try {
        await this.registrations.updateRegion(c);
        if (c.credentials !== undefined) this.registered.set(c.name, c);
        else if (before !== undefined) {
          this.registered.delete(c.name);
          // Credentials gone: registration says nothing about this region's health any more.
          await this.opts.service.setRegistrationState(c.name, 'unregistered', 'no credentials');
        }
      } catch (err) {
        this.log.error({ err, region: c.name }, `could not set up the trunk registration of ${c.name}`);
      }
    }
  }

  private async resolve(c: RegionConfig): Promise<void> {
    try {
      const endpoints = await this.cache.resolve(c.target);
      const before = this.resolved.get(c.name);
      if (!before || !sameEndpoints(before, endpoints)) this.resolved.set(c.name, endpoints);
      if (this.dnsFailures.delete(c.name))
        this.log.info({ region: c.name }, `${c.sip_server} resolves again`);
    } catch (err) {
      const reason = (err as Error).message;
      // One line per new failure, not one per refresh tick.
      if (this.dnsFailures.get(c.name) !== reason) {
        this.dnsFailures.set(c.name, reason);
        this.log.warn(
          { region: c.name, sip_server: c.sip_server, reason },
          `could not resolve ${c.sip_server}; calls skip ${c.name} until it resolves`,
        );
      }
    }
  }

  /** New runtime objects only for regions that changed; a new list only when any did. */
  private rebuild(): void {
    const next = new Map<string, Planned>();
    let changed = false;
    for (const config of this.opts.service.regionConfigs()) {
      const endpoints = this.resolved.get(config.name) ?? NO_ENDPOINTS;
      const rttMs = this.rtt.get(config.name) ?? null;
      const prev = this.planned.get(config.name);
      if (prev && prev.config === config && prev.endpoints === endpoints && prev.rttMs === rttMs) {
        next.set(config.name, prev);
        continue;
      }
      changed = true;
      next.set(config.name, { config, endpoints, rttMs, runtime: runtimeOf(config, endpoints, rttMs) });
    }
    if (!changed && next.size === this.planned.size) return;
    this.planned = next;
    this.runtimes = [...next.values()].map((p) => p.runtime);
    this.regionSources = [...next.values()].map((p) => ({
      region: p.config.name,
      endpoints: p.endpoints,
      sourceAddresses: p.config.source_addresses,
    }));
  }

  /**
   * A successful OPTIONS round trip: the region's provisional timeout is at least three of them. Small
   * jitter is ignored, since every change re-plans the region on the call path.
   */
  private onProbe(e: ResultEvent): void {
    if (e.method !== 'sip_options' || !e.outcome.success || e.outcome.latency_ms === null) return;
    const ms = Math.max(1, Math.round(e.outcome.latency_ms));
    const prev = this.rtt.get(e.region);
    if (prev !== undefined && Math.abs(ms - prev) <= Math.max(2, prev * 0.25)) return;
    this.rtt.set(e.region, ms);
    this.rebuild();
  }

  private onRegistration(region: string, status: RegistrationStatus): void {
    const service = this.opts.service;
    if (service.getRegion(region) === null) return; // removed: its metrics are already forgotten
    this.opts.metrics.setRegistrationState(region, status.state, REGISTRATION_STATES);
    void service.setRegistrationState(region, liveState(status), status.reason);
  }
}

const NO_ENDPOINTS: readonly Endpoint[] = [];

/** The four states live state and the API know: a refresh is still registered, a retry still failing. */
function liveState(status: RegistrationStatus): LiveRegistrationState {
  switch (status.state) {
    case 'registered':
    case 'refreshing':
      return 'registered';
    case 'failed':
    case 'rejected':
      return 'failed';
    case 'registering':
      return status.failures > 0 ? 'failed' : 'registering';
    case 'unregistered':
      return 'unregistered';
  }
}

function runtimeOf(
  config: RegionConfig,
  endpoints: readonly Endpoint[],
  rttMs: number | null,
): RegionRuntime {
  const creds = config.credentials;
  const uriHost = config.request_uri_host ?? providerDomain(config);
  return {
    name: config.name,
    endpoints,
    ...(uriHost !== undefined ? { request_uri_host: uriHost } : {}),
    rewrite_headers: config.rewrite_headers,
    ...(creds !== undefined
      ? {
          credentials: {
            username: creds.username,
            password: creds.password.value,
            ...(creds.realm !== undefined ? { realm: creds.realm } : {}),
          },
        }
      : {}),
    rttMs,
  };
}

/**
 * A sip_server given as a name is the provider's domain, which is what it expects in the Request-URI; an IP
 * literal is left to the proxy (the resolved address and port, with the transport).
 */
function providerDomain(config: RegionConfig): string | undefined {
  const t = config.target;
  if (isIP(t.host) !== 0) return undefined;
  return t.port === null ? t.host : `${t.host}:${t.port}`;
}

/** The user part of the From URI (`sip:+15551230000@host` → `+15551230000`): the caller's number. */
function callingNumber(uri: string): string | null {
  const colon = uri.indexOf(':');
  if (colon < 0) return null;
  const rest = uri.slice(colon + 1);
  const end = rest.search(/[@;?]/);
  const user = end < 0 ? rest : rest.slice(0, end);
  // tel:+1555 has no '@'; sip:host without a user part is a host, not a number.
  if (!uri.startsWith('tel:') && !rest.includes('@')) return null;
  return user === '' ? null : user;
}

function sameEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  return (
    a.length === b.length &&
    a.every((e, i) => e.protocol === b[i]!.protocol && e.address === b[i]!.address && e.port === b[i]!.port)
  );
}
