/** The guide's schedule_failover: a maintenance window in the store, put in force by the failover engine. */
import { geoError, requireFailoverEnabled, requireRunning, type GeoContext } from './context';
import type { RegionRegistry } from './region-registry';
import type { ScheduleFailoverRequest, ScheduledFailoverInfo } from './types';
import { scheduledInfo } from './views';

export class ScheduledFailovers {
  constructor(
    private readonly ctx: GeoContext,
    private readonly regions: RegionRegistry,
  ) {}

  async schedule(req: ScheduleFailoverRequest): Promise<ScheduledFailoverInfo> {
    requireRunning(this.ctx);
    requireFailoverEnabled(this.ctx, 'schedule_failover');
    this.regions.require(req.target_region);
    const start = typeof req.start_time === 'string' ? Date.parse(req.start_time) : NaN;
    if (!Number.isFinite(start)) {
      throw geoError('GEO_BAD_SETTING', {
        setting: 'start_time',
        found: JSON.stringify(req.start_time),
        expected: 'an ISO-8601 time such as 2025-01-20T02:00:00Z',
      });
    }
    if (typeof req.duration !== 'number' || !Number.isFinite(req.duration) || req.duration <= 0) {
      throw geoError('GEO_BAD_SETTING', {
        setting: 'duration',
        found: JSON.stringify(req.duration),
        expected: 'a number of seconds above 0',
      });
    }
    const { store, log, engine, events, clock } = this.ctx;
    // A window entirely in the past would be "completed" at once without ever being in force.
    const end = start + req.duration * 1000;
    const now = clock.now();
    if (end <= now) {
      throw geoError('GEO_SCHEDULED_FAILOVER_IN_PAST', {
        setting: 'start_time',
        start: new Date(start).toISOString(),
        duration: req.duration,
        end: new Date(end).toISOString(),
        now: new Date(now).toISOString(),
      });
    }
    const row = await store.createScheduledFailover({
      target_region: req.target_region,
      start_time: new Date(start),
      duration: req.duration,
      reason: req.reason ?? null,
      created_by: req.created_by ?? null,
    });
    log.info(
      { id: row.id, target: row.target_region, start: row.start_time, duration: row.duration },
      `failover to ${row.target_region} scheduled at ${row.start_time} for ${row.duration} s`,
    );
    await engine.reloadAndEvaluate();
    const info = scheduledInfo(row);
    events.emit({ type: 'scheduled', action: 'created', schedule: info, at: clock.now() });
    return info;
  }

  async cancel(id: number): Promise<ScheduledFailoverInfo> {
    requireRunning(this.ctx);
    const { store, log, engine, events, clock } = this.ctx;
    const row = (await store.listScheduledFailovers()).find((s) => s.id === id);
    if (!row) throw geoError('GEO_UNKNOWN_SCHEDULED_FAILOVER', { id });
    if (row.status === 'completed' || row.status === 'cancelled') {
      throw geoError('GEO_SCHEDULED_FAILOVER_OVER', { id, status: row.status });
    }
    const updated = await store.updateScheduledFailover(id, { status: 'cancelled' });
    log.info({ id }, `scheduled failover ${id} to ${row.target_region} cancelled`);
    await engine.reloadAndEvaluate();
    const info = scheduledInfo(updated);
    events.emit({ type: 'scheduled', action: 'cancelled', schedule: info, at: clock.now() });
    return info;
  }

  async list(): Promise<ScheduledFailoverInfo[]> {
    return (await this.ctx.store.listScheduledFailovers()).map(scheduledInfo);
  }
}
