export { openLiveState, type OpenLiveStateOptions } from './open';
export { MemoryLiveState } from './memory-live-state';
export { RedisLiveState, type RedisLiveStateOptions } from './redis-live-state';
export { redactRedisUrl } from './redact';
export type {
  ActiveRegion,
  ChangeOrigin,
  HealthView,
  HealthViewInput,
  LeaderEvent,
  LeaderHandle,
  LiveChange,
  LiveChangeListener,
  LiveSignal,
  LiveSignalListener,
  LiveState,
  LiveStatus,
  RegionHealthPatch,
  RegionLive,
  RegistrationState,
  SetActiveOptions,
  Simulation,
  Versioned,
} from './types';
