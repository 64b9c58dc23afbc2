/**
 * Writes check results to geo_health_checks in batches (one transaction about every second rather than
 * one per probe), and prunes the table to its retention bound so it cannot grow without limit.
 */
import type { Logger } from 'pino';
import type { HealthCheckInput, Store } from '../store/types';

export interface CheckRecorderOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly flushEveryMs?: number;
  readonly pruneEveryMs?: number;
  readonly retention: () => { readonly max_rows: number; readonly max_age_days: number };
  readonly now: () => number;
}

/** Rows waiting beyond this are dropped oldest first: a store that is down must not eat the memory. */
const MAX_PENDING = 50_000;

export class CheckRecorder {
  private pending: HealthCheckInput[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(private readonly opts: CheckRecorderOptions) {}

  start(): void {
    if (this.flushTimer) return;
    this.flushTimer = setInterval(() => void this.flush(), this.opts.flushEveryMs ?? 1000);
    this.pruneTimer = setInterval(() => void this.prune(), this.opts.pruneEveryMs ?? 60_000);
    this.flushTimer.unref();
    this.pruneTimer.unref();
  }

  add(row: HealthCheckInput): void {
    this.pending.push(row);
    if (this.pending.length > MAX_PENDING) {
      this.pending.splice(0, this.pending.length - MAX_PENDING);
      this.dropped++;
    }
  }

  /** Writes what is pending; resolves when it is written (or failed and was logged). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.opts.store.recordHealthChecks(batch);
      } catch (err) {
        // Keep the rows for the next flush: a store that blips should not lose the record.
        this.pending = batch.concat(this.pending).slice(-MAX_PENDING);
        this.opts.logger.warn(
          { err, rows: batch.length },
          'could not record health-check results; will retry',
        );
      }
      if (this.dropped > 0) {
        this.opts.logger.warn(
          { dropped: this.dropped },
          'health-check results dropped while the store lagged',
        );
        this.dropped = 0;
      }
    });
    return this.flushing;
  }

  async prune(): Promise<number> {
    const { max_rows, max_age_days } = this.opts.retention();
    try {
      return await this.opts.store.pruneHealthChecks({
        maxRows: max_rows,
        maxAgeDays: max_age_days,
        now: new Date(this.opts.now()),
      });
    } catch (err) {
      this.opts.logger.warn({ err }, 'could not prune geo_health_checks');
      return 0;
    }
  }

  /** Stops the timers and writes what is left. */
  async stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.flushTimer = null;
    this.pruneTimer = null;
    await this.flush();
  }
}
