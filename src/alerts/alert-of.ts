/**
 * GeoEvent → Alert: which of the service's events an operator hears about, as what, with which grouping
 * condition. Pure: the id, the instance name and region priorities come in.
 */
import type { GeoEvent } from '../geo/types';
import { HealthState } from '../model/health-state';
import type { Alert, AlertEvent, AlertSeverity } from './types';

export interface AlertContext {
  readonly id: string;
  readonly instance: string;
  /** A region's priority (1 is preferred), to tell a failback from a failover. */
  readonly priorityOf: (region: string) => number | undefined;
}

type Draft = Omit<Alert, 'id' | 'instance' | 'time'> & { at: number };

function draft(
  event: AlertEvent,
  severity: AlertSeverity,
  kind: Alert['kind'],
  fields: {
    region: string | null;
    regions?: readonly string[];
    before?: string | null;
    after?: string | null;
    reason: string;
    at: number;
    condition?: string;
    resolves?: readonly string[];
    silent?: true;
  },
): Draft {
  return {
    event,
    severity,
    kind,
    region: fields.region,
    regions: fields.regions ?? (fields.region === null ? [] : [fields.region]),
    state_before: fields.before ?? null,
    state_after: fields.after ?? null,
    reason: fields.reason,
    at: fields.at,
    condition: fields.condition ?? `${event}:${fields.region ?? 'all'}`,
    resolves: fields.resolves ?? [],
    ...(fields.silent ? { silent: true as const } : {}),
  };
}

/** Conditions a region's recovery clears. */
export function recoveryClears(region: string): string[] {
  return [`region_down:${region}`, `region_degraded:${region}`, 'all_regions_down:all'];
}

function draftOf(e: GeoEvent, ctx: AlertContext): Draft | null {
  switch (e.type) {
    case 'failover': {
      const from = e.from_region;
      const pFrom = from === null ? undefined : ctx.priorityOf(from);
      const pTo = ctx.priorityOf(e.to_region);
      // Back to a more preferred region: the guide calls that a failback.
      const back = pFrom !== undefined && pTo !== undefined && pTo < pFrom;
      return draft(back ? 'failback' : 'failover', back ? 'info' : 'critical', 'notice', {
        region: e.to_region,
        regions: from === null ? [e.to_region] : [from, e.to_region],
        before: from,
        after: e.to_region,
        reason: e.reason,
        at: e.at,
        condition: `${back ? 'failback' : 'failover'}:${from ?? 'none'}->${e.to_region}`,
      });
    }
    case 'state': {
      const base = { region: e.region, before: e.from, after: e.to, reason: e.reason, at: e.at };
      if (e.to === HealthState.DOWN) return draft('region_down', 'critical', 'trigger', base);
      if (e.to === HealthState.DEGRADED) return draft('region_degraded', 'warning', 'trigger', base);
      const serving = e.to === HealthState.HEALTHY || e.to === HealthState.WARNING;
      const wasServing = e.from === HealthState.HEALTHY || e.from === HealthState.WARNING;
      if (serving && !wasServing) {
        // Sent only if a down or degraded alert for it is open (decide-alert): a blip recovers silently.
        // A region back but slow (WARNING) carries calls again: that is a recovery too, or one that comes
        // back through WARNING would never resolve its page.
        return draft('region_recovered', 'info', 'resolve', { ...base, resolves: recoveryClears(e.region) });
      }
      // CRITICAL is a failure streak being confirmed (or a recovery being confirmed): DOWN or HEALTHY
      // follows and is what is alerted. WARNING (slow answers) is for metrics and the API; it pages nobody.
      return null;
    }
    case 'suppressed':
      return draft('flap_suppressed', 'warning', 'trigger', {
        region: e.from_region,
        regions: e.from_region === null ? [e.wanted_to] : [e.from_region, e.wanted_to],
        before: e.from_region,
        after: e.from_region,
        reason: e.reason,
        at: e.at,
      });
    case 'all-down':
      return draft('all_regions_down', 'critical', 'trigger', {
        region: e.keep,
        before: null,
        after: HealthState.DOWN,
        reason: e.reason,
        at: e.at,
        condition: 'all_regions_down:all',
      });
    case 'failback-pending':
      return draft('failback_pending_approval', 'warning', 'notice', {
        region: e.to_region,
        regions: [e.from_region, e.to_region],
        before: e.from_region,
        after: e.to_region,
        reason: e.reason,
        at: e.at,
        condition: `failback_pending_approval:${e.id}`,
      });
    case 'scheduled': {
      if (e.action !== 'started' && e.action !== 'completed') return null;
      const started = e.action === 'started';
      return draft(started ? 'scheduled_failover_started' : 'scheduled_failover_ended', 'info', 'notice', {
        region: e.schedule.target_region,
        before: started ? null : e.schedule.target_region,
        after: started ? e.schedule.target_region : null,
        reason:
          `scheduled failover ${e.schedule.id} to ${e.schedule.target_region} ` +
          `${started ? 'started' : 'is over'}${e.schedule.reason ? `: ${e.schedule.reason}` : ''}`,
        at: e.at,
        condition: `scheduled_failover_${e.action}:${e.schedule.id}`,
      });
    }
    case 'simulation': {
      const started = e.action === 'started';
      return draft(started ? 'drill_started' : 'drill_ended', 'info', 'notice', {
        region: e.region,
        before: started ? 'normal' : 'simulated failure',
        after: started ? 'simulated failure' : 'normal',
        reason: e.reason,
        at: e.at,
        condition: `${started ? 'drill_started' : 'drill_ended'}:${e.region}:${e.at}`,
      });
    }
    case 'replication_lag': {
      // One condition per channel: a region may lag behind one publisher and not another.
      const condition = `replication_lag:${e.publisher}->${e.subscriber}`;
      const fields = {
        region: e.subscriber,
        regions: [e.publisher, e.subscriber],
        before: e.publisher,
        after: e.subscriber,
        reason: e.reason,
        at: e.at,
      };
      return e.lagging
        ? draft('replication_lag', 'warning', 'trigger', { ...fields, condition })
        : draft('replication_lag_recovered', 'info', 'resolve', {
            ...fields,
            condition: `replication_lag_recovered:${e.publisher}->${e.subscriber}`,
            resolves: [condition],
          });
    }
    case 'registration':
      if (e.to === 'failed') {
        return draft('registration_failed', 'warning', 'trigger', {
          region: e.region,
          before: e.from,
          after: e.to,
          reason: e.reason,
          at: e.at,
        });
      }
      if (e.to === 'registered' && e.from === 'failed') {
        // Clears the condition so the next failure is news; no message of its own (no such event).
        return draft('registration_failed', 'info', 'resolve', {
          region: e.region,
          before: e.from,
          after: e.to,
          reason: e.reason,
          at: e.at,
          condition: `registration_recovered:${e.region}`,
          resolves: [`registration_failed:${e.region}`],
          silent: true,
        });
      }
      return null;
    default:
      return null;
  }
}

/** The alert an event raises, or null when it raises none. */
export function alertOf(e: GeoEvent, ctx: AlertContext): Alert | null {
  const d = draftOf(e, ctx);
  if (d === null) return null;
  const { at, ...rest } = d;
  return { ...rest, id: ctx.id, instance: ctx.instance, time: new Date(at).toISOString() };
}
