/**
 * A real geored API for tests: the real GeographicRedundancy service on a real store (a SQLite file in a
 * temp directory, or a given URL such as a PostgreSQL database), a real Metrics registry, tokens read from
 * a config document through the real config loader, and a logger whose lines the test can read.
 *
 * Health is driven by a TTL check with a long TTL and a long interval, so regions stay HEALTHY unless a
 * test makes them otherwise (simulate-failure), and no probe traffic leaves the machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { buildApi } from '../../src/api/server';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/types';
import { openParts } from '../../src/geo/open';
import { createGeographicRedundancy, type GeographicRedundancy } from '../../src/geo/service';
import { Metrics } from '../../src/metrics/registry';
import type { Store } from '../../src/store/types';

export const P = '/api/framework/geographic-redundancy';
export const ADMIN = 'admin-token-6f1d0c2a9b8e7d64';
export const READER = 'read-token-3c5e7a9b1d2f4e68';
/** A second admin token, named alice in the config, to see names recorded as initiated_by. */
export const ALICE = 'alice-token-9e8d7c6b5a4f3e21';

const CONFIG = `
server:
  store: "STORE_URL"
  tokens:
    - { name: ci-reader, token: "env:GEORED_TEST_READ_TOKEN", role: read }
    - { name: alice, token: "env:GEORED_TEST_ALICE_TOKEN", role: admin }
features:
  geographic_redundancy:
    enabled: true
    health_check:
      interval: 3600
      timeout: 5
      retry_count: 2
      check_methods: [pushed]
      custom_checks:
        - { name: pushed, type: ttl, ttl: 3600 }
    failover:
      automatic: true
      failback: false
      failback_delay: 300
    regions: REGIONS
`;

const REGIONS = `
      - name: us-east-1
        priority: 1
        trunk_id: trunk-us-east
        sip_server: 127.0.0.1:15061
        location: "Virginia, USA"
      - name: us-west-1
        priority: 2
        trunk_id: trunk-us-west
        sip_server: 127.0.0.1:15062
        location: "California, USA"
`;

export interface TestApi {
  readonly app: FastifyInstance;
  readonly geo: GeographicRedundancy;
  readonly store: Store;
  readonly config: Config;
  /** Every log line written so far (JSON text). */
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startApi(
  opts: { storeUrl?: string; ready?: () => boolean; metricsPublic?: boolean; noRegions?: boolean } = {},
): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-api-'));
  const storeUrl = opts.storeUrl ?? `sqlite:${join(dir, 'geored.db')}`;
  // GEORED_API_TOKEN is folded into the tokens by the config loader as an admin token named after it.
  const env = { GEORED_API_TOKEN: ADMIN, GEORED_TEST_READ_TOKEN: READER, GEORED_TEST_ALICE_TOKEN: ALICE };
  const text = CONFIG.replace('STORE_URL', storeUrl).replace('REGIONS', opts.noRegions ? '[]' : REGIONS);
  const config = parseConfig(text, 'test/api/config.yml', env);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const metrics = new Metrics();
  const parts = await openParts(config, {
    logger,
    metrics,
    probeListen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
  });
  // The service's constructor builds its monitor before start() installs the custom checks, so a
  // check_methods naming a TTL check is refused unless the registry knows it first.
  parts.checks.configure(config.geo.health_check.custom_checks);
  const geo = createGeographicRedundancy({ ...parts, tickMs: 50 });
  await geo.start();
  const app = buildApi({
    geo,
    metrics,
    tokens: config.server.tokens,
    logger,
    ready: opts.ready ?? (() => geo.status === 'running'),
    ...(opts.metricsPublic !== undefined ? { metricsPublic: opts.metricsPublic } : {}),
  });
  await app.ready();
  return {
    app,
    geo,
    store: geo.store,
    config,
    logs,
    async close() {
      await app.close();
      await geo.stop();
      metrics.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One request; `token` defaults to the admin token, `null` sends none. */
export function call(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  opts: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const token = opts.token === undefined ? ADMIN : opts.token;
  return app.inject({
    method,
    url,
    headers: { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...opts.headers },
    ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
  });
}

/** Polls until `check` returns a value (the service decides asynchronously); fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sorted = (o: object): string[] => Object.keys(o).sort();
