import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ACQUIRE_LOCK, RELEASE_LOCK, RENEW_LOCK } from './redis-scripts';
import type { LeaderEvent, LeaderHandle } from './types';

export interface RedisLeaderOptions {
  readonly name: string;
  readonly ttlMs: number;
  readonly key: string;
  readonly redis: Redis;
  readonly instanceId: string;
  readonly logger: Logger;
}

/**
 * Leadership through a Redis lock: SET NX PX with a token of our own, renewed every ttl/3 only while the
 * token is still ours, deleted only if it is ours. A follower that finds the lock taken tries again when
 * the holder's lock would expire, so a dead leader is replaced within the TTL.
 *
 * When Redis cannot be reached, every instance acts as leader. The work guarded here is probing regions,
 * which is idempotent and safe to run from several instances at once (the cost is duplicate probes); the
 * alternative, no instance probing because the lock cannot be checked, would leave failures unseen exactly
 * when the infrastructure is in trouble. When Redis is back the lock decides again and the extra leaders
 * step down.
 */
export class RedisLeader extends EventEmitter implements LeaderHandle {
  private readonly token: string;
  private leader = false;
  private stopped = false;
  private ticking = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: RedisLeaderOptions) {
    super();
    this.token = `${opts.instanceId}:${randomUUID()}`;
  }

  get name(): string {
    return this.opts.name;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  override on(event: LeaderEvent, listener: () => void): this {
    return super.on(event, listener);
  }

  override off(event: LeaderEvent, listener: () => void): this {
    return super.off(event, listener);
  }

  start(): void {
    this.schedule(0);
  }

  async release(): Promise<void> {
    if (this.stopped) return;
    this.stop();
    try {
      await RELEASE_LOCK.run(this.opts.redis, [this.opts.key], [this.token]);
    } catch (err) {
      // Redis away: the lock expires on its own within the TTL.
      this.opts.logger.debug({ err, lock: this.opts.name }, 'live state: could not release the lock');
    }
    this.setLeader(false, 'released');
  }

  /** Stops renewing without giving the lock back, as a crashed process would. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Checks the lock now rather than at the next period, e.g. as soon as Redis is back. */
  checkNow(): void {
    if (this.stopped || this.ticking) return;
    if (this.timer) clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    try {
      await this.checkLock();
    } finally {
      this.ticking = false;
    }
  }

  private async checkLock(): Promise<void> {
    const { ttlMs, redis, key } = this.opts;
    const period = Math.max(1, Math.floor(ttlMs / 3));
    let next = period;
    try {
      if (this.leader) {
        const renewed = await RENEW_LOCK.run(redis, [key], [this.token, ttlMs]);
        if (this.stopped) return;
        if (renewed !== 1) {
          // Expired (we were slow, or Redis lost it) and maybe taken: take it again if it is free.
          const reply = await ACQUIRE_LOCK.run(redis, [key], [this.token, ttlMs]);
          if (this.stopped) return;
          if (reply !== 'acquired') this.setLeader(false, 'the lock is held by another instance');
        }
      } else {
        const reply = await ACQUIRE_LOCK.run(redis, [key], [this.token, ttlMs]);
        if (this.stopped) return;
        if (reply === 'acquired') this.setLeader(true, 'lock acquired');
        // Try again as soon as the holder's lock would expire (plus a little), not a whole period later.
        else if (typeof reply === 'number' && reply >= 0) next = Math.min(period, reply + 5);
      }
    } catch (err) {
      if (this.stopped) return;
      this.opts.logger.debug({ err, lock: this.opts.name }, 'live state: lock check failed');
      if (!this.leader) this.setLeader(true, 'Redis unreachable: acting as leader on our own');
    }
    this.schedule(next);
  }

  private setLeader(leader: boolean, reason: string): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.opts.logger.info(
      { lock: this.opts.name, instanceId: this.opts.instanceId, reason },
      leader ? 'live state: elected leader' : 'live state: no longer leader',
    );
    this.emit(leader ? 'elected' : 'lost');
  }
}
