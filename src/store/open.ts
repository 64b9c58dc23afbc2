import type { Logger } from 'pino';
import { GeoredError, errorFactory } from '../errors/catalogue';
import { STORE_ERRORS } from '../errors/store';
import type { DbHandle } from './db';
import { migrate } from './migrate';
import { PostgresDb } from './postgres-db';
import { SqlStore } from './sql-store';
import { SqliteDb } from './sqlite-db';
import type { Store } from './types';
import { reasonOf } from './reason';
import { parseStoreUrl, redactUrl } from './url';

const storeError = errorFactory(STORE_ERRORS);

export interface OpenStoreOptions {
  readonly logger?: Logger;
  /** Migrate only up to this schema version (upgrade tests, staged rollouts); the latest by default. */
  readonly migrateTo?: number;
  /** PostgreSQL connections kept open; 10 by default. */
  readonly poolSize?: number;
  /** The clock for timestamps a caller leaves out. */
  readonly now?: () => Date;
}

/**
 * Opens `sqlite:PATH` (parent directory created, WAL), `sqlite::memory:`, or `postgres://…` /
 * `postgresql://…`, and brings its schema up to date before returning.
 */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const location = parseStoreUrl(url);
  const redactedUrl = redactUrl(url);
  let handle: DbHandle | undefined;
  try {
    handle =
      location.dialect === 'sqlite'
        ? new SqliteDb(location.path, location.memory)
        : new PostgresDb(location.connectionString, { poolSize: opts.poolSize, logger: opts.logger });
    if (handle.dialect === 'postgres') await handle.all('SELECT 1'); // fail here, with a clear message
  } catch (err) {
    await handle?.close().catch(() => undefined);
    // No `cause`: a driver's error may carry the URL it was given (Node's URL errors keep `input`).
    throw storeError('STORE_CONNECT_FAILED', { url: redactedUrl, reason: reasonOf(err, url) });
  }
  try {
    await migrate(handle, { url, redactedUrl, target: opts.migrateTo, logger: opts.logger });
  } catch (err) {
    await handle.close().catch(() => undefined);
    if (err instanceof GeoredError) throw err;
    throw storeError('STORE_CONNECT_FAILED', { url: redactedUrl, reason: reasonOf(err, url) });
  }
  opts.logger?.debug({ store: redactedUrl }, 'store open');
  const file = location.dialect === 'sqlite' && !location.memory ? location.path : null;
  return new SqlStore(handle, { url, redactedUrl, now: opts.now, file });
}
