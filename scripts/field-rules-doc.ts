// Prints the field tables of docs/configuration.md from src/model/field-rules.ts: run it when a rule
// changes (node --import tsx scripts/field-rules-doc.ts) and paste its output between the markers.
// test/validation/field-docs.test.ts checks the doc against the table either way.
import {
  ALERT_RULES,
  FAILBACK_RULES,
  FAILOVER_RULES,
  FLAP_GUARD_RULES,
  HEALTH_CHECK_RULES,
  PAGERDUTY_REQUIRED,
  PAGERDUTY_RULES,
  REGION_REQUIRED,
  REGION_RULES,
  REPLICATION_RULES,
  ROUTING_RULES,
  SMS_GATEWAY_REQUIRED,
  SMS_GATEWAY_RULES,
  SMTP_REQUIRED,
  SMTP_RULES,
  type FieldFormat,
  type FieldRule,
} from '../src/model/field-rules';

const SECTIONS: ReadonlyArray<{
  title: string;
  prefix: string;
  paths: string;
  rules: Readonly<Record<string, FieldRule>>;
  required?: readonly string[];
  names?: Readonly<Record<string, string>>;
}> = [
  {
    title: 'Regions',
    prefix: 'regions[].',
    paths:
      'config.yml `regions[]`; `registerRegion` / `updateRegion`; `POST …/region`, `PATCH …/regions/{name}`',
    rules: REGION_RULES,
    required: REGION_REQUIRED,
  },
  {
    title: 'Health checks',
    prefix: 'health_check.',
    paths: 'config.yml `health_check`; `configureHealthCheck`; `PUT …/health-check`',
    rules: HEALTH_CHECK_RULES,
  },
  {
    title: 'Failover',
    prefix: 'failover.',
    paths: 'config.yml `failover`; `configureFailover`; `PUT …/failover-config`',
    rules: FAILOVER_RULES,
  },
  {
    title: 'Flap guard',
    prefix: 'failover.flap_guard.',
    paths: 'config.yml only',
    rules: FLAP_GUARD_RULES,
  },
  {
    title: 'Failback',
    prefix: 'failback.',
    paths:
      "config.yml `failback` (and the guide's `failover.failback`, `failover.failback_delay`); `configureFailback`; `PUT …/failback-config`",
    rules: FAILBACK_RULES,
  },
  {
    title: 'Routing',
    prefix: 'routing.',
    paths:
      'config.yml `routing`; `enableGeoLoadBalancing`, `configureTimeBasedRouting`; `PUT …/load-balancing`, `PUT …/time-based-routing`',
    rules: ROUTING_RULES,
    names: {
      weight: 'routing.weights.REGION',
      time_range: 'routing.time_based key',
      time_region: 'routing.time_based value',
    },
  },
  {
    title: 'Data replication',
    prefix: 'data_replication.',
    paths: 'config.yml `data_replication`; `enableDataReplication`; `PUT …/data-replication`',
    rules: REPLICATION_RULES,
  },
  {
    title: 'Alerts',
    prefix: 'alerts.',
    paths: 'config.yml `alerts`; `configureAlerts`; `PUT …/alerts` (null clears webhook and webhook_secret)',
    rules: ALERT_RULES,
  },
  {
    title: 'Alerts: SMTP',
    prefix: 'alerts.smtp.',
    paths: 'config.yml `alerts.smtp`; `configureAlerts({ smtp })`; `PUT …/alerts` `smtp`',
    rules: SMTP_RULES,
    required: SMTP_REQUIRED,
  },
  {
    title: 'Alerts: SMS gateway',
    prefix: 'alerts.sms_gateway.',
    paths:
      'config.yml `alerts.sms_gateway`; `configureAlerts({ sms_gateway })`; `PUT …/alerts` `sms_gateway`',
    rules: SMS_GATEWAY_RULES,
    required: SMS_GATEWAY_REQUIRED,
  },
  {
    title: 'Alerts: PagerDuty',
    prefix: 'alerts.pagerduty.',
    paths: 'config.yml `alerts.pagerduty`; `configureAlerts({ pagerduty })`; `PUT …/alerts` `pagerduty`',
    rules: PAGERDUTY_RULES,
    required: PAGERDUTY_REQUIRED,
  },
];

const FORMATS: Record<FieldFormat, string> = {
  'sip-server': 'a SIP server: host, host:port, [IPv6]:port or a sip:/sips: URI without user part',
  host: 'a host name or IP address',
  'time-zone': 'an IANA time zone the runtime knows',
  'http-url': 'an http:// or https:// URL with a host',
  cidr: 'an IP address or CIDR block',
  'time-range': 'HH:MM-HH:MM, start != end, may wrap midnight',
};

function range(rule: FieldRule): string {
  switch (rule.kind) {
    case 'number': {
      const kind = rule.integer ? 'integer' : 'number';
      const lo =
        rule.min !== undefined ? `${rule.min} ≤ ` : rule.above !== undefined ? `${rule.above} < ` : '';
      const hi = rule.max !== undefined ? ` ≤ ${rule.max}` : '';
      return lo || hi ? `${kind}, ${lo}x${hi}` : kind;
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
      return rule.values.join(' \\| ');
    case 'string': {
      const parts = ['string, not blank'];
      if (rule.maxLength !== undefined) parts.push(`at most ${rule.maxLength} characters`);
      if (rule.pattern) parts.push(`\`${rule.pattern.source.replace(/\|/g, '\\|')}\``);
      if (rule.format) parts.push(FORMATS[rule.format]);
      // A secret is a reference, resolved when used; its value is never shown (errors say so).
      if (rule.secret) parts.push('a secret reference env:VAR or file:PATH, never shown');
      return parts.join(', ');
    }
    case 'list': {
      const n =
        rule.minItems !== undefined && rule.maxItems !== undefined
          ? `${rule.minItems} to ${rule.maxItems}`
          : rule.maxItems !== undefined
            ? `at most ${rule.maxItems}`
            : 'any number of';
      return `list of ${n}${rule.unique ? ' different' : ''} items, each ${range(rule.items)}`;
    }
  }
}

export function renderFieldTables(): string {
  const lines: string[] = [];
  for (const s of SECTIONS) {
    lines.push(
      `### ${s.title}`,
      '',
      s.paths,
      '',
      '| setting | type and range | expected (the error says) |',
      '|---|---|---|',
    );
    for (const [key, rule] of Object.entries(s.rules)) {
      const name = s.names?.[key] ?? `${s.prefix}${key}`;
      const required = s.required?.includes(key) ? ' (required)' : '';
      lines.push(`| \`${name}\`${required} | ${range(rule)} | ${rule.expected.replace(/\|/g, '\\|')} |`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

if (process.argv[1]?.endsWith('field-rules-doc.ts')) console.log(renderFieldTables());
