/**
 * Schemas of alerts: the guide's configure_alerts arguments (email, sms, webhook, on_events) plus each
 * channel's settings. Shapes here; meaning (addresses, E.164 numbers, secrets as env:/file:, ranges) is
 * checked once, by src/alerts/settings.ts, for the file, the TypeScript API and this route alike.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ALERT_EVENTS } from '../../alerts/types';
import { Nullable, StringEnum, Timestamp } from './common';

const Secret = Type.String({
  minLength: 1,
  maxLength: 500,
  description: 'env:VAR or file:PATH naming the secret',
});
const Channel = StringEnum(['email', 'sms', 'webhook', 'pagerduty'] as const);
const Event = StringEnum(ALERT_EVENTS, 'An event to alert on');

const smtpFields = {
  host: Type.String({ minLength: 1, maxLength: 255 }),
  port: Type.Integer(),
  security: StringEnum(['starttls', 'tls', 'none'] as const, 'starttls (required), implicit tls, or none'),
  username: Type.String({ minLength: 1, maxLength: 255 }),
  password: Secret,
  from: Type.String({ minLength: 3, maxLength: 320 }),
  tls_insecure: Type.Boolean(),
};
const Smtp = Type.Object(
  {
    ...smtpFields,
    port: Type.Optional(smtpFields.port),
    security: Type.Optional(smtpFields.security),
    username: Type.Optional(smtpFields.username),
    password: Type.Optional(smtpFields.password),
    tls_insecure: Type.Optional(smtpFields.tls_insecure),
  },
  { additionalProperties: false },
);
const SmsGateway = Type.Object(
  {
    base_url: Type.Optional(Type.String({ maxLength: 2000, description: 'Default https://api.twilio.com' })),
    account_sid: Type.String({ minLength: 1, maxLength: 100 }),
    auth_token: Secret,
    from: Type.String({ minLength: 1, maxLength: 20 }),
  },
  { additionalProperties: false },
);
const PagerDuty = Type.Object(
  {
    routing_key: Secret,
    base_url: Type.Optional(
      Type.String({ maxLength: 2000, description: 'Default https://events.pagerduty.com' }),
    ),
  },
  { additionalProperties: false },
);

const commonFields = {
  email: Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 }),
  sms: Type.Array(Type.String({ maxLength: 20 }), { maxItems: 100 }),
  on_events: Type.Array(Event, { maxItems: ALERT_EVENTS.length, uniqueItems: true }),
  dry_run: Type.Boolean({ description: 'Record what would be sent; send nothing, resolve no host name' }),
  instance_name: Type.String({ minLength: 1, maxLength: 100 }),
  repeat_interval: Type.Number({ description: 'Seconds one condition of one region is not sent again' }),
  retry_attempts: Type.Integer(),
  retry_initial_delay: Type.Number(),
  retry_max_delay: Type.Number(),
  delivery_timeout: Type.Number(),
};

/** PUT body: the fields given change, null clears, absent keeps. */
export const AlertsPutSchema = Type.Partial(
  Type.Object({
    ...commonFields,
    webhook: Nullable(Type.String({ maxLength: 2000 })),
    webhook_secret: Nullable(Secret),
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
