/**
 * The composition root: config → store → live state → SIP stack → checks and monitor → the
 * GeographicRedundancy service → the call path (proxy, trunk registrations, PBX registrar) → the REST API.
 * `close()` undoes it in reverse, finishing work in flight.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import pino from 'pino';
import { loadPanelFiles } from '../api/panel-files';
import { buildApi } from '../api/server';
import { EventLog } from '../events/event-log';
import { callEventFields, wireEventLog } from '../events/wire';
import type { Config } from '../config/types';
import { openParts, type OpenedParts } from '../geo/open';
import { createGeographicRedundancy, type GeographicRedundancy } from '../geo/service';
import type { Metrics } from '../metrics/registry';
import { SipStack } from '../sip/stack';
import { endpointKey } from '../sip/transport/types';
import { CallPath } from './call-path';

export interface StartOptions {
  readonly config: Config;
  readonly logger?: Logger;
  readonly leaderTtlMs?: number;
  /** More API plugins under the geo prefix (the demo's break/repair route). */
  readonly extraRoutes?: readonly FastifyPluginAsync[];
}

export interface Geored {
  readonly service: GeographicRedundancy;
  readonly stack: SipStack;
  readonly callPath: CallPath;
  readonly api: FastifyInstance;
  /** What GET .../events/stream serves. */
  readonly events: EventLog;
  /** Where the API listens (port 0 resolved). */
  readonly apiAddress: { address: string; port: number };
  close(): Promise<void>;
}

export async function startGeored(opts: StartOptions): Promise<Geored> {
  const { config } = opts;
  const logger = opts.logger ?? pino({ level: config.server.log_level });
  // The proxy's SIP stack is also the one probes go through, so OPTIONS leave from the trunk's address.
  let metrics: Metrics | undefined;
  const limits = config.security;
  const stack = await SipStack.create({
    listen: config.server.sip.listen,
    ...(config.server.sip.tls ? { tls: config.server.sip.tls } : {}),
    udp: { receiveBufferBytes: limits.udp.receive_buffer },
    stream: {
      maxInboundConnections: limits.tcp.max_inbound_connections,
      maxOutboundConnections: limits.tcp.max_outbound_connections,
      maxConnectionsPerSource: limits.tcp.max_connections_per_source,
      messageTimeoutMs: limits.tcp.header_timeout * 1000,
      onRefused: (e) => metrics?.connectionsRefused.inc({ protocol: e.protocol, reason: e.reason }),
    },
    logger: logger.child({ component: 'sip' }),
  });
  let service: GeographicRedundancy | undefined;
  let callPath: CallPath | undefined;
  const events = new EventLog(undefined, Date.now, (err) =>
    logger.error({ err }, 'an event-stream listener threw'),
  );
  let unwire = (): void => undefined;
  let parts: OpenedParts | undefined;
  try {
    parts = await openParts(config, { stack, logger });
    service = createGeographicRedundancy({
      ...parts,
      logger: logger.child({ component: 'geo' }),
      ...(opts.leaderTtlMs !== undefined ? { leaderTtlMs: opts.leaderTtlMs } : {}),
    });
    unwire = wireEventLog(events, service, parts.live);
    metrics = parts.metrics;
    metrics.udpStats = () =>
      stack
        .udpStats()
        .map((u) => ({ local: endpointKey(u.local), receiveBuffer: u.receiveBuffer, drops: u.drops }));
    await service.start();
    callPath = await CallPath.open({
      config,
      stack,
      service,
      store: parts.store,
      live: parts.live,
      metrics: parts.metrics,
      logger,
      onCallsRecorded: (calls) => {
        for (const c of calls) events.publish('call', callEventFields(c));
      },
    });
  } catch (err) {
    await callPath?.closeProxy().catch(() => undefined);
    await callPath?.stopRegistrations().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    await stack.close().catch(() => undefined);
    unwire();
    throw err;
  }
  const running = service;
  const calls = callPath;
  const api = buildApi({
    geo: running,
    metrics: parts.metrics,
    tokens: config.server.tokens,
    logger,
    ready: () => running.notReady(),
    events,
    panel: loadPanelFiles(),
    ...(opts.extraRoutes ? { extraRoutes: opts.extraRoutes } : {}),
  });
  const listen = config.server.api.listen;
  try {
    await api.listen({ host: listen.address, port: listen.port });
  } catch (err) {
    await api.close().catch(() => undefined);
    await calls.closeProxy().catch(() => undefined);
    await calls.stopRegistrations().catch(() => undefined);
    await running.stop();
    await stack.close();
    throw err;
  }
  const bound = api.server.address();
  const apiAddress =
    typeof bound === 'object' && bound ? { address: bound.address, port: bound.port } : { ...listen };
  logger.info(
    {
      api: `${apiAddress.address}:${apiAddress.port}`,
      sip: stack.endpoints().map((e) => `${e.protocol}:${e.address}:${e.port}`),
      regions: calls.regions().map((r) => r.name),
      source: config.source,
    },
    'geored is up',
  );

  let closing: Promise<void> | null = null;
  return {
    service: running,
    stack,
    callPath: calls,
    api,
    events,
    apiAddress,
    close() {
      closing ??= (async () => {
        // New API requests stop first; then call records are flushed and the trunks un-REGISTERed (while
        // the stack can still carry them); then probes and decisions finish and records are flushed.
        await api.close().catch((err: unknown) => logger.warn({ err }, 'error closing the API'));
        await calls.closeProxy().catch((err: unknown) => logger.warn({ err }, 'error closing the proxy'));
        await calls
          .stopRegistrations()
          .catch((err: unknown) => logger.warn({ err }, 'error stopping the trunk registrations'));
        await running.stop();
        unwire();
        await stack.close().catch((err: unknown) => logger.warn({ err }, 'error closing the SIP stack'));
        logger.info('geored stopped');
      })();
      return closing;
    },
  };
}
