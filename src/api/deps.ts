/**
 * What the REST API needs from the rest of geored, as narrow interfaces: the API is a thin layer over the
 * TypeScript API (src/geo/service.ts), so it depends on the methods it calls and nothing else. That keeps
 * the plugins compiling and testable on their own, and makes every dependency visible here.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { EventFeed } from '../events/types';
import type { PanelFiles } from './panel-files';
import type { AlertsInForce, AlertsSettings, TestAlertResult } from '../alerts/settings-types';
import type { ApiToken } from '../config/types';
import type {
  ActiveRegion,
  LoopDecision,
  FailbackSettings,
  FailoverRecord,
  FailoverResult,
  FailoverSettings,
  HealthCheckSettings,
  ManualFailoverRequest,
  PendingFailback,
  RegionHealth,
  RegionInfo,
  RegionInput,
  LatencySeries,
  RegionEvent,
  RegionMetrics,
  RegionStatus,
  ScheduleFailoverRequest,
  ScheduledFailoverInfo,
  SimulationInfo,
  TestFailoverResult,
  TtlStatus,
} from '../geo/types';
import type { Metrics } from '../metrics/registry';
import type {
  CdrReplicationRequest,
  DataReplicationRequest,
  GdprRequest,
  ResidencyRequest,
} from '../replication/types';
import type { RoutingStrategy } from '../config/types';
import type { AlertDeliveryRow, Store } from '../store/types';

type Awaitable<T> = T | Promise<T>;

/** A region's fields that PATCH .../regions/{name} may change (the name is the key, so it cannot). */
export type RegionPatch = Partial<Omit<RegionInput, 'name'>>;

export interface LoadBalancingSettings {
  strategy: RoutingStrategy;
  weights?: Record<string, number>;
}

/** The routing policy in force after a change (the service answers with it). */
export interface RoutingInForce {
  strategy: RoutingStrategy;
  weights: Record<string, number>;
  time_based: Record<string, string>;
  timezone: string;
}

export type RejectedFailback = PendingFailback & { decision: 'rejected'; decided_by: string };

/** The service methods the REST API calls; the service's GeographicRedundancy implements them. */
export interface GeoApi {
  registerRegion(input: RegionInput): Awaitable<RegionInfo>;
  updateRegion(name: string, patch: RegionPatch): Awaitable<RegionInfo>;
  removeRegion(name: string): Awaitable<unknown>;
  getActiveRegion(): Awaitable<ActiveRegion | null>;
  getFailoverDecision(): Awaitable<{ decision: LoopDecision | null; leader: boolean }>;
  listRegions(): Awaitable<RegionStatus[]>;
  getRegion(name: string): Awaitable<RegionInfo | null>;
  manualFailover(req: ManualFailoverRequest): Awaitable<FailoverResult>;
  getRegionHealth(name: string): Awaitable<RegionHealth>;
  getFailoverHistory(limit?: number): Awaitable<FailoverRecord[]>;
  /** An empty object changes nothing; each returns the settings now in force. */
  configureHealthCheck(s: HealthCheckSettings): Awaitable<Required<HealthCheckSettings>>;
  /** The settings in force, read without writing anything (GET of the settings endpoints). */
  healthCheckInForce(): Required<HealthCheckSettings>;
  failoverInForce(): Required<FailoverSettings>;
  failbackInForce(): Required<FailbackSettings>;
  configureFailover(s: FailoverSettings): Awaitable<Required<FailoverSettings>>;
  configureFailback(s: FailbackSettings): Awaitable<Required<FailbackSettings>>;
  scheduleFailover(req: ScheduleFailoverRequest): Awaitable<ScheduledFailoverInfo>;
  cancelScheduledFailover(id: number): Awaitable<ScheduledFailoverInfo>;
  listScheduledFailovers(): Awaitable<ScheduledFailoverInfo[]>;
  listPendingFailbacks(): Awaitable<PendingFailback[]>;
  approveFailback(id: number, by: string): Awaitable<FailoverResult>;
  rejectFailback(id: number, by: string): Awaitable<RejectedFailback>;
  testFailover(from: string, to: string, dry_run: boolean): Awaitable<TestFailoverResult>;
  getRegionMetrics(name: string): Awaitable<RegionMetrics>;
  getRegionLatency(name: string, minutes: number): Awaitable<LatencySeries>;
  getRegionEvents(name: string, limit: number): Awaitable<RegionEvent[]>;
  simulateFailure(region: string, duration: number): Awaitable<SimulationInfo>;
  endSimulation(region?: string): Awaitable<SimulationInfo[]>;
  pushTtlCheck(region: string, check: string, status: TtlStatus, note?: string): Awaitable<unknown>;
  enableGeoLoadBalancing(s: LoadBalancingSettings): Awaitable<RoutingInForce>;
  configureTimeBasedRouting(rules: Record<string, string>, timezone?: string): Awaitable<RoutingInForce>;
  enableDataReplication(req: DataReplicationRequest): Awaitable<unknown>;
  replicateCdr(req: CdrReplicationRequest): Awaitable<unknown>;
  configureDataResidency(region: string, constraints: ResidencyRequest, by?: string): Awaitable<unknown>;
  enableGdprCompliance(req: GdprRequest): Awaitable<unknown>;
  getReplicationStatus(): Awaitable<unknown>;
  recordConsent(subject: string, granted: boolean, by?: string): Awaitable<unknown>;
  eraseSubject(subject: string, by?: string): Awaitable<unknown>;
  exportSubject(subject: string, by?: string): Awaitable<unknown>;
  listTransferPolicyChanges(limit?: number): Awaitable<unknown[]>;
}

/** Alerts (src/alerts through the service). */
export interface AlertsApi {
  getAlerts(): Awaitable<AlertsInForce>;
  configureAlerts(s: AlertsSettings): Awaitable<AlertsInForce>;
  sendTestAlert(): Awaitable<TestAlertResult[]>;
  listAlertDeliveries(limit?: number): Awaitable<AlertDeliveryRow[]>;
}

export type CallsStore = Pick<Store, 'listCalls'>;

export type { EventFeed };

export interface ApiDeps {
  geo: GeoApi & AlertsApi;
  store: CallsStore;
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
