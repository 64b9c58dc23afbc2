/**
 * alerts settings: one shape for config.yml (`features.geographic_redundancy.alerts`), the TypeScript API
 * (configureAlerts) and the REST API (PUT .../alerts), and one check used by all three. Secrets
 * (smtp.password, sms_gateway.auth_token, webhook_secret, pagerduty.routing_key) are only ever `env:VAR` or
 * `file:PATH` references: stored and shown as the reference, read when a message is sent.
 */
import { checkField } from '../config/check-field';
import { resolveSecret } from '../config/secret';
import {
  ALERT_RULES,
  PAGERDUTY_REQUIRED,
  PAGERDUTY_RULES,
  SECRET_EXPECTED,
  SECRET_NOT_SHOWN,
  SMS_GATEWAY_REQUIRED,
  SMS_GATEWAY_RULES,
  SMTP_REQUIRED,
  SMTP_RULES,
  type FieldRule,
} from '../model/field-rules';
import type {
  AlertsSettings,
  EffectiveAlerts,
  PagerDutySettings,
  SmsGatewaySettings,
  SmtpSecurity,
  SmtpSettings,
} from './settings-types';
import { ALERT_EVENTS, type AlertEvent } from './types';

export type {
  AlertsSettings,
  EffectiveAlerts,
  PagerDutySettings,
  SmsGatewaySettings,
  SmtpSecurity,
  SmtpSettings,
};

export const ALERT_DEFAULTS = {
  repeat_interval: 3600,
  retry_attempts: 5,
  retry_initial_delay: 1,
  retry_max_delay: 60,
  delivery_timeout: 10,
  twilio_base_url: 'https://api.twilio.com',
  pagerduty_base_url: 'https://events.pagerduty.com',
} as const;

/** One thing wrong, by field path (`smtp.port`, `email[1]`). */
export interface AlertsProblem {
  readonly field: string;
  readonly found: string;
  readonly expected: string;
}

export const TOP_KEYS = [
  'email',
  'sms',
  'webhook',
  'on_events',
  'dry_run',
  'instance_name',
  'repeat_interval',
  'retry_attempts',
  'retry_initial_delay',
  'retry_max_delay',
  'delivery_timeout',
  'webhook_secret',
  'smtp',
  'sms_gateway',
  'pagerduty',
] as const;

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

class Checker {
  readonly problems: AlertsProblem[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  bad(field: string, v: unknown, expected: string): void {
    this.problems.push({ field, found: describe(v), expected });
  }

  keys(field: string, v: Record<string, unknown>, allowed: readonly string[]): void {
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) {
        this.problems.push({
          field: field === '' ? k : `${field}.${k}`,
          found: 'an unknown key',
          expected: `one of ${allowed.join(', ')}`,
        });
      }
    }
  }

  object(field: string, v: unknown, expected: string): Record<string, unknown> | null {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    this.bad(field, v, expected);
    return null;
  }

  /**
   * A field under its rule of src/model/field-rules.ts (absent: allowed unless required). A secret's value
   * is never shown; its reference is then resolved (secret()).
   */
  field(
    field: string,
    rule: FieldRule,
    v: unknown,
    required = false,
    secretCheck?: (value: string) => string | null,
  ): void {
    if (v === undefined) {
      if (required) this.bad(field, v, rule.expected);
      return;
    }
    const p = checkField(rule, v);
    if (p) {
      const secret = rule.kind === 'string' && rule.secret === true;
      this.problems.push({
        field: `${field}${p.at}`,
        found: secret ? SECRET_NOT_SHOWN : describe(p.value),
        expected: p.expected,
      });
    } else if (rule.kind === 'string' && rule.secret) this.secret(field, v as string, secretCheck);
  }

  /** Each field of a mapping under its table's rule, the required ones required. */
  fields(
    prefix: string,
    m: Record<string, unknown>,
    rules: Readonly<Record<string, FieldRule>>,
    required: readonly string[] = [],
  ): void {
    for (const [k, rule] of Object.entries(rules)) {
      this.field(`${prefix}${k}`, rule, m[k], required.includes(k));
    }
  }

  /** A secret reference (a string checkField passed): names an unset variable or unreadable file, never the value. */
  secret(field: string, v: string, check?: (value: string) => string | null): void {
    const r = resolveSecret(v.trim(), this.env);
    if (!r.ok) {
      const found =
        r.code === 'CONFIG_SECRET_ENV_UNSET'
          ? `${v}, but the variable is not set`
          : r.code === 'CONFIG_SECRET_FILE_UNREADABLE'
            ? `${v}, which cannot be read (${String(r.params.reason)})`
            : r.code === 'CONFIG_LITERAL_SECRET'
              ? 'a secret written in place (not shown)'
              : SECRET_NOT_SHOWN;
      this.problems.push({ field, found, expected: SECRET_EXPECTED });
      return;
    }
    const wrong = check?.(r.secret.value);
    if (wrong) this.problems.push({ field, found: `the value of ${v} (not shown)`, expected: wrong });
  }
}

