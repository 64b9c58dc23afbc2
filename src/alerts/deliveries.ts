/** The targets of the settings in force, and (outside dry_run) a Delivery for each with its secret read. */
import type { Transporter } from 'nodemailer';
import { resolveSecret, type Secret } from '../config/secret';
import type { AlertChannel } from '../store/types';
import { emailDelivery, smtpTransport } from './channels/email';
import { pagerDutyDelivery } from './channels/pagerduty';
import { smsDelivery } from './channels/sms';
import type { Delivery } from './channels/types';
import { safeUrl, webhookDelivery } from './channels/webhook';
import type { EffectiveAlerts } from './settings';

export interface Target {
  readonly channel: AlertChannel;
  readonly target: string;
}

export function targetsOf(e: EffectiveAlerts): Target[] {
  return [
    ...e.email.map((t) => ({ channel: 'email' as const, target: t })),
    ...e.sms.map((t) => ({ channel: 'sms' as const, target: t })),
    ...(e.webhook !== null ? [{ channel: 'webhook' as const, target: safeUrl(e.webhook) }] : []),
    ...(e.pagerduty !== null
      ? [
          {
            channel: 'pagerduty' as const,
            target: `${e.pagerduty.base_url.replace(/\/+$/, '')} (events API v2)`,
          },
        ]
      : []),
  ];
}

/** A channel whose secret cannot be read now fails each attempt saying which reference, never the value. */
function failing(t: Target, why: string): Delivery {
  return {
    ...t,
    send: () => Promise.reject(new Error(why)),
  };
}

export interface BuiltDeliveries {
  readonly deliveries: Delivery[];
  close(): void;
}

export function buildDeliveries(
  e: EffectiveAlerts,
  env: NodeJS.ProcessEnv,
  now: () => number,
): BuiltDeliveries {
  const timeoutMs = Math.round(e.delivery_timeout * 1000);
  const secret = (ref: string | undefined | null): Secret | string | null => {
    if (ref === undefined || ref === null) return null;
    const r = resolveSecret(ref.trim(), env);
    return r.ok ? r.secret : `the secret ${ref} cannot be read (${r.code})`;
  };
  const out: Delivery[] = [];
  let transport: Transporter | null = null;
  if (e.smtp !== null && e.email.length > 0) {
    const pw = secret(e.smtp.password);
    if (typeof pw === 'string') {
      for (const to of e.email) out.push(failing({ channel: 'email', target: to }, pw));
    } else {
      transport = smtpTransport(e.smtp, pw, timeoutMs);
      for (const to of e.email) out.push(emailDelivery(transport, e.smtp.from, to));
    }
  }
  if (e.sms_gateway !== null) {
    const token = secret(e.sms_gateway.auth_token);
    for (const to of e.sms) {
      out.push(
        typeof token === 'string' || token === null
          ? failing({ channel: 'sms', target: to }, token ?? 'no auth_token')
          : smsDelivery(e.sms_gateway, token, to, timeoutMs),
      );
    }
  }
  if (e.webhook !== null) {
    const key = secret(e.webhook_secret);
    out.push(
      typeof key === 'string' || key === null
        ? failing({ channel: 'webhook', target: safeUrl(e.webhook) }, key ?? 'no webhook_secret')
        : webhookDelivery(e.webhook, key, timeoutMs, now),
    );
  }
  if (e.pagerduty !== null) {
    const key = secret(e.pagerduty.routing_key);
    const target = `${e.pagerduty.base_url.replace(/\/+$/, '')} (events API v2)`;
    out.push(
      typeof key === 'string' || key === null
        ? failing({ channel: 'pagerduty', target }, key ?? 'no routing_key')
        : pagerDutyDelivery(e.pagerduty, key, timeoutMs),
    );
  }
  return { deliveries: out, close: () => transport?.close() };
}
