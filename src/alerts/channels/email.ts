/** Email through SMTP (nodemailer): STARTTLS (required), implicit TLS or plain; a text and an HTML part. */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Secret } from '../../config/secret';
import type { EffectiveAlerts } from '../settings';
import { htmlOf, subjectOf, textOf } from '../format';
import type { Alert } from '../types';
import type { Delivery } from './types';

export function smtpTransport(
  smtp: NonNullable<EffectiveAlerts['smtp']>,
  password: Secret | null,
  timeoutMs: number,
): Transporter {
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.username !== undefined && password !== null
      ? { auth: { user: smtp.username, pass: password.value } }
      : {}),
    tls: { rejectUnauthorized: smtp.tls_insecure !== true },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
}

export function emailDelivery(transport: Transporter, from: string, to: string): Delivery {
  return {
    channel: 'email',
    target: to,
    async send(alert: Alert): Promise<void> {
      try {
        await transport.sendMail({
          from,
          to,
          subject: subjectOf(alert),
          text: textOf(alert),
          html: htmlOf(alert),
          headers: { 'X-Geored-Alert-Id': alert.id, 'X-Geored-Event': alert.event },
        });
      } catch (err) {
        const e = err as Error & { responseCode?: number; code?: string };
        throw new Error(
          e.responseCode !== undefined ? `SMTP ${e.responseCode}: ${e.message}` : (e.code ?? e.message),
        );
      }
    },
  };
}