/** A Standard Webhooks key: `whsec_` then base64 of 24 to 64 random bytes. Null when it is one. */
export function webhookKeyProblem(value: string): string | null {
  const expected = 'a Standard Webhooks key: whsec_ followed by the base64 of 24 to 64 bytes';
  if (!value.startsWith('whsec_')) return expected;
  const b64 = value.slice(6);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return expected;
  const n = Buffer.from(b64, 'base64').length;
  return n >= 24 && n <= 64 ? null : expected;
}

/**
 * Every problem in a settings object (a patch: absent fields are not required here; what the settings in
 * force need as a whole is checkEffective's).
 */
export function checkAlertsSettings(v: unknown, env: NodeJS.ProcessEnv = process.env): AlertsProblem[] {
  const c = new Checker(env);
  const s = c.object('', v, 'a mapping of alert settings');
  if (!s) return c.problems;
  c.keys('', s, TOP_KEYS);
  const R = ALERT_RULES;
  for (const k of ['email', 'sms', 'on_events', 'dry_run', 'instance_name'] as const) c.field(k, R[k], s[k]);
  for (const k of [
    'repeat_interval',
    'retry_attempts',
    'retry_initial_delay',
    'retry_max_delay',
    'delivery_timeout',
  ] as const) {
    c.field(k, R[k], s[k]);
  }
  // null clears these: only a value is checked.
  if (s.webhook !== null) c.field('webhook', R.webhook, s.webhook);
  if (s.webhook_secret !== null) {
    c.field('webhook_secret', R.webhook_secret, s.webhook_secret, false, webhookKeyProblem);
  }
  if (s.smtp !== undefined && s.smtp !== null) {
    const m = c.object('smtp', s.smtp, `a mapping with keys ${Object.keys(SMTP_RULES).join(', ')}`);
    if (m) {
      c.keys('smtp', m, Object.keys(SMTP_RULES));
      c.fields('smtp.', m, SMTP_RULES, SMTP_REQUIRED);
      if (m.password !== undefined && m.username === undefined) {
        c.bad('smtp.username', undefined, 'a user name, since smtp.password is given');
      }
    }
  }
  if (s.sms_gateway !== undefined && s.sms_gateway !== null) {
    const keys = Object.keys(SMS_GATEWAY_RULES);
    const m = c.object('sms_gateway', s.sms_gateway, `a mapping with keys ${keys.join(', ')}`);
    if (m) {
      c.keys('sms_gateway', m, keys);
      c.fields('sms_gateway.', m, SMS_GATEWAY_RULES, SMS_GATEWAY_REQUIRED);
    }
  }
  if (s.pagerduty !== undefined && s.pagerduty !== null) {
    const keys = Object.keys(PAGERDUTY_RULES);
    const m = c.object('pagerduty', s.pagerduty, `a mapping with keys ${keys.join(', ')}`);
    if (m) {
      c.keys('pagerduty', m, keys);
      c.fields('pagerduty.', m, PAGERDUTY_RULES, PAGERDUTY_REQUIRED);
    }
  }
  return c.problems;
}

