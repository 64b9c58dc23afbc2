import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { GeoredError, errorFactory } from '../errors/catalogue';
import { LIVE_ERRORS } from '../errors/live';
import { LiveCache } from './cache';
import { CachedLiveReads } from './cached-reads';
import { decodeView, encodeView, makeView, OwnViews, viewField } from './health-views';
import { activeWrite, regionHealthWrite, regionRemoval, simulationWrite } from './local-writes';
import { checkCount, checkName } from './names';
import {
  ACTIVE_ID,
  fromFields,
  nextVersion,
  pairsToFields,
  regionId,
  regionPatchFields,
  simId,
  type Fields,
  type LiveRecord,
} from './records';
import { redactRedisUrl } from './redact';
import { createRedisClient } from './redis-clients';
import { RedisKeys } from './redis-keys';
import { RedisLeader } from './redis-leader';
import { ADD_TO_COUNTER, WRITE_RECORD } from './redis-scripts';
import { resynchronise } from './resync';
import { SignalHub } from './signals';
import type {
  ActiveRegion,
  HealthView,
  HealthViewInput,
  LeaderHandle,
  LiveSignalListener,
  LiveState,
  LiveStatus,
  RegionHealthPatch,
  RegionLive,
  SetActiveOptions,
  Simulation,
} from './types';

const err = errorFactory(LIVE_ERRORS);

export interface RedisLiveStateOptions {
  readonly url: string;
  readonly instanceId: string;
  readonly keyPrefix: string;
  readonly logger: Logger;
  /** How long open() waits for the first sync before carrying on disconnected. */
  readonly connectWaitMs?: number;
}

type WriteMode = 'patch' | 'replace' | 'active';

/** How often an instance that is not in sync checks whether it can resync (reconnects also trigger it). */
const RESYNC_RETRY_MS = 500;

/**
 * Live state shared through Redis. Every read is served from the local cache; every write runs a Lua
 * script that writes, versions and publishes in one step, and every instance applies what is published.
 * While Redis is away (or before the first sync) writes are made locally and pushed on resync.
 */
export class RedisLiveState extends CachedLiveReads implements LiveState {
  readonly instanceId: string;
  private readonly keys: RedisKeys;
  private readonly logger: Logger;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly leaders = new Set<RedisLeader>();
  /** Record ids written locally while not in sync: a resync pushes them before calling itself done. */
  private readonly dirty = new Set<string>();
  /** Counts made locally while not in sync, added to Redis on resync. */
  private readonly pendingCounts = new Map<string, number>();
  private synced = false;
  private since = Date.now();
  private saidUnreachable = false;
  private resyncing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly signals: SignalHub;
  private readonly ownViews = new OwnViews();

  static async open(options: RedisLiveStateOptions): Promise<RedisLiveState> {
    const state = new RedisLiveState(options);
    await state.start(options.connectWaitMs ?? 3_000);
    return state;
  }

  private constructor(private readonly options: RedisLiveStateOptions) {
    const logger = options.logger.child({ component: 'live', redis: redactRedisUrl(options.url) });
    // Reads and subscriptions are served from the cache (CachedLiveReads), never from Redis.
    super(new LiveCache(logger));
    this.logger = logger;
    this.instanceId = options.instanceId;
    this.keys = new RedisKeys(options.keyPrefix);
    this.signals = new SignalHub(logger);
    const name = `geored-${options.instanceId}`.replace(/[^\w.:-]/g, '_');
    this.cmd = createRedisClient(options.url, `${name}-cmd`);
    this.sub = createRedisClient(options.url, `${name}-sub`);
  }

  private async start(connectWaitMs: number): Promise<void> {
    for (const client of [this.cmd, this.sub]) {
      // ioredis repeats the error on every reconnect attempt; the outage itself is logged once below.
      client.on('error', (e: unknown) => this.logger.debug({ err: e }, 'live state: redis error'));
      client.on('close', () => this.markUnsynced('connection closed'));
      client.on('ready', () => this.tryResync());
    }
    this.sub.on('message', (_channel: string, message: string) => this.onMessage(message));
    await Promise.allSettled([this.cmd.connect(), this.sub.connect()]);
    this.tryResync();
    await this.waitForSync(connectWaitMs);
    if (!this.synced) this.markUnsynced('no sync with Redis yet');
  }

