/**
 * The one table of field rules for every setting more than one path accepts: config.yml (src/config/read-*.ts),
 * the TypeScript API (src/geo/settings.ts, src/geo/region-input.ts) and the REST schemas (src/api/schemas,
 * generated from these rules by src/api/schemas/field-schema.ts). Each rule says the type, the range, enum
 * or pattern, and the one "expected" sentence every path puts in its error, so a value gets the same
 * verdict and the same words from a file, the TypeScript API and REST. src/config/check-field.ts applies a
 * rule (checkField); test/validation/drift.test.ts feeds every rule's good and bad values through all three.
 *
 * Checks JSON Schema cannot say (a SIP server address, a host, an IANA time zone, a URL, a CIDR block, a
 * time range) are named by `format`; checkField knows them, and REST meets them in the service.
 */

import { ALERT_EVENTS } from '../alerts/types';

export type FieldFormat = 'sip-server' | 'host' | 'time-zone' | 'http-url' | 'cidr' | 'time-range';

interface RuleBase {
  /** The expected sentence: `found X, expected <this>` in every path's error. */
  readonly expected: string;
  /** What an operator reads in the OpenAPI document and docs/configuration.md, when more than expected. */
  readonly description?: string;
}

export interface NumberFieldRule extends RuleBase {
  readonly kind: 'number';
  readonly integer?: boolean;
  readonly min?: number;
  /** Strictly greater than this. */
  readonly above?: number;
  readonly max?: number;
}

export interface StringFieldRule extends RuleBase {
  readonly kind: 'string';
  /** At most this many characters. Strings are never empty nor only white space. */
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  readonly format?: FieldFormat;
  /**
   * The value is a secret reference (env:VAR or file:PATH): no error, log or doc ever shows the value
   * (an error says SECRET_NOT_SHOWN as what it found), and the reference is resolved by its reader.
   */
  readonly secret?: boolean;
}

export interface BooleanFieldRule extends RuleBase {
  readonly kind: 'boolean';
}

export interface EnumFieldRule extends RuleBase {
  readonly kind: 'enum';
  readonly values: readonly string[];
}

export interface ListFieldRule extends RuleBase {
  readonly kind: 'list';
  readonly items: FieldRule;
  readonly minItems?: number;
  readonly maxItems?: number;
  /** No item twice (a recipient listed twice would be sent everything twice). */
  readonly unique?: boolean;
}

/** What an error says it found in place of a secret's value, on every path. */
export const SECRET_NOT_SHOWN = 'a value (not shown)';

export type FieldRule = NumberFieldRule | StringFieldRule | BooleanFieldRule | EnumFieldRule | ListFieldRule;

/** Run-time durations (probe interval, failover delays) are seconds, at most a day. */
const MAX_SECONDS = 86_400;

const positiveSeconds = (description: string): NumberFieldRule => ({
  kind: 'number',
  above: 0,
  max: MAX_SECONDS,
  expected: `a duration in seconds above 0 and at most ${MAX_SECONDS} (fractions allowed, e.g. 0.5)`,
  description,
});

const nonNegativeSeconds = (description: string): NumberFieldRule => ({
  kind: 'number',
  min: 0,
  max: MAX_SECONDS,
  expected: `a duration in seconds from 0 to ${MAX_SECONDS} (fractions allowed, e.g. 0.5)`,
  description,
});

const bool = (description: string): BooleanFieldRule => ({
  kind: 'boolean',
  expected: 'true or false',
  description,
});

const WEIGHT: NumberFieldRule = {
  kind: 'number',
  min: 0,
  max: 1_000_000,
  expected: 'a weight from 0 to 1000000',
  description: 'Share of traffic among regions of equal priority',
};

const TIME_ZONE: StringFieldRule = {
  kind: 'string',
  maxLength: 64,
  format: 'time-zone',
  expected: 'an IANA time zone such as America/New_York',
};

export const REGION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

