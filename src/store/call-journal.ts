/**
 * The call-record journal: a local append-only file that holds the call records settled since the last
 * batch reached the store, so the store can take them in batches (one transaction every flush interval)
 * while a SIGKILL still loses no answered call.
 *
 * Why a file beside the store rather than a commit per event-loop turn: a SQLite commit writes whole pages
 * of the table and of each of its indexes to the WAL (tens of kilobytes, hundreds of microseconds per
 * turn at 100 calls/s, measured in docs/benchmarks.md), while an append of the turn's records as JSON lines
 * is one small write(2). The kernel has the bytes once write(2) returns: a killed process loses nothing of
 * them (a power loss can, as it can lose SQLite's last commits under synchronous = NORMAL).
 *
 * After every batch write the file is replaced (a temp file renamed over it: atomic) by the records still
 * pending, so it never holds more than the spool does. A process that starts on a journal left behind
 * takes its records as pending (CallRecorder), and the store's upsert by call_id makes a record that had in
 * fact been written before the kill harmless.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { CallAttemptInput, CallJournal, CallJournalEntry, CallInput, Timestamp } from './types';

/** The journal of the SQLite store at `dbPath`: beside it, so it lives and is backed up with it. */
export function callJournalPath(dbPath: string): string {
  return `${dbPath}-calls.journal`;
}

/** Milliseconds: a number serialises for a fraction of what Date's toJSON (an ISO string) costs. */
function ms(t: Timestamp | null | undefined): number | null {
  if (t === null || t === undefined) return null;
  return typeof t === 'string' ? Date.parse(t) : t.getTime();
}

/**
 * One line per entry, a JSON array: a row is its eleven columns in CallInput's order (times in ms), an end
 * is [call_id, ended_at ms]. Arrays, not objects, and each attempt as [region, status, reason, outcome, started ms,
 * ended ms]: this runs for every call, twice.
 */
function line(e: CallJournalEntry): string {
  if ('end' in e) return JSON.stringify([e.end.call_id, ms(e.end.ended_at)]) + '\n';
  const r = e.row;
  return (
    JSON.stringify([
      r.call_id,
      r.direction,
      r.from_uri,
      r.to_uri,
      (r.attempts ?? []).map((a) => [
        a.region,
        a.status ?? null,
        a.reason ?? null,
        a.outcome,
        ms(a.started_at),
        ms(a.ended_at),
      ]),
      r.region ?? null,
      ms(r.started_at),
      ms(r.answered_at),
      ms(r.ended_at),
      r.final_status ?? null,
      r.routing_reason ?? null,
    ]) + '\n'
  );
}

function lines(entries: readonly CallJournalEntry[]): string {
  let text = '';
  for (const e of entries) text += line(e);
  return text;
}

export class FileCallJournal implements CallJournal {
  private fd: number;
  private closed = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  append(entries: readonly CallJournalEntry[]): void {
    if (this.closed || entries.length === 0) return;
    writeSync(this.fd, lines(entries));
  }

  replace(entries: readonly CallJournalEntry[]): void {
    if (this.closed) return;
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, lines(entries));
    renameSync(tmp, this.path);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
  }

  /**
   * What a previous process left: its entries in order, and how many lines could not be read (a line cut
   * short by a kill in the middle of a write: only ever the last one).
   */
  recover(): { entries: CallJournalEntry[]; unreadable: number } {
    if (!existsSync(this.path)) return { entries: [], unreadable: 0 };
    const entries: CallJournalEntry[] = [];
    let unreadable = 0;
    for (const text of readFileSync(this.path, 'utf8').split('\n')) {
      if (text === '') continue;
      const e = parseLine(text);
      if (e) entries.push(e);
      else unreadable++;
    }
    return { entries, unreadable };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

function parseLine(text: string): CallJournalEntry | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(v)) return null;
  const date = (x: unknown): Date | null => (typeof x === 'number' ? new Date(x) : null);
  if (v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'number')
    return { end: { call_id: v[0], ended_at: new Date(v[1]) } };
  if (v.length !== 11 || typeof v[6] !== 'number') return null;
  // The row's values are checked by the store when it is written (an invalid one is dropped there, counted).
  return {
    row: {
      call_id: v[0] as string,
      direction: v[1] as CallInput['direction'],
      from_uri: v[2] as string,
      to_uri: v[3] as string,
      attempts: Array.isArray(v[4]) ? (v[4] as unknown[]).map(attemptOf) : [],
      region: v[5] as string | null,
      started_at: new Date(v[6]),
      answered_at: date(v[7]),
      ended_at: date(v[8]),
      final_status: v[9] as number | null,
      routing_reason: v[10] as string | null,
    },
  };
}

/** An attempt as line() wrote it; anything else is passed on for the store to refuse as invalid. */
function attemptOf(a: unknown): CallAttemptInput {
  if (!Array.isArray(a)) return a as CallAttemptInput;
  return {
    region: a[0] as string,
    status: a[1] as number | null,
    reason: a[2] as string | null,
    outcome: a[3] as CallAttemptInput['outcome'],
    started_at: typeof a[4] === 'number' ? new Date(a[4]) : (a[4] as string),
    ended_at: typeof a[5] === 'number' ? new Date(a[5]) : null,
  };
}
