/** PagerDuty Events API v2 (POST /v2/enqueue): trigger and resolve by dedup_key (region and condition). */
import type { Secret } from '../../config/secret';
import type { EffectiveAlerts } from '../settings';
import { pagerDutyEventsOf } from '../format';
import type { Alert } from '../types';
import { httpPost } from './http-post';
import type { Delivery } from './types';

export function pagerDutyDelivery(
  pd: NonNullable<EffectiveAlerts['pagerduty']>,
  key: Secret,
  timeoutMs: number,
): Delivery {
  const url = `${pd.base_url.replace(/\/+$/, '')}/v2/enqueue`;
  return {
    channel: 'pagerduty',
    target: `${pd.base_url.replace(/\/+$/, '')} (events API v2)`,
    async send(alert: Alert): Promise<void> {
      for (const event of pagerDutyEventsOf(alert, key.value)) {
        await httpPost(
          url,
          { headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) },
          timeoutMs,
        );
      }
    },
  };
}

/** PagerDuty hears what opens or closes an incident, and test alerts; one-off notices go to the others. */
export function pagerDutyWants(alert: Alert): boolean {
  return alert.kind !== 'notice' || alert.event === 'test';
}