  // ---- writes ----

  async setActive(name: string, options: SetActiveOptions): Promise<ActiveRegion> {
    this.assertOpen('setActive');
    checkName('region', name);
    const fields = { name, activeSince: String(options.since ?? Date.now()), reason: options.reason };
    const shared = await this.writeShared(ACTIVE_ID, 'active', fields, options.expectedVersion);
    if (shared?.kind === 'active') return shared.data;
    const record = activeWrite(this.cache, name, options, this.instanceId, Date.now());
    this.applyLocal(record);
    return record.data;
  }

  async setRegionHealth(name: string, patch: RegionHealthPatch): Promise<RegionLive> {
    this.assertOpen('setRegionHealth');
    checkName('region', name);
    const shared = await this.writeShared(regionId(name), 'patch', regionPatchFields(patch));
    if (shared?.kind === 'region') return shared.data;
    const record = regionHealthWrite(this.cache, name, patch, this.instanceId, Date.now());
    this.applyLocal(record);
    return record.data;
  }

  async removeRegion(name: string): Promise<boolean> {
    this.assertOpen('removeRegion');
    if (!this.cache.getRegion(name)) return false;
    const shared = await this.writeShared(regionId(name), 'replace', { deleted: '1' });
    if (!shared) this.applyLocal(regionRemoval(this.cache, name, this.instanceId, Date.now()));
    return true;
  }

  async setSimulation(region: string, untilMs: number | null): Promise<Simulation> {
    this.assertOpen('setSimulation');
    checkName('region', region);
    const fields = { until: untilMs === null ? '' : String(untilMs) };
    const shared = await this.writeShared(simId(region), 'replace', fields);
    if (shared?.kind === 'sim') return shared.data;
    const record = simulationWrite(this.cache, region, untilMs, this.instanceId, Date.now());
    this.applyLocal(record);
    return record.data;
  }

  async incr(counter: string, by = 1): Promise<number> {
    this.assertOpen('incr');
    checkName('counter', counter);
    checkCount(counter, by);
    if (this.synced) {
      try {
        const floor = nextVersion(this.cache.counterSeq(counter), Date.now());
        const reply = await ADD_TO_COUNTER.run(
          this.cmd,
          [this.keys.counters, this.keys.counterVersions],
          [this.keys.channel, counter, by, floor, this.instanceId, ''],
        );
        const [value, seq] = reply as [number, string];
        this.cache.applyCounter(counter, Number(value), Number(seq), 'local');
        return Number(value);
      } catch (e) {
        this.onWriteFailure(e, 'incr');
      }
    }
    this.pendingCounts.set(counter, (this.pendingCounts.get(counter) ?? 0) + by);
    return this.cache.addToCounter(counter, by);
  }

  // ---- health views ----

  async publishHealthView(input: HealthViewInput, ttlMs: number): Promise<void> {
    this.assertOpen('publishHealthView');
    checkName('region', input.region);
    const view = makeView(input, this.instanceId, Date.now());
    this.ownViews.put(view, ttlMs);
    if (!this.synced) return;
    try {
      await this.cmd.hset(
        this.keys.healthViews,
        viewField(view.region, this.instanceId),
        encodeView(view, ttlMs),
      );
    } catch (e) {
      // A view is republished every probe round; losing one is not worth an outage of its own.
      this.logger.debug({ err: e, region: view.region }, 'live state: a health view was not published');
    }
  }

