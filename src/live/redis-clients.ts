import { Redis } from 'ioredis';

/**
 * ioredis connections for live state. Calls must fail at once when Redis is away (the caller then falls
 * back to the local cache) instead of queueing: no offline queue, one retry per request. Reconnection is
 * ioredis's own, quick and capped so a returning Redis is noticed within half a second.
 */
export function createRedisClient(url: string, connectionName: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    connectionName,
    retryStrategy: (attempt) => Math.min(50 * attempt, 500),
  });
}
