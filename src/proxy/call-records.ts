/**
 * Call records (geo_calls): one per routed call, written in batches so the store sees one transaction per
 * flush, not one per call. A record is queued when the call's setup ends (answered or not); the end of an
 * answered call (its BYE) edits the queued row, or becomes an update when the row was already written.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/registry';
import type { CallAttemptInput, CallDirection, CallInput, Store } from '../store/types';
import type { Attempt } from './failover-chain';

export interface CallRecord {
  readonly call_id: string;
  readonly direction: CallDirection;
  readonly from_uri: string;
  readonly to_uri: string;
  readonly started_at: Date;
  attempts: CallAttemptInput[];
  region: string | null;
  answered_at: Date | null;
  ended_at: Date | null;
  final_status: number | null;
  /** Queued: still in the next batch. Written: in the store, later changes go through updateCall. */
  stage: 'open' | 'queued' | 'written';
}

export type CallResult = 'answered' | 'rejected' | 'failed' | 'cancelled';

export function attemptsOf(attempts: readonly Attempt[]): CallAttemptInput[] {
  return attempts.map((a) => ({
    region: a.region,
    status: a.status,
    reason:
      a.reason ??
      (a.outcome === 'timeout'
        ? 'no answer in time'
        : a.outcome === 'transport-error'
          ? 'transport error'
          : null),
    outcome: a.outcome ?? 'cancelled',
    started_at: new Date(a.startedAt),
    ended_at: a.endedAt === null ? null : new Date(a.endedAt),
  }));
}

export class CallRecorder {
  private queue: CallRecord[] = [];
  private updates: CallRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private flushes = 0;
  /** geored_calls_total children by region and result, so counting a call is a Map hit. */
  private readonly callCounters = new Map<string, { inc(): void }>();

  constructor(
    private readonly store: Pick<Store, 'recordCalls' | 'updateCall' | 'pruneCalls'> | undefined,
    private readonly metrics: Metrics | undefined,
    private readonly log: Logger,
    private readonly limits: {
      flushMs: number;
      batch: number;
      maxRows: number;
      /** Told of each batch once the store has it. */
      onRecorded?: (calls: readonly CallInput[]) => void;
    },
  ) {}

  open(
    call_id: string,
    direction: CallDirection,
    from_uri: string,
    to_uri: string,
    started: number,
  ): CallRecord {
    return {
      call_id,
      direction,
      from_uri,
      to_uri,
      started_at: new Date(started),
      attempts: [],
      region: null,
      answered_at: null,
      ended_at: null,
      final_status: null,
      stage: 'open',
    };
  }

  /** The call's setup is over: answered (it runs on until BYE) or not (it ends now). */
  settled(r: CallRecord, status: number, region: string | null, result: CallResult, now: number): void {
    r.final_status = status;
    r.region = region;
    if (result === 'answered') r.answered_at = new Date(now);
    else r.ended_at = new Date(now);
    if (this.metrics) this.countCall(this.metrics, region ?? 'none', result);
    r.stage = 'queued';
    this.queue.push(r);
    this.schedule();
  }

  ended(r: CallRecord, now: number): void {
    if (r.ended_at !== null) return;
    r.ended_at = new Date(now);
    if (r.stage === 'written') {
      this.updates.push(r);
      this.schedule();
    }
  }

  /** Writes everything pending; resolves when the store has it. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.queue;
    const updates = this.updates;
    this.queue = [];
    this.updates = [];
    if (!this.store || (batch.length === 0 && updates.length === 0)) return this.flushing;
    const store = this.store;
    this.flushing = this.flushing.then(async () => {
      try {
        if (batch.length > 0) {
          const inputs = batch.map(toInput);
          await store.recordCalls(inputs);
          for (const r of batch) r.stage = 'written';
          this.tellRecorded(inputs);
        }
        for (const r of updates) await store.updateCall(r.call_id, { ended_at: r.ended_at });
        if (++this.flushes % 50 === 0) await store.pruneCalls({ maxRows: this.limits.maxRows });
      } catch (e) {
        // Records are worth less than calls: log, drop this batch, keep routing.
        this.log.error({ err: (e as Error).message, calls: batch.length }, 'call records not written');
      }
    });
    return this.flushing;
  }

  private tellRecorded(inputs: readonly CallInput[]): void {
    try {
      this.limits.onRecorded?.(inputs);
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'a call-record listener threw');
    }
  }

  private countCall(metrics: Metrics, region: string, result: CallResult): void {
    const key = `${region}\n${result}`;
    let child = this.callCounters.get(key);
    if (!child) {
      child = metrics.calls.labels(region, result);
      this.callCounters.set(key, child);
    }
    child.inc();
  }

  private schedule(): void {
    if (this.queue.length + this.updates.length >= this.limits.batch) {
      void this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.limits.flushMs);
      this.timer.unref();
    }
  }
}

function toInput(r: CallRecord): CallInput {
  return {
    call_id: r.call_id,
    direction: r.direction,
    from_uri: r.from_uri,
    to_uri: r.to_uri,
    attempts: r.attempts,
    region: r.region,
    started_at: r.started_at,
    answered_at: r.answered_at,
    ended_at: r.ended_at,
    final_status: r.final_status,
  };
}