  async listHealthViews(): Promise<HealthView[]> {
    const now = Date.now();
    if (!this.synced) return this.ownViews.list(now);
    let all: Record<string, string>;
    try {
      all = await this.cmd.hgetall(this.keys.healthViews);
    } catch (e) {
      this.logger.debug({ err: e }, 'live state: health views not read; using this instance own views');
      return this.ownViews.list(now);
    }
    const out: HealthView[] = [];
    const expired: string[] = [];
    for (const [field, text] of Object.entries(all)) {
      const stored = decodeView(text);
      if (!stored || stored.expiresAt <= now) expired.push(field);
      else out.push(stored.view);
    }
    // Expired (a dead instance's) and unreadable views are deleted by whoever reads them first.
    if (expired.length > 0) await this.cmd.hdel(this.keys.healthViews, ...expired).catch(() => 0);
    return out;
  }

  async removeHealthViews(region: string): Promise<void> {
    this.ownViews.remove(region);
    if (!this.synced) return;
    const all = await this.cmd.hkeys(this.keys.healthViews).catch(() => [] as string[]);
    const mine = all.filter((f) => f.startsWith(`${region} `));
    if (mine.length > 0) await this.cmd.hdel(this.keys.healthViews, ...mine).catch(() => 0);
  }

  // ---- signals ----

  publishSignal(kind: string, payload: unknown): boolean {
    this.assertOpen('publishSignal');
    checkName('signal', kind);
    if (!this.synced) {
      this.signals.dropped++;
      return false;
    }
    // On the changes channel, so an instance hears signals exactly while it hears changes.
    const message = JSON.stringify({ g: kind, p: payload, b: this.instanceId });
    this.cmd.publish(this.keys.channel, message).catch((e: unknown) => {
      this.signals.dropped++;
      this.logger.debug({ err: e, signal: kind }, 'live state: a signal was dropped');
    });
    return true;
  }

  onSignal(listener: LiveSignalListener): () => void {
    return this.signals.on(listener);
  }

  // ---- leadership, status ----

  runForLeader(name: string, ttlMs: number): LeaderHandle {
    this.assertOpen('runForLeader');
    checkName('lock', name);
    const handle = new RedisLeader({
      name,
      ttlMs,
      key: this.keys.leader(name),
      redis: this.cmd,
      instanceId: this.instanceId,
      logger: this.logger,
    });
    this.leaders.add(handle);
    handle.start();
    return handle;
  }

