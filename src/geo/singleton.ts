/**
 * The process-wide GeographicRedundancy, as the guide's get_geographic_redundancy(), and
 * openGeographicRedundancy: everything opened from a Config (or a file path) and started.
 */
import type { Config } from '../config/types';
import { openParts, type OpenOptions } from './open';
import { createGeographicRedundancy, type GeoDeps, type GeographicRedundancy } from './service';

let instance: Promise<GeographicRedundancy> | null = null;

/** Opens everything from a Config (or a file path; embedded defaults without one) and starts a service. */
export async function openGeographicRedundancy(
  config?: Config | string,
  opts: OpenOptions & Pick<GeoDeps, 'leaderTtlMs' | 'tickMs' | 'refreshMs' | 'checkFlushMs' | 'clock'> = {},
): Promise<GeographicRedundancy> {
  const parts = await openParts(config, opts);
  const service = createGeographicRedundancy({ ...opts, ...parts });
  try {
    await service.start();
  } catch (err) {
    await service.stop().catch(() => undefined);
    throw err;
  }
  return service;
}

/**
 * The process-wide instance, as the guide's get_geographic_redundancy(): opened and started on first use
 * from `config` (a Config, or a config file path; the embedded defaults without one). `memoryStore` keeps
 * records in an in-memory SQLite database instead of the configured store (for scripts and tests).
 */
export function getGeographicRedundancy(
  config?: Config | string,
  opts: OpenOptions = {},
): Promise<GeographicRedundancy> {
  if (!instance) {
    const opening = openGeographicRedundancy(config, opts);
    instance = opening;
    opening.catch(() => {
      if (instance === opening) instance = null;
    });
  }
  return instance;
}

/** Stops the process-wide instance (if any), so the next getGeographicRedundancy() starts afresh. */
export async function resetGeographicRedundancy(): Promise<void> {
  const current = instance;
  instance = null;
  if (current) await (await current).stop();
}