/** What the settings in force need as a whole: each channel that has targets has what it sends with. */
export function checkEffective(e: EffectiveAlerts): AlertsProblem[] {
  if (e.dry_run) return []; // nothing is sent: a guide snippet may name channels without their servers
  const out: AlertsProblem[] = [];
  if (e.email.length > 0 && e.smtp === null) {
    out.push({ field: 'smtp', found: 'nothing', expected: 'an smtp mapping (host, from) to send email' });
  }
  if (e.sms.length > 0 && e.sms_gateway === null) {
    out.push({
      field: 'sms_gateway',
      found: 'nothing',
      expected: 'an sms_gateway mapping (account_sid, auth_token, from) to send SMS',
    });
  }
  if (e.webhook !== null && e.webhook_secret === null) {
    out.push({ field: 'webhook_secret', found: 'nothing', expected: `${SECRET_EXPECTED} to sign webhooks` });
  }
  if (e.retry_max_delay < e.retry_initial_delay) {
    out.push({
      field: 'retry_max_delay',
      found: String(e.retry_max_delay),
      expected: `at least retry_initial_delay (${e.retry_initial_delay})`,
    });
  }
  return out;
}

/** Settings over settings (the API's over the file's): a field given replaces, null clears, absent keeps. */
export function mergeAlertsSettings(base: AlertsSettings, patch: AlertsSettings): AlertsSettings {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out as AlertsSettings;
}

export function effectiveAlerts(s: AlertsSettings, defaultInstance: string): EffectiveAlerts {
  const smtp = s.smtp
    ? {
        ...s.smtp,
        security: s.smtp.security ?? 'starttls',
        port: s.smtp.port ?? (s.smtp.security === 'tls' ? 465 : s.smtp.security === 'none' ? 25 : 587),
      }
    : null;
  return {
    email: [...(s.email ?? [])],
    sms: [...(s.sms ?? [])],
    webhook: s.webhook ?? null,
    on_events: s.on_events ? (s.on_events as AlertEvent[]) : [...ALERT_EVENTS],
    dry_run: s.dry_run ?? false,
    instance_name: s.instance_name ?? defaultInstance,
    repeat_interval: s.repeat_interval ?? ALERT_DEFAULTS.repeat_interval,
    retry_attempts: s.retry_attempts ?? ALERT_DEFAULTS.retry_attempts,
    retry_initial_delay: s.retry_initial_delay ?? ALERT_DEFAULTS.retry_initial_delay,
    retry_max_delay: s.retry_max_delay ?? ALERT_DEFAULTS.retry_max_delay,
    delivery_timeout: s.delivery_timeout ?? ALERT_DEFAULTS.delivery_timeout,
    webhook_secret: s.webhook_secret ?? null,
    smtp,
    sms_gateway: s.sms_gateway
      ? { ...s.sms_gateway, base_url: s.sms_gateway.base_url ?? ALERT_DEFAULTS.twilio_base_url }
      : null,
    pagerduty: s.pagerduty
      ? { ...s.pagerduty, base_url: s.pagerduty.base_url ?? ALERT_DEFAULTS.pagerduty_base_url }
      : null,
  };
}

/** The settings as GET .../alerts shows them: secrets are references already; URLs lose any password. */
export function redactedAlerts(e: EffectiveAlerts): EffectiveAlerts {
  const strip = (u: string | null): string | null => {
    if (u === null) return null;
    try {
      const url = new URL(u);
      if (url.password === '' && url.username === '') return u;
      url.username = '***';
      url.password = '';
      return url.toString();
    } catch {
      return u;
    }
  };
  return { ...e, webhook: strip(e.webhook) };
}
