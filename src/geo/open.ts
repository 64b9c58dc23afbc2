/**
 * Opens what a GeographicRedundancy runs on, from a Config: the store, live state (Redis when configured),
 * a SIP stack for sip_options probes, RFC 3263 resolution and the check registry. src/app and the
 * process-wide getGeographicRedundancy() both use it, so there is one way to wire geored.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import { defaultConfig, loadConfig } from '../config/load';
import type { Config, ListenSpec } from '../config/types';
import { CheckRegistry } from '../health/checks/registry';
import { openLiveState } from '../live/open';
import type { LiveState } from '../live/types';
import { Metrics } from '../metrics/registry';
import { dnsClient } from '../sip/dns/dns-client';
import { TargetCache } from '../sip/dns/target-cache';
import { SipStack } from '../sip/stack';
import { openStore } from '../store/open';
import type { Store } from '../store/types';

export interface OpenOptions {
  /** Records in an in-memory SQLite database instead of the configured store. */
  readonly memoryStore?: boolean;
  readonly logger?: Logger;
  /** The SIP stack to probe through (the proxy's, in `geored serve`); one is opened when absent. */
  readonly stack?: SipStack;
  /** Where an opened stack listens; default an ephemeral UDP and TCP port on 127.0.0.1. */
  readonly probeListen?: readonly ListenSpec[];
  readonly instanceId?: string;
  readonly metrics?: Metrics;
  /** Redis key prefix (tests give each run its own). */
  readonly keyPrefix?: string;
}

export interface OpenedParts {
  readonly config: Config;
  readonly store: Store;
  readonly live: LiveState;
  readonly checks: CheckRegistry;
  readonly stack: SipStack;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Close in this order when the service stops: live, then the stack if opened here, then the store. */
  readonly owned: ReadonlyArray<{ close(): Promise<void> | void }>;
}

export function resolveConfig(config?: Config | string): Config {
  if (config === undefined) return defaultConfig();
  return typeof config === 'string' ? loadConfig(config) : config;
}

export async function openParts(
  configArg: Config | string | undefined,
  opts: OpenOptions = {},
): Promise<OpenedParts> {
  const config = resolveConfig(configArg);
  const logger = opts.logger ?? pino({ level: config.server.log_level });
  const instanceId = opts.instanceId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const store = await openStore(opts.memoryStore ? 'sqlite::memory:' : config.server.store, { logger });
  let live: LiveState | undefined;
  let stack: SipStack | undefined = opts.stack;
  try {
    live = await openLiveState({
      ...(config.server.redis !== undefined ? { redisUrl: config.server.redis } : {}),
      instanceId,
      logger,
      ...(opts.keyPrefix !== undefined ? { keyPrefix: opts.keyPrefix } : {}),
    });
    stack ??= await SipStack.create({
      listen: opts.probeListen ?? [
        { protocol: 'udp', address: '127.0.0.1', port: 0 },
        { protocol: 'tcp', address: '127.0.0.1', port: 0 },
      ],
      logger,
    });
  } catch (err) {
    await live?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
  const targets = new TargetCache(dnsClient(config.server.dns?.servers), {
    supported: ['udp', 'tcp', 'tls'],
    random: Math.random,
    ttlMs: 60_000,
    now: Date.now,
  });
  const checks = new CheckRegistry({
    stack,
    resolve: (t) => targets.resolve(t),
    okCodes: () => config.geo.health_check.sip_options_ok_codes,
    now: Date.now,
  });
  const openedStack = opts.stack ? [] : [stack];
  return {
    config,
    store,
    live,
    checks,
    stack,
    metrics: opts.metrics ?? new Metrics(),
    logger,
    owned: [live, ...openedStack, store],
  };
}
