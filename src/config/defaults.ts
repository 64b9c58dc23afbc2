/**
 * The embedded defaults: what geored runs on with no config file, and what every key left out of a file
 * means. Health-check and failover values are the guide's.
 */
import type {
  FailbackConfig,
  FailoverConfig,
  HealthCheckConfig,
  PbxConfig,
  ProxyConfig,
  RoutingConfig,
  SecurityConfig,
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
  quorum: 'majority',
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
  // RFC 3261 §16.8: "The value of Timer C MUST be greater than 3 minutes."
  timer_c_ms: 185_000,
  did_header: null,
  history_info: true,
};

export const DEFAULT_PBX: PbxConfig = { allow_any_loopback: true };

/** Kamailio-pike-like defaults: a handful of wrong passwords bans a source for ten minutes. */
export const DEFAULT_SECURITY: SecurityConfig = {
  auth_failures: { per_source: 5, per_user: 20, window: 60, ban: 600, banned_response: 'silence' },
  unknown_source_response: 'reject',
  contact_binding: 'source',
  challenge_pbx_requests: undefined,
  udp: { receive_buffer: 4 * 1024 * 1024 },
  tcp: {
    max_connections_per_source: 32,
    max_inbound_connections: 1_024,
    max_outbound_connections: 256,
    header_timeout: 10,
  },
};

export const DEFAULT_REGION = { weight: 1, capabilities: [] as string[], expires: 3600 };

export const BUILTIN_CHECK_METHODS = ['sip_options', 'http_ping', 'icmp_ping', 'tcp_connect'] as const;
