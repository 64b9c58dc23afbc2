/**
 * The resolved configuration: what `config.yml` means once loaded, validated and given its defaults.
 * Field names are the guide's snake_case; durations are seconds (fractions allowed) unless named `_ms`.
 * src/config/load.ts produces it; everything else reads it.
 */
import type { AlertsSettings } from '../alerts/settings-types';
import type { DigestAlgorithm } from '../sip/auth/algorithms';
import type { TransportProtocol } from '../sip/transport/types';
import type { ReplicationSettings } from '../replication/types';

/**
 * A secret named in the file as `env:VAR` or `file:PATH`; the value is read at load time, never logged.
 * The implementation (src/config/secret.ts) keeps `value` out of JSON.stringify and util.inspect.
 */
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

/** `sip_server` taken apart. `port`/`transport` are null when not written, so RFC 3263 DNS decides them. */
export interface SipTarget {
  /** Host name or IP literal; IPv6 without brackets. */
  readonly host: string;
  readonly port: number | null;
  readonly transport: TransportProtocol | null;
  /** A sips: URI: TLS all the way. */
  readonly secure: boolean;
}

/** One header rewrite applied to requests sent to a region, so the PBX's internal addresses stay inside. */
export type HeaderRewrite =
  | { readonly header: string; readonly action: 'remove' }
  | { readonly header: string; readonly action: 'set'; readonly value: string }
  | { readonly header: string; readonly action: 'replace_host'; readonly host: string };

export interface RegionConfig {
  readonly name: string;
  readonly priority: number;
  readonly trunk_id: string;
  /** host, host:port, or sip:/sips: URI with ;transport= as written in the file. */
  readonly sip_server: string;
  /** `sip_server` parsed. */
  readonly target: SipTarget;
  /** Transport when DNS does not choose one: the URI's `;transport=`, else tls for sips:, else udp. */
  readonly transport: TransportProtocol;
  readonly location?: string;
  readonly capabilities: readonly string[];
  /** Share of traffic under proximity routing and tie-break between equal priorities; default 1. */
  readonly weight: number;
  readonly latitude?: number;
  readonly longitude?: number;
  readonly timezone?: string;
  readonly http_check_url?: string;
  /** Host put in the Request-URI sent to this region (a provider's domain); defaults to sip_server's host. */
  readonly request_uri_host?: string;
  /** Extra source addresses (IP or CIDR, e.g. `203.0.113.0/24`) that identify traffic from this region. */
  readonly source_addresses: readonly string[];
  readonly rewrite_headers: readonly HeaderRewrite[];
  readonly credentials?: RegionCredentials;
  /** The region's PBX database (postgres:// URL, its password from env:/file:), for data replication. */
  readonly database?: string;
  /** The jurisdiction the region is in (e.g. eu, us), for data residency rules. */
  readonly jurisdiction?: string;
}

/** An external check: a command run per region (exit 0 healthy, 1 warning, else critical), or a pushed TTL. */
export type CustomCheckConfig =
  | {
      readonly name: string;
      readonly type: 'command';
      /** argv; `{region}` and `{sip_server}` in any element are replaced per region. */
      readonly command: readonly string[];
      readonly timeout: number;
    }
  | { readonly name: string; readonly type: 'ttl'; readonly ttl: number };

export interface HealthCheckConfig {
  readonly interval: number;
  readonly timeout: number;
  /** Consecutive failures before DOWN. */
  readonly retry_count: number;
  /** Consecutive successes before a failing region is HEALTHY again. */
  readonly success_threshold: number;
  /** Built-in methods (sip_options, http_ping, icmp_ping, tcp_connect) and names from `custom_checks`. */
  readonly check_methods: readonly string[];
  readonly custom_checks: readonly CustomCheckConfig[];
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
  /**
   * With several instances sharing live state: how many instances' fresh views must agree (decide-quorum.ts).
   * The reader always sets it; absent (a config built in code) means `majority`.
   */
  readonly quorum?: QuorumSetting;
}

/**
 * `majority`: more than half of the instances whose views are fresh; an integer n >= 1: n instances; a
 * fraction 0 < f < 1: at least that share of the fresh views (rounded up, at least 1).
 */
export type QuorumSetting = 'majority' | number;

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

export type RoutingStrategy = 'priority' | 'proximity' | 'time_of_day';

export interface GeoPoint {
  readonly latitude: number;
  readonly longitude: number;
}

/** `'HH:MM-HH:MM': region`, half-open [start, end); end <= start wraps midnight. */
export interface TimeRangeRule {
  /** Minutes after local midnight, 0..1439. */
  readonly start: number;
  /** Minutes after local midnight, 1..1440 (24:00 is 1440). */
  readonly end: number;
  readonly region: string;
  /** The range as written. */
  readonly label: string;
}

/** Places a caller: by calling-number prefix, or by source address (CIDR). Exactly one of the two is set. */
export interface LocationRule {
  readonly prefix?: string;
  readonly source?: string;
  readonly location: GeoPoint;
}

