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
import type { CallJournal, CallJournalEntry, CallInput } from './types';

/** The journal of the SQLite store at `dbPath`: beside it, so it lives and is backed up with it. */
export function callJournalPath(dbPath: string): string {
  return `${dbPath}-calls.journal`;
}

function line(e: CallJournalEntry): string {
  return JSON.stringify('row' in e ? { r: e.row } : { e: [e.end.call_id, e.end.ended_at] }) + '\n';
}

export class FileCallJournal implements CallJournal {
  private fd: number;
  private closed = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  append(entries: readonly CallJournalEntry[]): void {
    if (this.closed || entries.length === 0) return;
    let text = '';
    for (const e of entries) text += line(e);
    writeSync(this.fd, text);
  }

  replace(entries: readonly CallJournalEntry[]): void {
    if (this.closed) return;
    let text = '';
    for (const e of entries) text += line(e);
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, text);
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
  if (typeof v !== 'object' || v === null) return null;
  const o = v as { r?: unknown; e?: unknown };
  // The row itself is checked by the store when it is written (an invalid one is dropped there, counted).
  if (typeof o.r === 'object' && o.r !== null) return { row: o.r as CallInput };
  if (Array.isArray(o.e) && typeof o.e[0] === 'string' && typeof o.e[1] === 'string')
    return { end: { call_id: o.e[0], ended_at: o.e[1] } };
  return null;
}
