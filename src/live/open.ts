import pino, { type Logger } from 'pino';
import { errorFactory } from '../errors/catalogue';
import { LIVE_ERRORS } from '../errors/live';
import { MemoryLiveState } from './memory-live-state';
import { redactRedisUrl } from './redact';
import { RedisLiveState } from './redis-live-state';
import type { LiveState } from './types';

const err = errorFactory(LIVE_ERRORS);

export interface OpenLiveStateOptions {
  /** `redis://` or `rediss://` URL; without it live state stays in this process. */
  readonly redisUrl?: string;
  /** Names this instance in records it writes and in the leadership lock; unique per instance. */
  readonly instanceId: string;
  /** Prefix of every Redis key and of the change channel; default `geored:`. */
  readonly keyPrefix?: string;
  readonly logger?: Logger;
  /** How long to wait for the first sync with Redis before carrying on disconnected; default 3 s. */
  readonly connectWaitMs?: number;
}

/**
 * Live state for this instance: in memory without `redisUrl`, shared through Redis with it. With Redis it
 * resolves even when Redis cannot be reached (status().connected says so); it syncs when Redis comes.
 */
export async function openLiveState(options: OpenLiveStateOptions): Promise<LiveState> {
  const logger = options.logger ?? pino({ level: 'silent' });
  if (!options.redisUrl) return new MemoryLiveState(options.instanceId, logger);
  checkRedisUrl(options.redisUrl);
  return RedisLiveState.open({
    url: options.redisUrl,
    instanceId: options.instanceId,
    keyPrefix: options.keyPrefix ?? 'geored:',
    logger,
    ...(options.connectWaitMs === undefined ? {} : { connectWaitMs: options.connectWaitMs }),
  });
}

function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw err('LIVE_BAD_REDIS_URL', { url: redactRedisUrl(url), detail: 'not a URL' });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw err('LIVE_BAD_REDIS_URL', {
      url: redactRedisUrl(url),
      detail: `expected redis:// or rediss://, found ${parsed.protocol}//`,
    });
  }
}
