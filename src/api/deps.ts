/**
 * What the REST API needs from the rest of geored: the API is a thin layer over the TypeScript API, so it
 * depends on the facade's interface (GeoFacade, declared once in src/geo/facade-types.ts and implemented by
 * the service), the metrics registry for /metrics, and its own parts. That keeps the plugins compiling and
 * testable on their own, and makes every dependency visible here.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { EventFeed } from '../events/types';
import type { PanelFiles } from './panel-files';
import type { ApiToken } from '../config/types';
import type { GeoFacade } from '../geo/facade-types';
import type { Metrics } from '../metrics/registry';

export type { CallsQuery, LoadBalancingSettings, RegionPatch, RejectedFailback } from '../geo/facade-types';
export type { RoutingInForce } from '../geo/types';

/** The service methods the REST API calls: the facade's interface itself (src/geo/facade-types.ts). */
export type GeoApi = GeoFacade;

export type { EventFeed };

export interface ApiDeps {
  geo: GeoApi;
  metrics: Pick<Metrics, 'registry'>;
  tokens: readonly ApiToken[];
  logger: Logger;
  /**
   * GET /readyz: true (ready) or false, or the list of what is not up, each naming the part (empty: ready),
   * such as the store or Redis.
   */
  ready: () => boolean | readonly string[] | Promise<readonly string[]>;
  /** The live event stream (GET .../events/stream); absent, the route is not registered. */
  events?: EventFeed;
  /** The admin panel's built files (GET /admin); absent, /admin is not served. */
  panel?: PanelFiles;
  /** More plugins, registered under the geo prefix (the demo's break/repair route). */
  extraRoutes?: readonly FastifyPluginAsync[];
  /** Serve GET /metrics without a token (for scrapers on a trusted network); false by default. */
  metricsPublic?: boolean;
}