export interface RoutingConfig {
  readonly strategy: RoutingStrategy;
  /** Proximity traffic shares by region; a region not listed uses its own `weight`. */
  readonly weights: Readonly<Record<string, number>>;
  readonly time_based: readonly TimeRangeRule[];
  /** IANA time zone the time_based ranges are read in. */
  readonly timezone: string;
  readonly location_rules: readonly LocationRule[];
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

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServerConfig {
  readonly sip: {
    readonly listen: readonly ListenSpec[];
    /** File paths as written (relative to the working directory); checked readable at load time. */
    readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string };
  };
  readonly api: {
    readonly listen: { readonly address: string; readonly port: number };
    /** Serve /metrics without a token (for a Prometheus on a trusted network). */
    readonly metrics_public: boolean;
  };
  /** 'sqlite:PATH' or a postgres:// URL (may carry a password when given as env:/file:). */
  readonly store: string;
  /** redis:// or rediss:// URL; absent: live state in memory. */
  readonly redis?: string;
  /** From `server.tokens`, plus `GEORED_API_TOKEN` (role admin) when that variable is set. */
  readonly tokens: readonly ApiToken[];
  readonly log_level: LogLevel;
  /**
   * DNS servers for RFC 3263 lookups of `sip_server` names, as `IP` or `IP:port` / `[v6]:port`; absent:
   * the system's resolvers (/etc/resolv.conf).
   */
  readonly dns?: { readonly servers: readonly string[] };
}

export interface ProxyConfig {
  /** No 1xx from a region within this long: try the next region. */
  readonly provisional_timeout_ms: number;
  /** Final responses (4xx/5xx) that send the call to the next region. */
  readonly failover_codes: readonly number[];
  /** 6xx responses that a region can fix (so they also fail over); 6xx are final otherwise. */
  readonly failover_6xx: readonly number[];
  readonly record_route: boolean;
  /**
   * Max-Forwards put on requests that arrive without one, and the most a forwarded request carries (a
   * higher value is lowered to it, as Kamailio's maxfwd `max_limit` does: a loop costs at most this many hops).
   */
  readonly max_forwards: number;
  /**
   * Timer C (RFC 3261 §16.8): an INVITE branch with a provisional but no final answer for this long is
   * CANCELled, and the call goes to the next region or gets 408. The RFC asks for more than 3 minutes.
   */
  readonly timer_c_ms: number;
  /** Header that carries the dialled number (the DID) on calls to the PBX, besides To; null for none. */
  readonly did_header: string | null;
  /** Add RFC 7044 History-Info to calls to the PBX: the dialled URI, then the registered Contact (rc). */
  readonly history_info: boolean;
}

export interface PbxConfig {
  /** Static PBX address calls from regions go to when the PBX has not registered. */
  readonly address?: ListenSpec;
  /** Digest credentials the PBX registers to geored with. */
  readonly credentials?: {
    readonly username: string;
    readonly password: SecretRef;
    readonly realm: string;
    /** Digest algorithms offered, strongest first (RFC 8760); some PBXs answer only the first, or only MD5. */
    readonly algorithms: readonly DigestAlgorithm[];
  };
  /** With no PBX address or registration, any loopback source counts as the PBX. */
  readonly allow_any_loopback: boolean;
}

/** How a refusal reaches a source geored does not serve: a stateless 403, or deliberate silence. */
export type RefusalStyle = 'reject' | 'silence';

/** What happens to a PBX Contact whose address is not where its REGISTER came from (RFC 5626 flows). */
export type ContactBinding = 'source' | 'refuse' | 'as_registered';

/** The `security` block: what geored does on a hostile network (docs/security.md). */
export interface SecurityConfig {
  /** Failed digest answers (REGISTER and challenged requests) before a ban, and how long a ban lasts. */
  readonly auth_failures: {
    /** Failures from one source IP within `window` that ban that IP. */
    readonly per_source: number;
    /** Failures for one user name (from any source) within `window` that ban the name for unknown sources. */
    readonly per_user: number;
    /** Seconds over which failures are counted. */
    readonly window: number;
    /** Seconds a ban lasts. */
    readonly ban: number;
    /** What a banned source gets. */
    readonly banned_response: RefusalStyle;
  };
  /** What a request from a source that is neither a region nor the PBX gets (always stateless). */
  readonly unknown_source_response: RefusalStyle;
  /** A PBX Contact at another address than the REGISTER's source. */
  readonly contact_binding: ContactBinding;
  /** Digest-challenge (407) out-of-dialog requests from the PBX; default on when pbx.credentials is set. */
  readonly challenge_pbx_requests: boolean | undefined;
  readonly udp: {
    /** SO_RCVBUF asked for, bytes (the kernel caps it at net.core.rmem_max). */
    readonly receive_buffer: number;
  };
  readonly tcp: {
    /** Inbound TCP/TLS connections one source IP may hold open. */
    readonly max_connections_per_source: number;
    /** Inbound connections in all (per protocol); outbound ones have their own pool. */
    readonly max_inbound_connections: number;
    readonly max_outbound_connections: number;
    /** Seconds a started message's header section may take to arrive before the connection is closed. */
    readonly header_timeout: number;
  };
}

export interface GeoConfig {
  readonly enabled: boolean;
  readonly health_check: HealthCheckConfig;
  readonly failover: FailoverConfig;
  readonly failback: FailbackConfig;
  readonly routing: RoutingConfig;
  readonly regions: readonly RegionConfig[];
  /** features.geographic_redundancy.alerts as written (checked; secrets as their env:/file: references). */
  readonly alerts?: AlertsSettings;
  /** `data_replication`: null when the file has none (then it is off until enabled through the API). */
  readonly data_replication: ReplicationSettings | null;
}

export interface Config {
  /** Where the configuration came from ('<embedded defaults>' when there was no file). */
  readonly source: string;
  /**
   * The `features.geographic_redundancy` settings the file wrote, as `section.field` (e.g.
   * `health_check.interval`): the others have geored's defaults. Absent on a Config built in code.
   */
  readonly written?: readonly string[];
  readonly server: ServerConfig;
  readonly geo: GeoConfig;
  readonly proxy: ProxyConfig;
  readonly pbx: PbxConfig;
  readonly security: SecurityConfig;
}
