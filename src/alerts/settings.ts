/**
 * alerts settings: one shape for config.yml (`features.geographic_redundancy.alerts`), the TypeScript API
 * (configureAlerts) and the REST API (PUT .../alerts), and one check used by all three. Secrets
 * (smtp.password, sms_gateway.auth_token, webhook_secret, pagerduty.routing_key) are only ever `env:VAR` or
 * `file:PATH` references: stored and shown as the reference, read when a message is sent.
 */
import { resolveSecret } from '../config/secret';
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
const SMTP_KEYS = ['host', 'port', 'security', 'username', 'password', 'from', 'tls_insecure'] as const;
const SMS_KEYS = ['base_url', 'account_sid', 'auth_token', 'from'] as const;
const PD_KEYS = ['routing_key', 'base_url'] as const;

// Deliberately loose: the SMTP server is the judge of an address; this catches a slip of the keyboard.
const EMAIL = /^[^\s@<>",]+@[^\s@<>",]+\.[^\s@<>",]+$/;
/** E.164: + and 8 to 15 digits. */
const E164 = /^\+[1-9][0-9]{7,14}$/;
const SECRET_EXPECTED = 'env:VAR or file:PATH naming the secret';

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
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

  text(field: string, v: unknown, required: boolean, expected = 'a non-empty string'): void {
    if (v === undefined && !required) return;
    if (typeof v !== 'string' || v.trim() === '') this.bad(field, v, expected);
  }

  number(field: string, v: unknown, min: number, max: number, integer: boolean): void {
    if (v === undefined) return;
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      v >= min &&
      v <= max &&
      (!integer || Number.isInteger(v));
    if (!ok) this.bad(field, v, `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }

  bool(field: string, v: unknown): void {
    if (v !== undefined && typeof v !== 'boolean') this.bad(field, v, 'true or false');
  }

  list(field: string, v: unknown, what: string, ok: (s: string) => boolean): void {
    if (v === undefined) return;
    if (!Array.isArray(v)) return this.bad(field, v, `a list of ${what}`);
    v.forEach((item, i) => {
      if (typeof item !== 'string' || !ok(item)) this.bad(`${field}[${i}]`, item, what);
    });
  }

  /** A secret reference: never echoes a literal, names an unset variable or unreadable file. */
  secret(field: string, v: unknown, required: boolean, check?: (value: string) => string | null): void {
    if (v === undefined || v === null) {
      if (required) this.problems.push({ field, found: 'nothing', expected: SECRET_EXPECTED });
      return;
    }
    if (typeof v !== 'string') {
      this.problems.push({
        field,
        found: 'a value that is not a string (not shown)',
        expected: SECRET_EXPECTED,
      });
      return;
    }
    const r = resolveSecret(v.trim(), this.env);
    if (!r.ok) {
      const found =
        r.code === 'CONFIG_SECRET_ENV_UNSET'
          ? `${v}, but the variable is not set`
          : r.code === 'CONFIG_SECRET_FILE_UNREADABLE'
            ? `${v}, which cannot be read (${String(r.params.reason)})`
            : r.code === 'CONFIG_LITERAL_SECRET'
              ? 'a secret written in place (not shown)'
              : describe(v);
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
  c.list('email', s.email, 'an email address such as ops@example.com', (x) => EMAIL.test(x));
  c.list('sms', s.sms, 'a phone number in E.164 form such as +15551234567', (x) => E164.test(x));
  if (s.webhook !== undefined && s.webhook !== null && !isHttpUrl(s.webhook)) {
    c.bad('webhook', s.webhook, 'an http:// or https:// URL');
  }
  const known: readonly string[] = ALERT_EVENTS;
  c.list('on_events', s.on_events, `one of ${ALERT_EVENTS.join(', ')}`, (x) => known.includes(x));
  c.bool('dry_run', s.dry_run);
  c.text('instance_name', s.instance_name, false);
  c.number('repeat_interval', s.repeat_interval, 1, 7 * 86_400, false);
  c.number('retry_attempts', s.retry_attempts, 1, 20, true);
  c.number('retry_initial_delay', s.retry_initial_delay, 0.001, 3600, false);
  c.number('retry_max_delay', s.retry_max_delay, 0.001, 86_400, false);
  c.number('delivery_timeout', s.delivery_timeout, 0.01, 300, false);
  c.secret('webhook_secret', s.webhook_secret, false, webhookKeyProblem);
  if (s.smtp !== undefined && s.smtp !== null) {
    const m = c.object('smtp', s.smtp, `a mapping with keys ${SMTP_KEYS.join(', ')}`);
    if (m) {
      c.keys('smtp', m, SMTP_KEYS);
      c.text('smtp.host', m.host, true, 'the SMTP server host name or address');
      c.number('smtp.port', m.port, 1, 65535, true);
      if (m.security !== undefined && !['starttls', 'tls', 'none'].includes(m.security as string)) {
        c.bad('smtp.security', m.security, 'one of starttls, tls, none');
      }
      c.text('smtp.username', m.username, false);
      c.secret('smtp.password', m.password, false);
      if (m.password !== undefined && m.username === undefined) {
        c.bad('smtp.username', undefined, 'a user name, since smtp.password is given');
      }
      if (typeof m.from !== 'string' || !EMAIL.test(m.from.replace(/^.*<(.+)>\s*$/, '$1'))) {
        c.bad('smtp.from', m.from, 'the sender address, such as geored@example.com');
      }
      c.bool('smtp.tls_insecure', m.tls_insecure);
    }
  }
  if (s.sms_gateway !== undefined && s.sms_gateway !== null) {
    const m = c.object('sms_gateway', s.sms_gateway, `a mapping with keys ${SMS_KEYS.join(', ')}`);
    if (m) {
      c.keys('sms_gateway', m, SMS_KEYS);
      if (m.base_url !== undefined && !isHttpUrl(m.base_url)) {
        c.bad('sms_gateway.base_url', m.base_url, 'an http:// or https:// URL');
      }
      c.text('sms_gateway.account_sid', m.account_sid, true, 'the account SID');
      c.secret('sms_gateway.auth_token', m.auth_token, true);
      if (typeof m.from !== 'string' || !E164.test(m.from)) {
        c.bad('sms_gateway.from', m.from, 'the sending number in E.164 form such as +15551234567');
      }
    }
  }
  if (s.pagerduty !== undefined && s.pagerduty !== null) {
    const m = c.object('pagerduty', s.pagerduty, `a mapping with keys ${PD_KEYS.join(', ')}`);
    if (m) {
      c.keys('pagerduty', m, PD_KEYS);
      c.secret('pagerduty.routing_key', m.routing_key, true);
      if (m.base_url !== undefined && !isHttpUrl(m.base_url)) {
        c.bad('pagerduty.base_url', m.base_url, 'an http:// or https:// URL');
      }
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
