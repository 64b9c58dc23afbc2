/**
 * What geored alerts on, and what one alert carries. An alert is built from a GeoEvent of the service
 * (alert-of.ts), passed through the grouping decision (decide-alert.ts) and delivered to every configured
 * channel by the Alerter (alerter.ts).
 */

/** The events an operator can subscribe to with `on_events`; all of them when `on_events` is not given. */
export const ALERT_EVENTS = [
  'failover',
  'failback',
  'failback_pending_approval',
  'region_down',
  'region_degraded',
  'region_recovered',
  'registration_failed',
  'all_regions_down',
  'flap_suppressed',
  'scheduled_failover_started',
  'scheduled_failover_ended',
  'drill_started',
  'drill_ended',
  'replication_lag',
  'replication_lag_recovered',
] as const;

export type AlertEvent = (typeof ALERT_EVENTS)[number];

/** What a test alert from the API carries as its event (it is not subscribable). */
export const TEST_EVENT = 'test';

export type AlertSeverity = 'critical' | 'warning' | 'info';

export interface Alert {
  /** Unique per alert; the webhook-id, and the claim key between instances. */
  readonly id: string;
  readonly event: AlertEvent | typeof TEST_EVENT;
  readonly severity: AlertSeverity;
  /** The region the alert is about first (null for all_regions_down without a region to keep). */
  readonly region: string | null;
  /** Every region it concerns (both ends of a failover). */
  readonly regions: readonly string[];
  /** Before and after: health states for a region's change, the active region for a failover. */
  readonly state_before: string | null;
  readonly state_after: string | null;
  /** The decision's sentence of why. */
  readonly reason: string;
  /** ISO 8601. */
  readonly time: string;
  /** geored's instance name (alerts.instance_name, else the host name). */
  readonly instance: string;
  /**
   * The condition it raises or clears, per region (`region_down:us-east-1`): the grouping key of the
   * dedup decision and the PagerDuty dedup_key.
   */
  readonly condition: string;
  /** 'trigger' raises the condition, 'resolve' clears the conditions in `resolves`, 'notice' is one-off. */
  readonly kind: 'trigger' | 'resolve' | 'notice';
  readonly resolves: readonly string[];
  /** Only updates the grouping state (a registration back up clears its failure): no message. */
  readonly silent?: true;
}
