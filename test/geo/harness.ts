/**
 * Real services for the geo tests: a GeographicRedundancy on a real store (SQLite file or a PostgreSQL
 * database of its own), real live state (memory, or the shared Redis under a unique prefix), and a real
 * SIP stack for sip_options probes. `controlled` installs a TypeScript check ('custom', as in the guide)
 * whose answer per region the test sets, for the examples that need no network.
 */
import pino from 'pino';
import { parseConfig } from '../../src/config';
import type { Config } from '../../src/config/types';
import { openParts } from '../../src/geo/open';
import { createGeographicRedundancy, type GeographicRedundancy } from '../../src/geo/service';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../store/databases';

export type Dialect = 'sqlite' | 'postgres';

export function newDatabase(dialect: Dialect): Promise<TestDatabase> {
  return dialect === 'sqlite' ? sqliteDatabase() : postgresDatabase();
}

/** Fast profile: a failure is confirmed in about half a second. */
export const FAST_HEALTH = [
  '    health_check:',
  '      interval: 0.1',
  '      timeout: 0.25',
  '      retry_count: 2',
  '      success_threshold: 2',
  '      score_window: 5',
  '      jitter: 0',
];

/**
 * For the controlled check, which answers at once: the same pace, with a timeout a loaded machine's
 * event-loop stall cannot reach, so a probe fails only when the test says so.
 */
/** Two regions of config.yml (us-east-1 first, us-west-1 second), as several service tests use them. */
export const TWO_REGIONS = [
  '    regions:',
  '      - name: us-east-1',
  '        priority: 1',
  '        trunk_id: trunk-us-east',
  '        sip_server: sip.us-east.provider.com',
  '      - name: us-west-1',
  '        priority: 2',
  '        trunk_id: trunk-us-west',
  '        sip_server: sip.us-west.provider.com',
];

export const CONTROLLED_HEALTH = FAST_HEALTH.map((l) => (l.includes('timeout:') ? '      timeout: 2' : l));

export function configOf(storeUrl: string, geoLines: string[], serverLines: string[] = []): Config {
  const yaml = [
    'features:',
    '  geographic_redundancy:',
    '    enabled: true',
    ...geoLines,
    'server:',
    `  store: "${storeUrl}"`,
    ...serverLines,
    '',
  ].join('\n');
  return parseConfig(yaml, 'test-config.yml', {});
}

export interface ServiceOptions {
  readonly config: Config;
  /** Regions answering the controlled 'custom' check: true healthy, false failing (default true). */
  readonly controlled?: Map<string, boolean>;
  readonly keyPrefix?: string;
  readonly leaderTtlMs?: number;
  readonly instanceId?: string;
  /** Called on every probe of the controlled check, to see which instance probes. */
  readonly onProbe?: (region: string) => void;
}

export async function openService(opts: ServiceOptions): Promise<GeographicRedundancy> {
  const logger = pino({ level: process.env.GEORED_TEST_LOG ?? 'silent' });
  const parts = await openParts(opts.config, {
    logger,
    ...(opts.keyPrefix !== undefined ? { keyPrefix: opts.keyPrefix } : {}),
    ...(opts.instanceId !== undefined ? { instanceId: opts.instanceId } : {}),
  });
  const service = createGeographicRedundancy({
    ...parts,
    tickMs: 50,
    refreshMs: 200,
    checkFlushMs: 100,
    checkPruneMs: 200,
    leaderTtlMs: opts.leaderTtlMs ?? 2000,
  });
  const controlled = opts.controlled;
  if (controlled) {
    service.addHealthCheckMethod('custom', (region) => {
      opts.onProbe?.(region.name);
      return controlled.get(region.name) ?? true;
    });
    await service.configureHealthCheck({ check_methods: ['custom'] });
  }
  await service.start();
  return service;
}

/** Polls `condition` (sync or async) until it holds; fails naming `what`. Durations are never asserted. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<number> {
  const start = performance.now();
  while (!(await condition())) {
    if (performance.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - start;
}