  status(): LiveStatus {
    const leader = [...this.leaders].some((l) => l.isLeader);
    return {
      backend: 'redis',
      connected: this.synced,
      since: this.since,
      leader,
      signalsDropped: this.signals.dropped,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const leader of this.leaders) await leader.release();
    this.shutDown();
    await Promise.allSettled([this.cmd.quit(), this.sub.quit()]);
    // quit() fails while Redis is away; disconnect() also stops ioredis from reconnecting.
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  /**
   * Drops the connections without releasing leadership or saying goodbye, as a crashed process would;
   * other instances must notice by the lock's TTL. For failure drills and tests.
   */
  abandon(): void {
    if (this.closed) return;
    this.shutDown();
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  private shutDown(): void {
    this.closed = true;
    for (const leader of this.leaders) leader.stop();
    this.leaders.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  // ---- internals ----

  /**
   * Runs a write in Redis when in sync. Returns the record Redis now holds, or null when the write must be
   * made locally instead (not in sync, or the connection failed under us).
   */
  private async writeShared(
    id: string,
    mode: WriteMode,
    fields: Fields,
    expectedVersion?: number,
  ): Promise<LiveRecord | null> {
    if (!this.synced) return null;
    const current = this.cache.get(id);
    const floor = nextVersion(current ? current.data.version : 0, Date.now());
    let reply: unknown;
    try {
      reply = await WRITE_RECORD.run(
        this.cmd,
        [this.keys.record(id), this.keys.index],
        [
          this.keys.channel,
          id,
          expectedVersion === undefined ? '' : String(expectedVersion),
          floor,
          Date.now(),
          this.instanceId,
          mode,
          ...Object.entries(fields).flat(),
        ],
      );
    } catch (e) {
      this.onWriteFailure(e, `write ${id}`);
      return null;
    }
    const [outcome, payload] = reply as [string, unknown];
    if (outcome === 'conflict') {
      throw err('LIVE_VERSION_CONFLICT', {
        what: id === ACTIVE_ID ? 'the active region' : id,
        expected: expectedVersion,
        actual: Number(payload),
      });
    }
    const record = fromFields(id, pairsToFields(payload as unknown[]));
    if (!record) throw err('LIVE_REDIS_REFUSED', { operation: `write ${id}`, detail: 'unreadable reply' });
    this.cache.apply(record, 'local');
    return record;
  }

  private applyLocal(record: LiveRecord): void {
    this.dirty.add(record.id);
    this.cache.apply(record, 'local');
  }

  /** A Redis error reply is a bug to report; anything else means Redis is unreachable: carry on locally. */
  private onWriteFailure(e: unknown, operation: string): void {
    if (e instanceof GeoredError) throw e;
    if (e instanceof Error && e.name === 'ReplyError') {
      throw err('LIVE_REDIS_REFUSED', { operation, detail: e.message });
    }
    this.markUnsynced(`${operation} failed: ${e instanceof Error ? e.message : String(e)}`);
  }

  private onMessage(message: string): void {
    let parsed: {
      r?: unknown;
      f?: unknown;
      c?: unknown;
      v?: unknown;
      s?: unknown;
      b?: unknown;
      g?: unknown;
      p?: unknown;
    };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      this.logger.warn('live state: ignored an unreadable message');
      return;
    }
    if (typeof parsed.r === 'string' && Array.isArray(parsed.f)) {
      const record = fromFields(parsed.r, pairsToFields(parsed.f));
      if (record) this.cache.apply(record, record.data.updatedBy === this.instanceId ? 'local' : 'remote');
      return;
    }
    if (typeof parsed.g === 'string' && typeof parsed.b === 'string') {
      // Our own signals come back too; the sender has already acted on its own.
      if (parsed.b !== this.instanceId)
        this.signals.deliver({ kind: parsed.g, payload: parsed.p, from: parsed.b });
      return;
    }
    if (typeof parsed.c === 'string') {
      const origin = parsed.b === this.instanceId ? 'local' : 'remote';
      this.cache.applyCounter(parsed.c, Number(parsed.v), Number(parsed.s), origin);
    }
  }

  private markUnsynced(reason: string): void {
    if (this.closed) return;
    if (this.synced) {
      this.synced = false;
      this.since = Date.now();
      this.cache.emit({ kind: 'connection', connected: false });
    }
    if (!this.saidUnreachable) {
      // Once per outage: ioredis retries every half second and would otherwise flood the log.
      this.saidUnreachable = true;
      this.logger.warn({ reason }, 'live state: Redis unreachable; carrying on with the last known state');
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.tryResync();
      if (!this.synced) this.scheduleRetry();
    }, RESYNC_RETRY_MS);
    this.retryTimer.unref();
  }

  private tryResync(): void {
    if (this.closed || this.synced || this.resyncing) return;
    if (this.cmd.status !== 'ready' || this.sub.status !== 'ready') return;
    this.resyncing = this.resync().finally(() => {
      this.resyncing = null;
    });
  }

  private async resync(): Promise<void> {
    try {
      const outcome = await resynchronise({
        cache: this.cache,
        cmd: this.cmd,
        sub: this.sub,
        keys: this.keys,
        instanceId: this.instanceId,
        dirty: this.dirty,
        pendingCounts: this.pendingCounts,
      });
      if (this.closed) return;
      this.synced = true;
      this.since = Date.now();
      this.saidUnreachable = false;
      this.logger.info(outcome, 'live state: in sync with Redis');
      // A leader that acted alone during the outage settles the lock now, not a period later.
      for (const leader of this.leaders) leader.checkNow();
      this.cache.emit({ kind: 'resync', ...outcome });
      this.cache.emit({ kind: 'connection', connected: true });
    } catch (e) {
      this.logger.debug({ err: e }, 'live state: resync failed; will retry');
      this.scheduleRetry();
    }
  }

  private async waitForSync(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.synced && !this.closed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw err('LIVE_CLOSED', { operation });
  }
}