/** Region fields: config.yml `regions[]`, registerRegion/updateRegion, POST .../region and PATCH .../regions/{name}. */
export const REGION_RULES = {
  name: {
    kind: 'string',
    pattern: REGION_NAME_PATTERN,
    expected: 'a region name of up to 50 letters, digits, ., _ or - (e.g. us-east-1)',
  },
  trunk_id: { kind: 'string', maxLength: 100, expected: 'a trunk id of up to 100 characters' },
  sip_server: {
    kind: 'string',
    maxLength: 255,
    format: 'sip-server',
    expected: 'a host, host:port, [IPv6]:port, or a sip:/sips: URI',
  },
  priority: {
    kind: 'number',
    integer: true,
    min: 1,
    max: 1_000_000,
    expected: 'an integer from 1 to 1000000 (1 is the highest priority)',
  },
  location: { kind: 'string', maxLength: 100, expected: 'a location description of up to 100 characters' },
  capabilities: {
    kind: 'list',
    maxItems: 50,
    items: { kind: 'string', maxLength: 50, expected: 'a capability name of up to 50 characters' },
    expected: 'a list of capability names such as voice, sms, fax',
  },
  weight: WEIGHT,
  latitude: { kind: 'number', min: -90, max: 90, expected: 'a latitude from -90 to 90' },
  longitude: { kind: 'number', min: -180, max: 180, expected: 'a longitude from -180 to 180' },
  timezone: TIME_ZONE,
  http_check_url: {
    kind: 'string',
    maxLength: 2048,
    format: 'http-url',
    expected: 'an http:// or https:// URL',
  },
  request_uri_host: { kind: 'string', maxLength: 255, format: 'host', expected: 'a host name or IP address' },
  source_addresses: {
    kind: 'list',
    maxItems: 256,
    items: {
      kind: 'string',
      maxLength: 64,
      format: 'cidr',
      expected: 'an IP address or CIDR block such as 203.0.113.0/24',
    },
    expected: 'a list of IP addresses or CIDR blocks',
  },
} as const satisfies Record<string, FieldRule>;

/** The fields a region must have (register; a patch keeps the rest). */
export const REGION_REQUIRED = ['name', 'trunk_id', 'sip_server', 'priority'] as const;

/** latitude and longitude come together: the sentence for the one missing. */
export function coordinatePairExpected(missing: 'latitude' | 'longitude'): string {
  return `${missing} too, since ${missing === 'latitude' ? 'longitude' : 'latitude'} is given`;
}

/** health_check: config.yml, configureHealthCheck and PUT .../health-check. */
export const HEALTH_CHECK_RULES = {
  interval: positiveSeconds('Seconds between probes'),
  timeout: positiveSeconds('Probe timeout, seconds'),
  retry_count: {
    kind: 'number',
    integer: true,
    min: 1,
    max: 100,
    expected: 'an integer from 1 to 100',
    description: 'Consecutive failures before DOWN',
  },
  success_threshold: {
    kind: 'number',
    integer: true,
    min: 1,
    max: 100,
    expected: 'an integer from 1 to 100',
    description: 'Successes before HEALTHY again',
  },
  check_methods: {
    kind: 'list',
    minItems: 1,
    maxItems: 20,
    items: { kind: 'string', maxLength: 64, expected: 'a check method name' },
    expected: 'a list of 1 to 20 check method names',
    description: 'Built-in methods and the custom checks declared in custom_checks',
  },
  latency_warning_ms: {
    kind: 'number',
    min: 1,
    max: 3_600_000,
    expected: 'milliseconds from 1 to 3600000',
    description: 'A probe slower than this makes the region WARNING',
  },
} as const satisfies Record<string, FieldRule>;

/**
 * config.yml's sentence for a check method it does not know (built-in or declared in custom_checks). The
 * API's monitor answers CHECK_UNKNOWN_METHOD instead: the one refusal whose words differ by path.
 */
export function checkMethodExpected(known: readonly string[]): string {
  return `one of ${known.join(', ')} (custom checks are declared in custom_checks)`;
}

/** failover: config.yml, configureFailover and PUT .../failover-config (flap_guard: the file only). */
export const FAILOVER_RULES = {
  automatic: bool('Fail over without an operator'),
  min_failure_duration: nonNegativeSeconds(
    'A region is DOWN only after failing this long (a minimum; 0: retry_count alone)',
  ),
  failover_delay: nonNegativeSeconds('Wait after the active region went DOWN before switching'),
} as const satisfies Record<string, FieldRule>;

