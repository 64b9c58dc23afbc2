/**
 * Call records (geo_calls): one per routed call, written in batches so the store sees one transaction per
 * flush, not one per call. A record is queued when the call's setup ends (answered or not); the end of an
 * answered call (its BYE) edits the queued row, or becomes an update when the row was already written.
 *
 * A write the store refuses for being unavailable (a database restart) is not lost: the records stay
 * queued, in order, and the write is retried with a doubling delay until the store takes them (the
 * insert is an upsert by call_id, so a retry after a write that did commit changes nothing). The spool is
 * bounded (`maxSpooled`): past it the oldest records are dropped and counted. A record the store refuses
 * as invalid is dropped alone, never retried.
 */
import { GeoredError } from '../errors/catalogue';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/registry';
import type { CallAttemptInput, CallDirection, CallInput, Store } from '../store/types';

/** Retries of a failed write never wait longer than this: one query every 5 s costs a sick store nothing. */
const MAX_RETRY_MS = 5_000;
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
  /** The routing decision's sentence (the string the router already built: no cost to keep it). */
  readonly routing_reason: string | null;
  /**
   * Queued: still in the next batch. Written: in the store, later changes go through updateCall. Dropped:
   * lost (spool overflow, refused as invalid), so its end is not written either.
   */
  stage: 'open' | 'queued' | 'written' | 'dropped';
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
  /** flushMs 0: the flush at the end of this event-loop turn (see schedule). */
  private immediate: NodeJS.Immediate | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private flushes = 0;
  /** Failed writes in a row (0: the store takes records); sets the retry delay. */
  private failures = 0;
  /** Records dropped since the spool last overflowed, reported once the store is back. */
  private droppedInOutage = 0;
  /** Records lost for good (spool overflow, invalid rows). */
  dropped = 0;
  /** Rows and updates of the write in flight. */
  private writing = 0;
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
      maxSpooled?: number;
      retryMs?: number;
      /** Told of each batch once the store has it. */
      onRecorded?: (calls: readonly CallInput[]) => void;
    },
  ) {}

  /** Records waiting for the store (queued rows and end-of-call updates), counting those being written. */
  get pending(): number {
    return this.queue.length + this.updates.length + this.writing;
  }

  open(
    call_id: string,
    direction: CallDirection,
    from_uri: string,
    to_uri: string,
    started: number,
    routing_reason: string | null = null,
  ): CallRecord {
    return {
      call_id,
      direction,
      from_uri,
      to_uri,
      routing_reason,
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
    this.bound();
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

  /** Writes everything pending; resolves when the store has it, or when this attempt failed (kept for a retry). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.store) {
      this.queue = [];
      this.updates = [];
      return this.flushing;
    }
    if (this.pending === 0) return this.flushing;
    const store = this.store;
    this.flushing = this.flushing.then(() => this.write(store));
    return this.flushing;
  }

  private async write(store: Pick<Store, 'recordCalls' | 'updateCall' | 'pruneCalls'>): Promise<void> {
    const batch = this.queue;
    const updates = this.updates;
    if (batch.length === 0 && updates.length === 0) return;
    this.queue = [];
    this.updates = [];
    this.writing = batch.length + updates.length;
    let done = 0;
    try {
      if (batch.length > 0) await this.insert(store, batch);
      for (; done < updates.length; done++) {
        const r = updates[done] as CallRecord;
        await store.updateCall(r.call_id, { ended_at: r.ended_at });
      }
      if (++this.flushes % 50 === 0) await store.pruneCalls({ maxRows: this.limits.maxRows });
    } catch (e) {
      // Kept, in order, ahead of what arrived meanwhile; the rows of `batch` were not written (one
      // transaction), the updates before `done` were.
      const unwritten = batch.filter((r) => r.stage === 'queued');
      if (unwritten.length > 0) this.queue = [...unwritten, ...this.queue];
      this.updates = [...updates.slice(done), ...this.updates];
      this.writing = 0;
      this.bound();
      this.failed(e as Error);
      return;
    }
    this.writing = 0;
    this.recovered();
    this.setSpooled();
  }

  /** One transaction for the batch; when the store refuses a row as invalid, row by row, dropping those. */
  private async insert(
    store: Pick<Store, 'recordCalls' | 'updateCall' | 'pruneCalls'>,
    batch: CallRecord[],
  ): Promise<void> {
    try {
      const inputs = batch.map(toInput);
      await store.recordCalls(inputs);
      for (const r of batch) r.stage = 'written';
      this.tellRecorded(inputs);
      return;
    } catch (e) {
      if (!isInvalidRow(e)) throw e;
    }
    for (const r of batch) {
      try {
        const input = toInput(r);
        await store.recordCalls([input]);
        r.stage = 'written';
        this.tellRecorded([input]);
      } catch (e) {
        if (!isInvalidRow(e)) throw e;
        r.stage = 'dropped'; // never retried
        this.drop(1);
        this.log.error(
          { err: (e as Error).message, call_id: r.call_id },
          'call record refused by the store as invalid: dropped',
        );
      }
    }
  }

  private tellRecorded(inputs: readonly CallInput[]): void {
    try {
      this.limits.onRecorded?.(inputs);
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'a call-record listener threw');
    }
  }

  private failed(err: Error): void {
    this.failures++;
    const delay = Math.min((this.limits.retryMs ?? 500) * 2 ** (this.failures - 1), MAX_RETRY_MS);
    this.setSpooled();
    // One error line per outage, not one per retry: the spool gauge shows how it goes meanwhile.
    if (this.failures === 1) {
      this.log.error(
        { err: err.message, spooled: this.pending },
        'call records not written: the store failed; they are kept and the write retried until it succeeds',
      );
    } else if (this.log.isLevelEnabled('debug')) {
      this.log.debug(
        { err: err.message, spooled: this.pending, retryMs: delay },
        'call records still not written',
      );
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, delay);
      this.timer.unref();
    }
  }

  private recovered(): void {
    if (this.failures === 0) return;
    this.log.info(
      { attempts: this.failures, dropped: this.droppedInOutage },
      `call records written again after ${this.failures} failed attempt${this.failures === 1 ? '' : 's'}` +
        (this.droppedInOutage > 0 ? `; ${this.droppedInOutage} were dropped when the spool was full` : ''),
    );
    this.failures = 0;
    this.droppedInOutage = 0;
  }

  /** Keeps the spool within maxSpooled by dropping the oldest queued records. */
  private bound(): void {
    const max = this.limits.maxSpooled ?? Infinity;
    const excess = this.queue.length - max;
    if (excess <= 0) return;
    const lost = this.queue.splice(0, excess);
    for (const r of lost) r.stage = 'dropped';
    this.droppedInOutage += excess;
    this.drop(excess);
  }

  private drop(n: number): void {
    this.dropped += n;
    this.metrics?.callRecordsDropped.inc(n);
  }

  private setSpooled(): void {
    this.metrics?.callRecordsSpooled.set(this.failures > 0 ? this.pending : 0);
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
    // While the store is failing, the retry timer alone writes (a full batch must not hammer it).
    if (this.failures > 0) return;
    if (this.queue.length + this.updates.length >= this.limits.batch) {
      void this.flush();
      return;
    }
    if (this.limits.flushMs === 0) {
      // A synchronous store (SQLite): every record settled in this turn is written in one transaction at
      // its end (setImmediate runs after the turn's I/O callbacks), before the loop waits again. A SIGKILL
      // then loses only what the rest of the turn held, not up to a flush interval of answered calls.
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        void this.flush();
      });
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
    routing_reason: r.routing_reason,
  };
}

function isInvalidRow(e: unknown): boolean {
  return e instanceof GeoredError && e.code === 'STORE_INVALID_ROW';
}
