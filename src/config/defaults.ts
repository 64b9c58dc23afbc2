/**
 * The embedded defaults: what geored runs on with no config file, and what every key left out of a file
 * means. Health-check and failover values are the guide's.
 */
import type {
  Config,
  FailbackConfig,
  FailoverConfig,
  HealthCheckConfig,
  PbxConfig,
  ProxyConfig,
  RoutingConfig,
  ServerConfig,
} from './types';

export const EMBEDDED_SOURCE = '<embedded defaults>';

/** The environment variable that carries the admin API token. */
export const API_TOKEN_ENV = 'GEORED_API_TOKEN';

export const DEFAULT_SERVER: ServerConfig = {
  sip: {
    listen: [
      { protocol: 'udp', address: '127.0.0.1', port: 5060 },
      { protocol: 'tcp', address: '127.0.0.1', port: 5060 },
    ],
  },
  api: { listen: { address: '127.0.0.1', port: 8080 }, metrics_public: false },
  store: 'sqlite:./data/geored.db',
  tokens: [],
  log_level: 'info',
};

export const DEFAULT_HEALTH_CHECK: HealthCheckConfig = {
  interval: 30,
  timeout: 10,
  retry_count: 3,
  success_threshold: 2,
  check_methods: ['sip_options'],
  custom_checks: [],
  jitter: 0.1,
  latency_warning_ms: 1000,
  sip_options_ok_codes: [200],
  passive_failure_threshold: 3,
  score_window: 300,
  retention: { max_rows: 100_000, max_age_days: 30 },
};

export const DEFAULT_FAILOVER: FailoverConfig = {
  automatic: true,
  min_failure_duration: 0,
  failover_delay: 0,
  degraded_is_eligible: false,
  flap_guard: { max_switches: 3, window: 300 },
};

export const DEFAULT_FAILBACK: FailbackConfig = {
  enabled: false,
  delay: 300,
  health_threshold: 0.95,
  // The guide's `failover.failback: true` means automatic failback; approval is the opt-in.
  automatic: true,
};

export const DEFAULT_ROUTING: RoutingConfig = {
  strategy: 'priority',
  weights: {},
  time_based: [],
  timezone: 'UTC',
  location_rules: [],
};

export const DEFAULT_PROXY: ProxyConfig = {
  provisional_timeout_ms: 500,
  failover_codes: [408, 500, 503, 504],
  failover_6xx: [],
  record_route: true,
  max_forwards: 70,
};

export const DEFAULT_PBX: PbxConfig = { allow_any_loopback: true };

export const DEFAULT_REGION = { weight: 1, capabilities: [] as string[], expires: 3600 };

export const BUILTIN_CHECK_METHODS = ['sip_options', 'http_ping', 'icmp_ping', 'tcp_connect'] as const;

/** The embedded defaults, with no tokens: see `defaultConfig` in load.ts for the one that reads the env. */
export function embeddedDefaults(): Config {
  return structuredClone({
    source: EMBEDDED_SOURCE,
    server: DEFAULT_SERVER,
    geo: {
      enabled: true,
      health_check: DEFAULT_HEALTH_CHECK,
      failover: DEFAULT_FAILOVER,
      failback: DEFAULT_FAILBACK,
      routing: DEFAULT_ROUTING,
      regions: [],
      data_replication: null,
    },
    proxy: DEFAULT_PROXY,
    pbx: DEFAULT_PBX,
  });
}
