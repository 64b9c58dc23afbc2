/** What each channel carries for one alert: plain text, HTML, one SMS line, the webhook JSON, PagerDuty's. */
import type { Alert } from './types';

const TITLES: Record<string, string> = {
  failover: 'Failover',
  failback: 'Failback',
  failback_pending_approval: 'Failback waiting for approval',
  region_down: 'Region down',
  region_degraded: 'Region degraded',
  region_recovered: 'Region recovered',
  registration_failed: 'Trunk registration failed',
  all_regions_down: 'All regions down',
  flap_suppressed: 'Failover suppressed by the flap guard',
  scheduled_failover_started: 'Scheduled failover started',
  scheduled_failover_ended: 'Scheduled failover ended',
  drill_started: 'DR drill started',
  drill_ended: 'DR drill ended',
  replication_lag: 'Replication lag above the threshold',
  replication_lag_recovered: 'Replication lag back under the threshold',
  test: 'Test alert',
};

export function titleOf(a: Alert): string {
  return TITLES[a.event] ?? a.event;
}

export function subjectOf(a: Alert): string {
  const where = a.regions.length > 0 ? `: ${a.regions.join(' → ')}` : '';
  return `[geored ${a.severity.toUpperCase()}] ${titleOf(a)}${where}`;
}

function rows(a: Alert): Array<[string, string]> {
  return [
    ['Event', a.event],
    ['Region', a.regions.length > 0 ? a.regions.join(' → ') : '(none)'],
    ['Before', a.state_before ?? '-'],
    ['After', a.state_after ?? '-'],
    ['Why', a.reason],
    ['Time', a.time],
    ['Instance', a.instance],
  ];
}

export function textOf(a: Alert): string {
  return `${titleOf(a)}\n\n${rows(a)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n\nAlert id: ${a.id}\n`;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);
const COLOURS = { critical: '#b00020', warning: '#a15c00', info: '#1f5f99' } as const;

/** One column, large type, no images: readable on a phone's mail app at 3 a.m. */
export function htmlOf(a: Alert): string {
  const colour = COLOURS[a.severity];
  const table = rows(a)
    .map(
      ([k, v]) =>
        `<tr><td style="padding:4px 8px 4px 0;color:#555;vertical-align:top">${esc(k)}</td>` +
        `<td style="padding:4px 0;word-break:break-word">${esc(v)}</td></tr>`,
    )
    .join('');
  return (
    `<!doctype html><html><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(subjectOf(a))}</title></head>` +
    `<body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Roboto,sans-serif;font-size:16px;line-height:1.4">` +
    `<h1 style="font-size:20px;margin:0 0 12px;color:${colour}">${esc(titleOf(a))}</h1>` +
    `<table role="presentation" style="border-collapse:collapse;width:100%;max-width:600px">${table}</table>` +
    `<p style="color:#777;font-size:13px">Alert id ${esc(a.id)}</p></body></html>`
  );
}

/** One short line: what, where, when, and the start of why (an SMS segment is 160 characters). */
export function smsOf(a: Alert): string {
  const where = a.regions.length > 0 ? ` ${a.regions.join('->')}` : '';
  const head = `geored ${a.event}${where} ${a.time.slice(11, 19)}Z: `;
  const room = Math.max(20, 160 - head.length);
  const why = a.reason.length > room ? `${a.reason.slice(0, room - 1)}…` : a.reason;
  return `${head}${why}`.replace(/\s+/g, ' ');
}

/** The webhook body: `type` and `timestamp` as Standard Webhooks recommends, the alert in `data`. */
export function webhookBodyOf(a: Alert): string {
  return JSON.stringify({
    type: `geored.${a.event}`,
    timestamp: a.time,
    data: {
      id: a.id,
      event: a.event,
      severity: a.severity,
      region: a.region,
      regions: a.regions,
      state_before: a.state_before,
      state_after: a.state_after,
      reason: a.reason,
      time: a.time,
      instance: a.instance,
    },
  });
}

/** PagerDuty Events API v2: trigger with the condition as dedup_key, resolve the conditions it clears. */
export function pagerDutyEventsOf(a: Alert, routingKey: string): Array<Record<string, unknown>> {
  if (a.event === 'test') {
    // A test opens an incident and closes it at once: it proves the key works without paging anyone for long.
    const dedup_key = `geored:test:${a.id}`;
    return [
      {
        ...pagerDutyEventsOf({ ...a, event: 'failover' }, routingKey)[0]!,
        dedup_key,
        event_action: 'trigger',
      },
      { routing_key: routingKey, event_action: 'resolve', dedup_key },
    ];
  }
  if (a.kind === 'resolve') {
    return a.resolves.map((c) => ({
      routing_key: routingKey,
      event_action: 'resolve',
      dedup_key: `geored:${c}`,
    }));
  }
  return [
    {
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: `geored:${a.condition}`,
      payload: {
        summary: `${titleOf(a)}${a.regions.length ? ` (${a.regions.join(' → ')})` : ''}: ${a.reason}`.slice(
          0,
          1024,
        ),
        source: a.instance,
        severity: a.severity,
        timestamp: a.time,
        component: a.region ?? 'all regions',
        group: 'geored',
        class: a.event,
        custom_details: {
          event: a.event,
          regions: a.regions,
          state_before: a.state_before,
          state_after: a.state_after,
          reason: a.reason,
          alert_id: a.id,
        },
      },
    },
  ];
}
