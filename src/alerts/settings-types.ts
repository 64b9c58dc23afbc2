/**
 * The shape of the alerts settings (config.yml, configureAlerts, PUT .../alerts). Types only, so the
 * config types can name it without importing the checks.
 */
import type { AlertEvent } from './types';

export type SmtpSecurity = 'starttls' | 'tls' | 'none';

export interface SmtpSettings {
  host: string;
  /** Default 587 with starttls, 465 with tls, 25 with none. */
  port?: number;
  /** starttls: upgrade a plain connection (required); tls: implicit TLS; none: plain (tests, a local relay). */
  security?: SmtpSecurity;
  username?: string;
  /** env:VAR or file:PATH. */
  password?: string;
  from: string;
  /** Accept a certificate that does not verify (a relay with a self-signed certificate). */
  tls_insecure?: boolean;
}

export interface SmsGatewaySettings {
  /** Default https://api.twilio.com: any Twilio-compatible Messages API. */
  base_url?: string;
  account_sid: string;
  /** env:VAR or file:PATH. */
  auth_token: string;
  from: string;
}

export interface PagerDutySettings {
  /** env:VAR or file:PATH: the Events API v2 integration (routing) key. */
  routing_key: string;
  /** Default https://events.pagerduty.com. */
  base_url?: string;
}

/** The guide's configure_alerts arguments plus each channel's settings. */
export interface AlertsSettings {
  email?: string[];
  sms?: string[];
  webhook?: string | null;
  on_events?: string[];
  /** Record what would be sent; send nothing, resolve no host name. */
  dry_run?: boolean;
  instance_name?: string;
  /** Seconds during which one condition of one region is not sent again. */
  repeat_interval?: number;
  /** Attempts per message, the first included. */
  retry_attempts?: number;
  /** Seconds before the first retry; doubled each time, with jitter, up to retry_max_delay. */
  retry_initial_delay?: number;
  retry_max_delay?: number;
  /** Seconds one attempt may take. */
  delivery_timeout?: number;
  /** env:VAR or file:PATH naming a Standard Webhooks key `whsec_<base64>`. */
  webhook_secret?: string | null;
  smtp?: SmtpSettings | null;
  sms_gateway?: SmsGatewaySettings | null;
  pagerduty?: PagerDutySettings | null;
}

/** The settings in force, every default filled in. */
export interface EffectiveAlerts {
  email: string[];
  sms: string[];
  webhook: string | null;
  on_events: AlertEvent[];
  dry_run: boolean;
  instance_name: string;
  repeat_interval: number;
  retry_attempts: number;
  retry_initial_delay: number;
  retry_max_delay: number;
  delivery_timeout: number;
  webhook_secret: string | null;
  smtp: (SmtpSettings & { port: number; security: SmtpSecurity }) | null;
  sms_gateway: (SmsGatewaySettings & { base_url: string }) | null;
  pagerduty: (PagerDutySettings & { base_url: string }) | null;
}

export interface AlertDecisionRecord {
  readonly alert_id: string;
  readonly event: string;
  readonly region: string | null;
  readonly decision: 'send' | 'suppress';
  readonly reason: string;
  readonly time: string;
}

export type AlertsInForce = EffectiveAlerts & { recent_decisions: AlertDecisionRecord[] };

export interface TestAlertResult {
  channel: string;
  target: string;
  status: 'sent' | 'failed' | 'skipped';
  error?: string;
}
