/**
 * The interface of the GeographicRedundancy facade that the REST API (and anything else outside src/geo)
 * depends on. The service `implements` it, so this is the one declaration of its signatures: src/api/deps.ts
 * derives its view from it instead of keeping a copy.
 */
import type { RoutingStrategy } from '../config/types';
import type { AlertsInForce, AlertsSettings, TestAlertResult } from '../alerts/settings-types';
import type {
  CdrReplicationRequest,
  DataReplicationRequest,
  GdprRequest,
  ResidencyRequest,
} from '../replication/types';
import type { AlertDeliveryRow, CallRow } from '../store/types';
import type {
  ActiveRegion,
  FailbackSettings,
  FailoverRecord,
  FailoverResult,
  FailoverSettings,
  HealthCheckSettings,
  LatencySeries,
  LoopDecision,
  ManualFailoverRequest,
  PendingFailback,
  RegionEvent,
  RegionHealth,
  RegionInfo,
  RegionInput,
  RegionMetrics,
  RegionStatus,
  RoutingInForce,
  ScheduleFailoverRequest,
  ScheduledFailoverInfo,
  SettingSource,
  SettingsGroup,
  SettingsInForce,
  SimulationInfo,
  TestFailoverResult,
  TtlStatus,
} from './types';

type Awaitable<T> = T | Promise<T>;

/** A region's fields that PATCH .../regions/{name} may change (the name is the key, so it cannot). */
export type RegionPatch = Partial<Omit<RegionInput, 'name'>>;

export interface LoadBalancingSettings {
  strategy: RoutingStrategy;
  weights?: Record<string, number>;
}

export type RejectedFailback = PendingFailback & { decision: 'rejected'; decided_by: string };

/** GET /api/calls: which call records, newest first. */
export interface CallsQuery {
  limit: number;
  region?: string;
  /** ISO-8601; since inclusive, until exclusive, both on started_at. */
  since?: string;
  until?: string;
  status?: number;
}

export interface GeoFacade {
  // regions
  registerRegion(input: RegionInput): Awaitable<RegionInfo>;
  updateRegion(name: string, patch: RegionPatch): Awaitable<RegionInfo>;
  removeRegion(name: string): Awaitable<{ removed: string }>;
  listRegions(): Awaitable<RegionStatus[]>;
  getRegion(name: string): Awaitable<RegionInfo | null>;
  // health views and simulations
  getActiveRegion(): Awaitable<ActiveRegion | null>;
  getFailoverDecision(): Awaitable<{ decision: LoopDecision | null; leader: boolean }>;
  getRegionHealth(name: string): Awaitable<RegionHealth>;
  getRegionMetrics(name: string): Awaitable<RegionMetrics>;
  getRegionLatency(name: string, minutes: number): Awaitable<LatencySeries>;
  getRegionEvents(name: string, limit: number): Awaitable<RegionEvent[]>;
  simulateFailure(region: string, duration: number): Awaitable<SimulationInfo>;
  endSimulation(region?: string): Awaitable<SimulationInfo[]>;
  pushTtlCheck(region: string, check: string, status: TtlStatus, note?: string): Awaitable<unknown>;
  // operator failover
  manualFailover(req: ManualFailoverRequest): Awaitable<FailoverResult>;
  getFailoverHistory(limit?: number): Awaitable<FailoverRecord[]>;
  testFailover(from: string, to: string, dry_run: boolean): Awaitable<TestFailoverResult>;
  scheduleFailover(req: ScheduleFailoverRequest): Awaitable<ScheduledFailoverInfo>;
  cancelScheduledFailover(id: number): Awaitable<ScheduledFailoverInfo>;
  listScheduledFailovers(): Awaitable<ScheduledFailoverInfo[]>;
  listPendingFailbacks(): Awaitable<PendingFailback[]>;
  approveFailback(id: number, by: string): Awaitable<FailoverResult>;
  rejectFailback(id: number, by: string): Awaitable<RejectedFailback>;
  // run-time settings: an empty change changes nothing; each returns the settings now in force
  configureHealthCheck(s: HealthCheckSettings): Awaitable<Required<HealthCheckSettings>>;
  configureFailover(s: FailoverSettings): Awaitable<Required<FailoverSettings>>;
  configureFailback(s: FailbackSettings): Awaitable<Required<FailbackSettings>>;
  enableGeoLoadBalancing(s: LoadBalancingSettings): Awaitable<RoutingInForce>;
  configureTimeBasedRouting(rules: Record<string, string>, timezone?: string): Awaitable<RoutingInForce>;
  /** The settings in force, read without writing anything. */
  healthCheckInForce(): Required<HealthCheckSettings>;
  failoverInForce(): Required<FailoverSettings>;
  failbackInForce(): Required<FailbackSettings>;
  /** A group's settings in force with `source`: where each comes from (file, api or default). */
  settingsInForce<G extends SettingsGroup>(group: G): SettingsInForce<G>;
  /** Removes the API's override of `fields` (all when omitted): the file's values are in force again. */
  resetSettings<G extends SettingsGroup>(group: G, fields?: readonly string[]): Promise<SettingsInForce<G>>;
  // calls
  listCalls(query: CallsQuery): Promise<CallRow[]>;
  // alerts (src/alerts, through the service)
  getAlerts(): Awaitable<AlertsInForce>;
  /** GET .../alerts: the alert settings in force with `source`, where each comes from. */
  alertsInForce(): AlertsInForce & { source: Record<string, SettingSource> };
  /** Removes the API's alert settings named (all when omitted): the file's values are in force again. */
  resetAlerts(fields?: readonly string[]): Promise<AlertsInForce & { source: Record<string, SettingSource> }>;
  configureAlerts(s: AlertsSettings): Awaitable<AlertsInForce>;
  sendTestAlert(): Awaitable<TestAlertResult[]>;
  listAlertDeliveries(limit?: number): Awaitable<AlertDeliveryRow[]>;
  // data replication (src/replication, through the service)
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