/** failover.flap_guard (config.yml). 0 switches disables the guard (docs/health-and-failover.md). */
export const FLAP_GUARD_RULES = {
  max_switches: {
    kind: 'number',
    integer: true,
    min: 0,
    expected: 'an integer >= 0 (0 disables the guard)',
  },
  window: positiveSeconds('The window the switches are counted in'),
} as const satisfies Record<string, FieldRule>;

/** failback: config.yml, configureFailback and PUT .../failback-config. */
export const FAILBACK_RULES = {
  enabled: bool('Return to the preferred region once it is healthy again'),
  delay: nonNegativeSeconds('Continuous health the preferred region needs first'),
  health_threshold: {
    kind: 'number',
    min: 0,
    max: 1,
    expected: 'a number from 0 to 1',
    description: 'Health score needed, 0..1',
  },
  automatic: bool('false: an operator approves each failback'),
} as const satisfies Record<string, FieldRule>;

export const ROUTING_STRATEGIES = ['priority', 'proximity', 'time_of_day'] as const;

/** routing: config.yml, enableGeoLoadBalancing/configureTimeBasedRouting, PUT .../load-balancing and .../time-based-routing. */
export const ROUTING_RULES = {
  strategy: {
    kind: 'enum',
    values: ROUTING_STRATEGIES,
    expected: `one of ${ROUTING_STRATEGIES.join(', ')}`,
  },
  /** The value of each `weights` entry (its key is a configured region). */
  weight: WEIGHT,
  /** The key of each `time_based` entry. */
  time_range: {
    kind: 'string',
    maxLength: 32,
    format: 'time-range',
    expected: 'HH:MM-HH:MM with start in 00:00..23:59, end in 00:01..24:00, start != end',
    description: "'HH:MM-HH:MM' (local time, may wrap midnight, 24:00 ends the day)",
  },
  /** The value of each `time_based` entry (a configured region). */
  time_region: { kind: 'string', maxLength: 50, expected: 'a region name' },
  timezone: TIME_ZONE,
} as const satisfies Record<string, FieldRule>;

/**
 * data_replication fields the file and enable_data_replication (TypeScript and REST) share; the rest of the
 * replication settings are checked once, by src/replication/settings.ts, for every path.
 */
export const REPLICATION_RULES = {
  sync_interval: positiveSeconds('Seconds between replication checks of each table'),
} as const satisfies Record<string, FieldRule>;

/** The sentence for a region name that is not one of the regions known. */
export function knownRegionExpected(known: Iterable<string>): string {
  const names = [...known];
  return `one of the configured regions (${names.length > 0 ? names.join(', ') : 'none configured'})`;
}

export const NO_OVERLAP_EXPECTED = 'time ranges that do not overlap';

/** strategy time_of_day routes by the ranges, so it needs at least one (an empty set is refused too). */
export const TIME_OF_DAY_NEEDS_RANGES =
  'time_based ranges such as {"08:00-17:00": us-east-1}, since strategy is time_of_day';

// ---- alerts: config.yml `alerts`, configureAlerts and PUT .../alerts (src/alerts/settings.ts checks them) ----

/** Deliberately loose: the SMTP server is the judge of an address; this catches a slip of the keyboard. */
const EMAIL_SOURCE = '[^\\s@<>",]+@[^\\s@<>",]+\\.[^\\s@<>",]+';
/** E.164: + and 8 to 15 digits. */
const E164 = /^\+[1-9][0-9]{7,14}$/;

export const SECRET_EXPECTED = 'env:VAR or file:PATH naming the secret';

const secretRule = (description: string): StringFieldRule => ({
  kind: 'string',
  maxLength: 500,
  secret: true,
  expected: SECRET_EXPECTED,
  description,
});

const httpUrl = (description: string): StringFieldRule => ({
  kind: 'string',
  maxLength: 2048,
  format: 'http-url',
  expected: 'an http:// or https:// URL',
  description,
});

const alertSeconds = (min: number, max: number, description: string): NumberFieldRule => ({
  kind: 'number',
  min,
  max,
  expected: `a duration in seconds from ${min} to ${max}`,
  description,
});

