/**
 * The resolved configuration: what `config.yml` means once loaded, validated and given its defaults.
 * Field names are the guide's snake_case; durations are seconds (fractions allowed) unless named `_ms`.
 * src/config/load.ts produces it; everything else reads it.
 */
import type { TransportProtocol } from '../sip/transport/types';

/** A secret named in the file as `env:VAR` or `file:PATH`; the value is read at load time, never logged. */
export interface SecretRef {
  readonly source: string; // 'env:VAR' or 'file:PATH', safe to print
  readonly value: string;
}

export interface RegionCredentials {
  readonly username: string;
  readonly password: SecretRef;
  readonly realm?: string;
  /** Registration expiry we ask for, seconds. */
  readonly expires: number;
  /** The AOR user part registered; defaults to username. */
  readonly aor_user?: string;
}

export interface RegionConfig {
  readonly name: string;
  readonly priority: number;
  readonly trunk_id: string;
  /** host, host:port, or sip:/sips: URI with ;transport= as written in the file. */
  readonly sip_server: string;
  readonly location?: string;
  readonly capabilities: readonly string[];
  readonly weight: number;
  readonly latitude?: number;
  readonly longitude?: number;
  readonly timezone?: string;
  readonly http_check_url?: string;
  /** Host put in the Request-URI sent to this region (a provider's domain); defaults to sip_server's host. */
  readonly request_uri_host?: string;
  /** Extra source addresses that identify traffic from this region. */
  readonly source_addresses: readonly string[];
  readonly credentials?: RegionCredentials;
}

export interface HealthCheckConfig {
  readonly interval: number;
  readonly timeout: number;
  /** Consecutive failures before DOWN. */
  readonly retry_count: number;
  /** Consecutive successes before a failing region is HEALTHY again. */
  readonly success_threshold: number;
  readonly check_methods: readonly string[];
  /** Fraction of `interval` probes are spread by, 0..0.5. */
  readonly jitter: number;
  /** A probe slower than this makes the region WARNING. */
  readonly latency_warning_ms: number;
  /** SIP statuses to OPTIONS that count as alive. */
  readonly sip_options_ok_codes: readonly number[];
  /** Consecutive failed calls reported by the call path that mark a region DOWN at once. */
  readonly passive_failure_threshold: number;
  /** Sliding window for the health score, seconds. */
  readonly score_window: number;
  /** Rows kept in geo_health_checks: the newest `max_rows`, none older than `max_age_days`. */
  readonly retention: { readonly max_rows: number; readonly max_age_days: number };
}

export interface FailoverConfig {
  readonly automatic: boolean;
  /** Failing for this long also makes a region DOWN, seconds (0: only retry_count counts). */
  readonly min_failure_duration: number;
  /** Wait this long after the active region went DOWN before switching, seconds. */
  readonly failover_delay: number;
  /** Whether DEGRADED regions may be active. */
  readonly degraded_is_eligible: boolean;
  /** At most `max_switches` automatic switches per `window` seconds; more are suppressed and recorded. */
  readonly flap_guard: { readonly max_switches: number; readonly window: number };
}

export interface FailbackConfig {
  readonly enabled: boolean;
  /** Continuous health the preferred region needs before failback, seconds. */
  readonly delay: number;
  /** Health score (0..1) the preferred region needs. */
  readonly health_threshold: number;
  /** false: failback waits for an operator's approval through the API. */
  readonly automatic: boolean;
}

export interface ListenSpec {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
}

export interface ApiToken {
  readonly name: string;
  readonly token: SecretRef;
  readonly role: 'admin' | 'read';
}

export interface ServerConfig {
  readonly sip: {
    readonly listen: readonly ListenSpec[];
    readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string };
  };
  readonly api: { readonly listen: { readonly address: string; readonly port: number } };
  /** 'sqlite:PATH' or a postgres:// URL. */
  readonly store: string;
  /** redis:// URL; absent: live state in memory. */
  readonly redis?: string;
  readonly tokens: readonly ApiToken[];
  readonly log_level: string;
}

export interface GeoConfig {
  readonly enabled: boolean;
  readonly health_check: HealthCheckConfig;
  readonly failover: FailoverConfig;
  readonly failback: FailbackConfig;
  readonly regions: readonly RegionConfig[];
}

export interface Config {
  /** Where the configuration came from ('<embedded defaults>' when there was no file). */
  readonly source: string;
  readonly server: ServerConfig;
  readonly geo: GeoConfig;
}
