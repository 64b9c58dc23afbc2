import type { HealthCheckConfig } from '../../src/config/types';
import type { HealthDecisionConfig } from '../../src/health/decide-health-types';

/** The fixed start of virtual time in the pure health tests. */
export const T0 = Date.parse('2025-01-15T10:00:00.000Z');

/** A config for the pure health rules; `hc` overrides fields of its health_check section. */
export function decisionConfig(
  hc: Partial<HealthCheckConfig> = {},
  minFailureDuration = 0,
): HealthDecisionConfig {
  return {
    health_check: {
      interval: 30,
      timeout: 10,
      retry_count: 3,
      success_threshold: 3,
      check_methods: ['sip_options'],
      custom_checks: [],
      jitter: 0.1,
      latency_warning_ms: 500,
      sip_options_ok_codes: [200],
      passive_failure_threshold: 3,
      score_window: 300,
      retention: { max_rows: 1000, max_age_days: 7 },
      ...hc,
    },
    failover: { min_failure_duration: minFailureDuration },
  };
}