export const ALERT_RULES = {
  email: {
    kind: 'list',
    maxItems: 100,
    unique: true,
    items: {
      kind: 'string',
      maxLength: 320,
      pattern: new RegExp(`^${EMAIL_SOURCE}$`),
      expected: 'an email address such as ops@example.com',
    },
    expected: 'a list of up to 100 different email addresses',
  },
  sms: {
    kind: 'list',
    maxItems: 100,
    unique: true,
    items: {
      kind: 'string',
      maxLength: 20,
      pattern: E164,
      expected: 'a phone number in E.164 form such as +15551234567',
    },
    expected: 'a list of up to 100 different phone numbers in E.164 form',
  },
  webhook: httpUrl('URL each alert is POSTed to, signed with webhook_secret (null clears)'),
  on_events: {
    kind: 'list',
    maxItems: ALERT_EVENTS.length,
    unique: true,
    items: { kind: 'enum', values: ALERT_EVENTS, expected: `one of ${ALERT_EVENTS.join(', ')}` },
    expected: 'a list of different alert events (all of them when not given)',
  },
  dry_run: bool('Record what would be sent; send nothing, resolve no host name'),
  instance_name: {
    kind: 'string',
    maxLength: 100,
    expected: 'an instance name of up to 100 characters',
    description: 'Names this geored in every alert (default: its instance id)',
  },
  repeat_interval: alertSeconds(1, 7 * 86_400, 'Seconds one condition of one region is not sent again'),
  retry_attempts: {
    kind: 'number',
    integer: true,
    min: 1,
    max: 20,
    expected: 'an integer from 1 to 20',
    description: 'Attempts per message, the first included',
  },
  retry_initial_delay: alertSeconds(0.001, 3600, 'Seconds before the first retry (doubled each time)'),
  retry_max_delay: alertSeconds(0.001, 86_400, 'Longest wait between retries, seconds'),
  delivery_timeout: alertSeconds(0.01, 300, 'Seconds one delivery attempt may take'),
  webhook_secret: secretRule('Reference to a Standard Webhooks key whsec_<base64> (null clears)'),
} as const satisfies Record<string, FieldRule>;

export const SMTP_SECURITY = ['starttls', 'tls', 'none'] as const;

/** alerts.smtp (null clears the mapping). */
export const SMTP_RULES = {
  host: { kind: 'string', maxLength: 255, format: 'host', expected: 'the SMTP server host name or address' },
  port: {
    kind: 'number',
    integer: true,
    min: 1,
    max: 65_535,
    expected: 'a port from 1 to 65535',
    description: 'Default 587 with starttls, 465 with tls, 25 with none',
  },
  security: {
    kind: 'enum',
    values: SMTP_SECURITY,
    expected: `one of ${SMTP_SECURITY.join(', ')}`,
    description: 'starttls (required, the default), implicit tls, or none',
  },
  username: { kind: 'string', maxLength: 255, expected: 'a user name of up to 255 characters' },
  password: secretRule('Reference to the SMTP password (needs username)'),
  from: {
    kind: 'string',
    maxLength: 320,
    pattern: new RegExp(`^(?:${EMAIL_SOURCE}|[^<>]*<${EMAIL_SOURCE}>\\s*)$`),
    expected: 'the sender address, such as geored@example.com or Geored <geored@example.com>',
  },
  tls_insecure: bool('Accept a certificate that does not verify (a relay with a self-signed certificate)'),
} as const satisfies Record<string, FieldRule>;
export const SMTP_REQUIRED = ['host', 'from'] as const;

/** alerts.sms_gateway: a Twilio-compatible Messages API (null clears). */
export const SMS_GATEWAY_RULES = {
  base_url: httpUrl('Default https://api.twilio.com'),
  account_sid: { kind: 'string', maxLength: 100, expected: 'the account SID (up to 100 characters)' },
  auth_token: secretRule('Reference to the auth token'),
  from: {
    kind: 'string',
    maxLength: 20,
    pattern: E164,
    expected: 'the sending number in E.164 form such as +15551234567',
  },
} as const satisfies Record<string, FieldRule>;
export const SMS_GATEWAY_REQUIRED = ['account_sid', 'auth_token', 'from'] as const;

/** alerts.pagerduty: the Events API v2 (null clears). */
export const PAGERDUTY_RULES = {
  routing_key: secretRule('Reference to the integration (routing) key'),
  base_url: httpUrl('Default https://events.pagerduty.com'),
} as const satisfies Record<string, FieldRule>;
export const PAGERDUTY_REQUIRED = ['routing_key'] as const;
