/**
 * Call records (geo_calls): one per routed call, written in batches so the store sees one transaction per
 * flush, not one per call. A record is queued when the call's setup ends (answered or not); the end of an
 * answered call (its BYE) edits the queued row, or becomes an end when the row was already written (the
 * ends of a flush are one transaction too).
 *
 * With a journal (SQLite: src/store/call-journal.ts), what a turn settled is appended to it at the end of
 * that turn, so a SIGKILL between two flushes loses no record: the next process starts with the journal's
 * records pending. After each write the journal is cut back to what is still pending.
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
import type {
  CallAttemptInput,
  CallDirection,
  CallInput,
  CallJournal,
  CallJournalEntry,
  Store,
} from '../store/types';

type RecordStore = Pick<Store, 'recordCalls' | 'endCalls' | 'pruneCalls'>;

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
   * Queued: still in the next batch. Writing: in the batch being written (its row was serialised when the
   * write began, so an end arriving now goes as an end too). Written: in the store, its end goes as an end
   * (endCalls). Dropped: lost (spool overflow, refused as invalid), so its end is not written either.
   */
  stage: 'open' | 'queued' | 'writing' | 'written' | 'dropped';
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
  /** The journal append at the end of this event-loop turn, and what it will append. */
  private immediate: NodeJS.Immediate | null = null;
  private unjournaled: CallJournalEntry[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushes = 0;
  /** Failed writes in a row (0: the store takes records); sets the retry delay. */
  private failures = 0;
  /** Records dropped since the spool last overflowed, reported once the store is back. */
  private droppedInOutage = 0;
  /** Journal writes that failed (the first is logged). */
  private journalErrors = 0;
  /** Records lost for good (spool overflow, invalid rows). */
  dropped = 0;
  /** Rows and updates of the write in flight. */
  private writing = 0;
  /** geored_calls_total children by region and result, so counting a call is a Map hit. */
  private readonly callCounters = new Map<string, { inc(): void }>();

  constructor(
    private readonly store: RecordStore | undefined,
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
      /** Where settled records wait for the store, safe from a kill (the SQLite store's file journal). */
      journal?: CallJournal;
    },
  ) {
    if (limits.journal && store) this.adopt(limits.journal);
  }

  /**
   * Takes what an earlier process's journal held as pending: its rows queued as rows, its ends as ends
   * (the upsert by call_id makes a row that had been written before the kill harmless).
   */
  private adopt(journal: CallJournal): void {
    let left: ReturnType<CallJournal['recover']>;
    try {
      left = journal.recover();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'the call-record journal could not be read');
      return;
    }
    const rows = new Map<string, CallRecord>();
    for (const e of left.entries) {
      if ('row' in e) {
        const r = fromInput(e.row);
        rows.set(r.call_id, r);
      } else {
        const queued = rows.get(e.end.call_id);
        if (queued) queued.ended_at = new Date(e.end.ended_at);
        else this.updates.push(endOnly(e.end.call_id, e.end.ended_at));
      }
    }
    this.queue.push(...rows.values());
    if (left.entries.length > 0 || left.unreadable > 0) {
      this.log.info(
        { rows: rows.size, ends: this.updates.length, unreadable: left.unreadable },
        `${rows.size} call record${rows.size === 1 ? '' : 's'} and ${this.updates.length} call end${this.updates.length === 1 ? '' : 's'} recovered from the journal a previous process left` +
          (left.unreadable > 0 ? `; ${left.unreadable} line(s) cut short by the kill were unreadable` : ''),
      );
      this.schedule();
    }
  }

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
    this.journal({ row: toInput(r) });
    this.bound();
    this.schedule();
  }

  ended(r: CallRecord, now: number): void {
    if (r.ended_at !== null) return;
    r.ended_at = new Date(now);
    if (r.stage === 'open' || r.stage === 'dropped') return;
    this.journal({ end: { call_id: r.call_id, ended_at: r.ended_at } });
    if (r.stage === 'written' || r.stage === 'writing') {
      this.updates.push(r);
      this.schedule();
    }
  }

  /** Appends to the journal at the end of this turn: one write(2) for all a turn settled. */
  private journal(entry: CallJournalEntry): void {
    if (!this.limits.journal || !this.store) return;
    this.unjournaled.push(entry);
    this.immediate ??= setImmediate(() => this.appendJournal());
  }

  private appendJournal(): void {
    this.immediate = null;
    const entries = this.unjournaled;
    this.unjournaled = [];
    try {
      this.limits.journal?.append(entries);
    } catch (e) {
      this.journalFailed(e);
    }
  }

  /** After a write: the journal holds exactly what is still pending (what arrived during the write too). */
  private cutJournal(): void {
    const journal = this.limits.journal;
    if (!journal) return;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = null;
    this.unjournaled = [];
    const entries: CallJournalEntry[] = [];
    for (const r of this.queue) entries.push({ row: toInput(r) });
    for (const r of this.updates)
      if (r.ended_at) entries.push({ end: { call_id: r.call_id, ended_at: r.ended_at } });
    try {
      journal.replace(entries);
    } catch (e) {
      this.journalFailed(e);
    }
  }

  /** A full disk: records still reach the store every flush; only the kill-safety between flushes is lost. */
  private journalFailed(e: unknown): void {
    if (this.journalErrors++ === 0)
      this.log.error(
        { err: (e as Error).message },
        'the call-record journal could not be written: records settled since the last flush are lost if geored is killed',
      );
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

  private async write(store: RecordStore): Promise<void> {
    const batch = this.queue;
    const updates = this.updates;
    if (batch.length === 0 && updates.length === 0) return;
    this.queue = [];
    this.updates = [];
    this.writing = batch.length + updates.length;
    let done = 0;
    for (const r of batch) r.stage = 'writing';
    try {
      if (batch.length > 0) await this.insert(store, batch);
      // SQLite answers synchronously: without a turn between the steps, the rows, the ends and the journal
      // cut were one block of the event loop every flush, and the datagrams that arrived meanwhile waited
      // for all of it (the tail of the added latency). Each step is its own block now.
      if (updates.length > 0) {
        if (batch.length > 0) await nextTurn();
        await store.endCalls(
          updates.map((r) => ({ call_id: r.call_id, ended_at: r.ended_at ?? new Date() })),
        );
        done = updates.length;
      }
      if (++this.flushes % 50 === 0) {
        await nextTurn();
        await store.pruneCalls({ maxRows: this.limits.maxRows });
      }
    } catch (e) {
      // Kept, in order, ahead of what arrived meanwhile; the rows of `batch` were not written (one
      // transaction), the updates before `done` were.
      const unwritten = batch.filter((r) => r.stage === 'writing');
      for (const r of unwritten) r.stage = 'queued';
      if (unwritten.length > 0) this.queue = [...unwritten, ...this.queue];
      this.updates = [...updates.slice(done), ...this.updates];
      this.writing = 0;
      this.bound();
      this.cutJournal();
      this.failed(e as Error);
      return;
    }
    this.writing = 0;
    await nextTurn();
    this.cutJournal();
    this.recovered();
    this.setSpooled();
  }

  /** One transaction for the batch; when the store refuses a row as invalid, row by row, dropping those. */
  private async insert(store: RecordStore, batch: CallRecord[]): Promise<void> {
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

/** A record read back from the journal: written as toInput wrote it, its times as ISO strings. */
function fromInput(i: CallInput): CallRecord {
  const date = (t: CallInput['ended_at']): Date | null =>
    t === null || t === undefined ? null : new Date(t);
  return {
    call_id: i.call_id,
    direction: i.direction,
    from_uri: i.from_uri,
    to_uri: i.to_uri,
    started_at: new Date(i.started_at),
    attempts: [...(i.attempts ?? [])],
    region: i.region ?? null,
    answered_at: date(i.answered_at),
    ended_at: date(i.ended_at),
    final_status: i.final_status ?? null,
    routing_reason: i.routing_reason ?? null,
    stage: 'queued',
  };
}

/** The end of a call whose row is already in the store: all an end needs is the call_id and the time. */
function endOnly(call_id: string, ended_at: CallInput['started_at']): CallRecord {
  return {
    ...fromInput({ call_id, direction: 'outbound', from_uri: '', to_uri: '', started_at: ended_at }),
    ended_at: new Date(ended_at),
    stage: 'written',
  };
}

function isInvalidRow(e: unknown): boolean {
  return e instanceof GeoredError && e.code === 'STORE_INVALID_ROW';
}

/** The rest of this async function runs in a later turn of the event loop, after the I/O waiting now. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
