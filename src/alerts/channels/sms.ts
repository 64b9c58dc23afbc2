/** SMS through a Twilio-compatible Messages API: POST /2010-04-01/Accounts/{sid}/Messages.json, form body. */
import type { Secret } from '../../config/secret';
import type { EffectiveAlerts } from '../settings';
import { smsOf } from '../format';
import type { Alert } from '../types';
import { httpPost } from './http-post';
import type { Delivery } from './types';

export function smsDelivery(
  gw: NonNullable<EffectiveAlerts['sms_gateway']>,
  token: Secret,
  to: string,
  timeoutMs: number,
): Delivery {
  const url = `${gw.base_url.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(gw.account_sid)}/Messages.json`;
  return {
    channel: 'sms',
    target: to,
    send(alert: Alert): Promise<void> {
      const body = new URLSearchParams({ To: to, From: gw.from, Body: smsOf(alert) }).toString();
      return httpPost(
        url,
        {
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${gw.account_sid}:${token.value}`).toString('base64')}`,
          },
          body,
        },
        timeoutMs,
      );
    },
  };
}
