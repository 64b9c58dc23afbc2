/**
 * Failback with failback.automatic false: the engine asks (one request per recovery), an operator approves
 * or rejects, and the engine applies an approval when the failback rules allow.
 */
import { GeoredError } from '../errors/catalogue';
import { decideFailover } from '../failover/decide-failover';
import { geoError, requireFailoverEnabled, requireRunning, type GeoContext } from './context';
import type { FailoverResult, PendingFailback } from './types';
import { pendingFailback } from './views';

export type RejectedFailback = PendingFailback & { decision: 'rejected'; decided_by: string };

export class FailbackApprovals {
  constructor(private readonly ctx: GeoContext) {}

  async listPending(): Promise<PendingFailback[]> {
    return (await this.ctx.store.listFailbackApprovals({ pending: true })).map(pendingFailback);
  }

  async approve(id: number, by: string): Promise<FailoverResult> {
    requireRunning(this.ctx);
    requireFailoverEnabled(this.ctx, 'approve_failback');
    const { engine, live, clock, store } = this.ctx;
    const row = await this.decide(id, 'approved', by);
    await engine.reloadAndEvaluate();
    const active = live.getActive();
    const now = clock.now();
    if (active?.name === row.to_region) {
      const last = (await store.listFailovers({ limit: 1 }))[0];
      return {
        success: true,
        from_region: row.from_region,
        to_region: row.to_region,
        reason: last?.reason ?? active.reason,
        occurred_at: last?.occurred_at ?? new Date(active.activeSince).toISOString(),
      };
    }
    const why = this.ctx.isLeader()
      ? decideFailover(engine.input(), this.ctx.geo(), now).reason
      : 'the probe leader applies it when the failback rules allow';
    return {
      success: false,
      from_region: row.from_region,
      to_region: row.to_region,
      reason: `failback to ${row.to_region} approved by ${by} but not done yet: ${why}`,
      occurred_at: new Date(now).toISOString(),
    };
  }

  async reject(id: number, by: string): Promise<RejectedFailback> {
    requireRunning(this.ctx);
    const row = await this.decide(id, 'rejected', by);
    return { ...pendingFailback(row), decision: 'rejected', decided_by: by };
  }

  private async decide(id: number, decision: 'approved' | 'rejected', by: string) {
    const { store, log, clock } = this.ctx;
    const row = (await store.listFailbackApprovals()).find((a) => a.id === id);
    if (!row) throw geoError('GEO_UNKNOWN_FAILBACK', { id });
    if (row.decision !== null) throw geoError('GEO_FAILBACK_DECIDED', { id, decision: row.decision });
    try {
      const decided = await store.decideFailbackApproval(id, decision, by, new Date(clock.now()));
      log.info({ id, by, to: row.to_region }, `failback ${id} to ${row.to_region} ${decision} by ${by}`);
      return decided;
    } catch (err) {
      if (err instanceof GeoredError && err.code === 'STORE_FAILBACK_APPROVAL_DECIDED') {
        throw geoError('GEO_FAILBACK_DECIDED', { id, decision: 'decided' });
      }
      throw err;
    }
  }
}
