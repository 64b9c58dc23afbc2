import type { FailbackConfig, FailoverConfig } from '../../src/config/types';
import type {
  FailoverDecisionConfig,
  FailoverInput,
  RegionView,
} from '../../src/failover/decide-failover-types';

/** The fixed start of virtual time in the pure failover tests. */
export const T0 = Date.parse('2025-01-15T10:00:00.000Z');

/** A failover decision config: automatic both ways, no delays; `fo` and `fb` override fields. */
export function decisionConfig(
  fo: Partial<FailoverConfig> = {},
  fb: Partial<FailbackConfig> = {},
): FailoverDecisionConfig {
  return {
    failover: {
      automatic: true,
      min_failure_duration: 0,
      failover_delay: 0,
      degraded_is_eligible: false,
      flap_guard: { max_switches: 3, window: 600 },
      ...fo,
    },
    failback: { enabled: true, delay: 300, health_threshold: 0.95, automatic: true, ...fb },
  };
}

/** Failover input with `active` active since an hour before T0, nothing pinned, scheduled or recent. */
export function decisionInput(
  regions: RegionView[],
  active: string | null,
  extra: Partial<FailoverInput> = {},
): FailoverInput {
  return {
    regions,
    active,
    activeSince: T0 - 3_600_000,
    pin: null,
    scheduled: [],
    failbackApproval: null,
    recentSwitches: [],
    ...extra,
  };
}
