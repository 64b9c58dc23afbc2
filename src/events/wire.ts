/**
 * Feeds the event log from what geored already tells: the service's decisions (health changes, failovers,
 * failback requests, schedules, settings), live state (simulations, and an active region switched by
 * another instance sharing Redis) and the call path's records. One place maps each to its stream event.
 */
import type { GeographicRedundancy } from '../geo/service';
import type { LiveState } from '../live/types';
import type { CallInput } from '../store/types';
import type { EventLog } from './event-log';

type Time = string | Date;
const iso = (d: Time): string => new Date(d).toISOString();
const isoOrNull = (d: Time | null | undefined): string | null => (d == null ? null : iso(d));

/** A call record as GET /api/calls shows it. */
export function callEventFields(c: CallInput): Record<string, unknown> {
  return {
    call_id: c.call_id,
    direction: c.direction,
    from_uri: c.from_uri,
    to_uri: c.to_uri,
    attempts: (c.attempts ?? []).map((a) => ({
      region: a.region,
      status: a.status,
      reason: a.reason,
      outcome: a.outcome,
      started_at: iso(a.started_at),
      ended_at: isoOrNull(a.ended_at),
    })),
    region: c.region ?? null,
    started_at: iso(c.started_at),
    answered_at: isoOrNull(c.answered_at),
    ended_at: isoOrNull(c.ended_at),
    final_status: c.final_status ?? null,
    routing_reason: c.routing_reason ?? null,
  };
}

/** Subscribes the log to the service and live state; returns the unsubscribe. */
export function wireEventLog(log: EventLog, service: GeographicRedundancy, live: LiveState): () => void {
  const off = [
    service.on('state', (e) =>
      log.publish('health', { region: e.region, from: e.from, to: e.to, reason: e.reason }, e.at),
    ),
    service.on('failover', (e) => {
      log.publish(
        'active_region',
        { from: e.from_region, to: e.to_region, reason: e.reason, automatic: e.automatic },
        e.at,
      );
      if (e.record) log.publish('failover', { ...e.record }, e.at);
    }),
    service.on('failback-pending', (e) =>
      log.publish(
        'failback_pending',
        { id: e.id, from_region: e.from_region, to_region: e.to_region, reason: e.reason },
        e.at,
      ),
    ),
    service.on('scheduled', (e) =>
      log.publish('scheduled_failover', { action: e.action, ...e.schedule }, e.at),
    ),
    service.on('settings', (e) => log.publish('settings', { changed: e.changed }, e.at)),
    service.on('replication_lag', (e) => {
      const { type: _type, at, ...fields } = e;
      log.publish('replication_lag', fields, at);
    }),
    service.on('all-down', (e) => log.publish('all_down', { keep: e.keep, reason: e.reason }, e.at)),
    service.on('suppressed', (e) =>
      log.publish(
        'suppressed',
        { from_region: e.from_region, wanted_to: e.wanted_to, reason: e.reason },
        e.at,
      ),
    ),
    live.onChange((c) => {
      if (c.kind === 'simulation') {
        const until = c.simulation.until;
        log.publish('simulation', {
          region: c.simulation.region,
          until: until === null ? null : new Date(until).toISOString(),
          running: until !== null && until > Date.now(),
        });
      } else if (c.kind === 'active-region' && (c.origin === 'remote' || c.previous === null)) {
        // A local switch is published with its failover (which knows whether it was automatic); these are
        // the first choice at start-up and switches another instance made, where that is not known here.
        log.publish('active_region', {
          from: c.previous?.name ?? null,
          to: c.active.name,
          reason: c.active.reason,
          automatic: c.previous === null ? true : null,
        });
      }
    }),
  ];
  return () => {
    for (const f of off) f();
  };
}
