import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const SHARED_REDIS_URL = process.env.GEORED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test (or parallel run) uses. */
export function uniquePrefix(): string {
  return `geored-test:live:${randomUUID()}:`;
}

/** Deletes every key under `prefix` on the shared Redis. */
export async function dropPrefix(prefix: string): Promise<void> {
  const client = new Redis(SHARED_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
