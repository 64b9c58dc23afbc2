/** An operator's failover: the guide's manual_failover and test_failover, and the failover history. */
import { decideManualFailover } from '../failover/decide-manual';
import { planFailover } from '../failover/decide-plan';
import { checkLimit, requireFailoverEnabled, requireRunning, type GeoContext } from './context';
import type { FailoverRecord, FailoverResult, ManualFailoverRequest, TestFailoverResult } from './types';
import { failoverRecord } from './views';

export class OperatorFailover {
  constructor(private readonly ctx: GeoContext) {}

  async manualFailover(req: ManualFailoverRequest): Promise<FailoverResult> {
    requireRunning(this.ctx);
    requireFailoverEnabled(this.ctx, 'manual_failover');
    const { engine, clock } = this.ctx;
    return engine.serial(async () => {
      const now = clock.now();
      const decision = decideManualFailover(
        {
          target: req.target_region,
          by: req.initiated_by ?? 'api',
          reason: req.reason ?? 'manual failover',
          ...(req.force !== undefined ? { force: req.force } : {}),
        },
        engine.input(),
        this.ctx.geo(),
        now,
      );
      const row = await engine.applySwitch(decision, now);
      return {
        success: row !== null,
        from_region: decision.from,
        to_region: decision.to,
        reason: row
          ? decision.reason
          : `not applied: another geored instance switched the active region first`,
        occurred_at: row?.occurred_at ?? new Date(now).toISOString(),
      };
    });
  }

  async getFailoverHistory(limit = 50): Promise<FailoverRecord[]> {
    checkLimit(limit);
    return (await this.ctx.store.listFailovers({ limit })).map(failoverRecord);
  }

  /** The guide's test_failover: the plan and the checks on the target. With dry_run false it also fails over. */
  async testFailover(from: string, to: string, dry_run = true): Promise<TestFailoverResult> {
    const plan = planFailover(from, to, this.ctx.engine.input(), this.ctx.geo(), this.ctx.clock.now());
    const result: TestFailoverResult = {
      from_region: from,
      to_region: to,
      dry_run,
      ok: plan.ok,
      reason: plan.reason,
      steps: [...plan.steps],
      checks: plan.checks.map((c) => ({ ...c })),
    };
    if (!dry_run) requireFailoverEnabled(this.ctx, 'test_failover with dry_run false');
    if (!dry_run && plan.ok) {
      const done = await this.manualFailover({
        target_region: to,
        reason: 'test_failover',
        initiated_by: 'test_failover',
      });
      return { ...result, reason: done.reason };
    }
    return result;
  }
}
