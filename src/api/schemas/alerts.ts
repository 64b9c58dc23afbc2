/**
 * Schemas of alerts: the guide's configure_alerts arguments (email, sms, webhook, on_events) plus each
 * channel's settings, generated from the one field table (ALERT_RULES, SMTP_RULES, ... in
 * src/model/field-rules.ts) as the other settings' schemas are. What a schema cannot say (a secret's
 * env:/file: reference resolving, a Standard Webhooks key, username with password, a channel with its
 * gateway) is checked once, by src/alerts/settings.ts, for the file, the TypeScript API and this route alike.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import type { PagerDutySettings, SmsGatewaySettings, SmtpSettings } from '../../alerts/settings-types';
import {
  ALERT_RULES,
  PAGERDUTY_REQUIRED,
  PAGERDUTY_RULES,
  SMS_GATEWAY_REQUIRED,
  SMS_GATEWAY_RULES,
  SMTP_REQUIRED,
  SMTP_RULES,
  type FieldRule,
} from '../../model/field-rules';
import { Nullable, StringEnum, Timestamp } from './common';
import { fieldSchema } from './field-schema';

const Channel = StringEnum(['email', 'sms', 'webhook', 'pagerduty'] as const);

/** A channel's mapping: each rule's schema, the required ones required, no other key; typed as its settings. */
function mapping<T>(rules: Readonly<Record<string, FieldRule>>, required: readonly string[]): TUnsafe<T> {
  const props: Record<string, TSchema> = {};
  for (const [k, rule] of Object.entries(rules)) {
    props[k] = required.includes(k) ? fieldSchema(rule) : Type.Optional(fieldSchema(rule));
  }
  return Type.Unsafe<T>(Type.Object(props, { additionalProperties: false }));
}

const Smtp = mapping<SmtpSettings>(SMTP_RULES, SMTP_REQUIRED);
const SmsGateway = mapping<SmsGatewaySettings>(SMS_GATEWAY_RULES, SMS_GATEWAY_REQUIRED);
const PagerDuty = mapping<PagerDutySettings>(PAGERDUTY_RULES, PAGERDUTY_REQUIRED);

const R = ALERT_RULES;
const commonFields = {
  email: fieldSchema(R.email),
  sms: fieldSchema(R.sms),
  on_events: fieldSchema(R.on_events),
  dry_run: fieldSchema(R.dry_run),
  instance_name: fieldSchema(R.instance_name),
  repeat_interval: fieldSchema(R.repeat_interval),
  retry_attempts: fieldSchema(R.retry_attempts),
  retry_initial_delay: fieldSchema(R.retry_initial_delay),
  retry_max_delay: fieldSchema(R.retry_max_delay),
  delivery_timeout: fieldSchema(R.delivery_timeout),
};

/** PUT body: the fields given change, null clears, absent keeps. */
export const AlertsPutSchema = Type.Partial(
  Type.Object({
    ...commonFields,
    webhook: Nullable(fieldSchema(R.webhook)),
    webhook_secret: Nullable(fieldSchema(R.webhook_secret)),
    smtp: Nullable(Smtp),
    sms_gateway: Nullable(SmsGateway),
    pagerduty: Nullable(PagerDuty),
  }),
  { additionalProperties: false },
);
export type AlertsPutBody = Static<typeof AlertsPutSchema>;

const Decision = Type.Object({
  alert_id: Type.String(),
  event: Type.String(),
  region: Nullable(Type.String()),
  decision: StringEnum(['send', 'suppress'] as const),
  reason: Type.String(),
  time: Timestamp,
});

/** GET: the settings in force (secrets are shown as their env:/file: references). */
export const AlertsInForceSchema = Type.Object({
  ...commonFields,
  webhook: Nullable(Type.String()),
  webhook_secret: Nullable(Type.String()),
  smtp: Nullable(Smtp),
  sms_gateway: Nullable(SmsGateway),
  pagerduty: Nullable(PagerDuty),
  recent_decisions: Type.Array(Decision, { description: 'Send or suppress, and why, newest first' }),
});

/** GET and DELETE .../alerts: the settings in force plus `source`, where each comes from. */
export const AlertsWithSourceSchema = Type.Object({
  ...AlertsInForceSchema.properties,
  source: Type.Record(Type.String(), StringEnum(['file', 'api', 'default'] as const), {
    description: 'Per setting: file (config.yml), api (changed through the API until reset) or default',
  }),
});

/** DELETE .../alerts: which settings go back to the file's values (all without `fields`). */
export const AlertsResetQuery = Type.Object(
  {
    fields: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 400,
        description:
          'Comma-separated names of the settings to reset, e.g. email,dry_run; absent: all of them',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AlertsResetQuery = Static<typeof AlertsResetQuery>;

export const TestAlertSchema = Type.Object({
  results: Type.Array(
    Type.Object({
      channel: Channel,
      target: Type.String(),
      status: StringEnum(['sent', 'failed', 'skipped'] as const),
      error: Type.Optional(Type.String()),
    }),
  ),
});

export const DeliveriesQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }) },
  { additionalProperties: false },
);
export type DeliveriesQuery = Static<typeof DeliveriesQuery>;

export const DeliveriesSchema = Type.Object({
  deliveries: Type.Array(
    Type.Object({
      id: Type.Integer(),
      alert_id: Type.String(),
      event: Type.String(),
      region: Nullable(Type.String()),
      channel: Channel,
      target: Type.String(),
      status: StringEnum(['sent', 'failed', 'retrying', 'dry_run'] as const),
      attempt: Type.Integer(),
      error: Nullable(Type.String()),
      attempted_at: Timestamp,
    }),
  ),
});
