/**
 * A webhook signed per Standard Webhooks (standardwebhooks.com): webhook-id (the alert's id, the same on
 * every retry so the receiver can drop duplicates), webhook-timestamp (this attempt, in seconds) and
 * webhook-signature `v1,<base64 HMAC-SHA256 of id.timestamp.body>` under the base64-decoded whsec_ key.
 */
import { Webhook } from 'standardwebhooks';
import type { Secret } from '../../config/secret';
import { webhookBodyOf } from '../format';
import type { Alert } from '../types';
import { httpPost } from './http-post';
import type { Delivery } from './types';

/** The URL as shown and recorded: no userinfo, no query (either may carry a token). */
export function safeUrl(u: string): string {
  try {
    const url = new URL(u);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

export function webhookDelivery(url: string, key: Secret, timeoutMs: number, now: () => number): Delivery {
  const signer = new Webhook(key.value);
  return {
    channel: 'webhook',
    target: safeUrl(url),
    send(alert: Alert): Promise<void> {
      const body = webhookBodyOf(alert);
      const at = new Date(Math.floor(now() / 1000) * 1000);
      return httpPost(
        url,
        {
          headers: {
            'content-type': 'application/json',
            'user-agent': 'geored-alerts',
            'webhook-id': alert.id,
            'webhook-timestamp': String(at.getTime() / 1000),
            'webhook-signature': signer.sign(alert.id, at, body),
          },
          body,
        },
        timeoutMs,
      );
    },
  };
}
