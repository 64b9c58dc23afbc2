/**
 * geored's public TypeScript API: `import { getGeographicRedundancy, HealthState } from 'geored'`.
 * Everything else under src/ is internal and may change; what a program embedding geored needs is here.
 * The names are the guide's Python API in camelCase; the JSON shapes they return keep its snake_case.
 */
export { GeographicRedundancy } from './geo/service';
export {
  getGeographicRedundancy,
  openGeographicRedundancy,
  resetGeographicRedundancy,
} from './geo/singleton';
export type { OpenOptions } from './geo/open';
export { HealthState, HEALTH_STATES } from './model/health-state';
export { GeoredError } from './errors';
export { ConfigError, loadConfig, parseConfig } from './config';
export type { Config } from './config/types';
export type {
  ActiveRegion,
  CheckStatus,
  FailbackSettings,
  FailoverRecord,
  FailoverResult,
  FailoverSettings,
  GeoEvent,
  HealthCheckSettings,
  ManualFailoverRequest,
  PendingFailback,
  RegionHealth,
  RegionInfo,
  RegionInfo as Region,
  RegionInput,
  RegionMetrics,
  RegionStatus,
  ScheduleFailoverRequest,
  ScheduledFailoverInfo,
  SimulationInfo,
  TestFailoverResult,
  TtlStatus,
} from './geo/types';
