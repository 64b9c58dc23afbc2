/**
 * Call records on SQLite go to a journal beside the database at the end of the event-loop turn that
 * settled them, and to the database in batches (one transaction a flush), so a SIGKILL of geored between
 * two flushes loses no answered call (the sigkill-restart scenario's "no answered call lost its record").
 * The kill here is real: a child process settles calls and SIGKILLs itself a turn later; a recorder opened
 * on the same files afterwards finds them, writes them, and the journal is cut back to empty.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CallRecorder } from '../../src/proxy/call-records';
import { callJournalPath, FileCallJournal } from '../../src/store/call-journal';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';

const run = promisify(execFile);
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'geored-records-journal-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function sqlite(file: string): Promise<Store> {
  const store = await openStore(`sqlite:${file}`);
  cleanup.push(() => store.close());
  return store;
}

function rowsIn(file: string): Array<{ call_id: string; ended_at: unknown; final_status: number }> {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare('SELECT call_id, ended_at, final_status FROM geo_calls ORDER BY call_id')
      .all() as Array<{ call_id: string; ended_at: unknown; final_status: number }>;
  } finally {
    db.close();
  }
}

const journalLines = (file: string): string[] =>
  readFileSync(callJournalPath(file), 'utf8').split('\n').filter(Boolean);
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));
const quiet = pino({ enabled: false });

function recorder(store: Store, journal: FileCallJournal, flushMs = 60_000): CallRecorder {
  cleanup.push(() => journal.close());
  return new CallRecorder(store, undefined, quiet, { flushMs, batch: 200, maxRows: 1000, journal });
}

describe('call records: the journal between flushes', () => {
  it('has what a turn settled in the journal by the next turn, and in the database only at the flush', async () => {
    const file = join(tempDir(), 'geored.db');
    const store = await sqlite(file);
    const rec = recorder(store, new FileCallJournal(callJournalPath(file)));
    const a = rec.open('call-a', 'outbound', 'sip:1@x', 'sip:2@x', Date.now());
    const b = rec.open('call-b', 'outbound', 'sip:1@x', 'sip:3@x', Date.now());
    rec.settled(a, 200, 'region-1', 'answered', Date.now());
    rec.settled(b, 503, null, 'failed', Date.now());
    expect(journalLines(file)).toEqual([]); // one write at the turn's end, not one per record
    await nextTurn();
    expect(journalLines(file).map((l) => (JSON.parse(l) as string[])[0])).toEqual(['call-a', 'call-b']);
    expect(rowsIn(file)).toEqual([]);

    await rec.flush();
    expect(rowsIn(file).map((r) => r.call_id)).toEqual(['call-a', 'call-b']);
    expect(journalLines(file)).toEqual([]); // cut back to what is pending: nothing

    rec.ended(a, Date.now());
    await nextTurn();
    expect(journalLines(file).map((l) => (JSON.parse(l) as string[])[0])).toEqual(['call-a']);
    expect(rowsIn(file).find((r) => r.call_id === 'call-a')?.ended_at).toBeNull();
    await rec.flush(); // the ends of a flush: one transaction
    expect(rowsIn(file).find((r) => r.call_id === 'call-a')?.ended_at).not.toBeNull();
    expect(journalLines(file)).toEqual([]);
  });

  it('loses nothing to a SIGKILL between two flushes: the next recorder writes what the journal held', async () => {
    const dir = tempDir();
    const file = join(dir, 'geored.db');
    // The first process: two calls written by a flush, then a third settled and the first ended, then
    // killed a turn later, long before its next flush (60 s).
    const script = join(dir, 'killed.mts');
    writeFileSync(
      script,
      `
import pino from ${JSON.stringify(join(process.cwd(), 'node_modules/pino/pino.js'))};
import { CallRecorder } from ${JSON.stringify(join(process.cwd(), 'src/proxy/call-records'))};
import { callJournalPath, FileCallJournal } from ${JSON.stringify(join(process.cwd(), 'src/store/call-journal'))};
import { openStore } from ${JSON.stringify(join(process.cwd(), 'src/store/open'))};
const file = ${JSON.stringify(file)};
const store = await openStore('sqlite:' + file);
const journal = new FileCallJournal(callJournalPath(file));
const rec = new CallRecorder(store, undefined, pino({ enabled: false }), { flushMs: 60000, batch: 200, maxRows: 1000, journal });
const a = rec.open('call-1', 'outbound', 'sip:1@x', 'sip:2@x', Date.now());
rec.settled(a, 200, 'region-1', 'answered', Date.now());
rec.settled(rec.open('call-2', 'outbound', 'sip:1@x', 'sip:2@x', Date.now()), 486, 'region-1', 'rejected', Date.now());
await rec.flush();
const c = rec.open('call-3', 'outbound', 'sip:1@x', 'sip:2@x', Date.now(), 'region-1 is down; region-2 next');
c.attempts = [
  { region: 'region-1', status: null, reason: 'no answer in time', outcome: 'timeout', started_at: new Date(5000), ended_at: new Date(5500) },
  { region: 'region-2', status: 200, reason: null, outcome: 'answered', started_at: new Date(5500), ended_at: new Date(5600) },
];
rec.settled(c, 200, 'region-2', 'answered', Date.now());
rec.ended(a, Date.now());
setImmediate(() => setImmediate(() => process.kill(process.pid, 'SIGKILL')));
`,
    );
    const killed = await run(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd() }).catch(
      (e: { signal?: string; stderr?: string }) => e,
    );
    expect(killed as { signal?: string; stderr?: string }).toMatchObject({ signal: 'SIGKILL', stderr: '' });
    // What the database had at the kill: the flushed two, call-1 (answered) not yet ended.
    expect(rowsIn(file).map((r) => [r.call_id, r.ended_at === null])).toEqual([
      ['call-1', true],
      ['call-2', false], // a rejected call ends at its setup
    ]);
    expect(journalLines(file)).toHaveLength(2);

    const store = await sqlite(file);
    const rec = recorder(store, new FileCallJournal(callJournalPath(file)));
    expect(rec.pending).toBe(2); // call-3's row and call-1's end
    await rec.flush();
    const rows = rowsIn(file);
    expect(rows.map((r) => [r.call_id, r.final_status, r.ended_at === null])).toEqual([
      ['call-1', 200, false],
      ['call-2', 486, false],
      ['call-3', 200, true],
    ]);
    // The failed-over call comes back whole: its attempts and routing sentence as written before the kill.
    const [call3] = (await store.listCalls({ limit: 10 })).filter((r) => r.call_id === 'call-3');
    expect(call3).toMatchObject({
      region: 'region-2',
      routing_reason: 'region-1 is down; region-2 next',
      attempts: [
        {
          region: 'region-1',
          status: null,
          reason: 'no answer in time',
          outcome: 'timeout',
          started_at: new Date(5000).toISOString(),
          ended_at: new Date(5500).toISOString(),
        },
        {
          region: 'region-2',
          status: 200,
          reason: null,
          outcome: 'answered',
          started_at: new Date(5500).toISOString(),
          ended_at: new Date(5600).toISOString(),
        },
      ],
    });
    expect(journalLines(file)).toEqual([]);
  });

  it('reads past a last line cut short by a kill, and writes a row the store already had only once', async () => {
    const file = join(tempDir(), 'geored.db');
    const store = await sqlite(file);
    const first = recorder(store, new FileCallJournal(callJournalPath(file)));
    first.settled(first.open('call-x', 'outbound', 'sip:1@x', 'sip:2@x', 1_000), 200, 'r', 'answered', 2_000);
    await first.flush();
    // As if killed after a flush's commit but before the journal was cut: the row is in both places.
    appendFileSync(
      callJournalPath(file),
      `${JSON.stringify(['call-x', 'outbound', 'sip:1@x', 'sip:2@x', [], 'r', 1_000, 2_000, null, 200, null])}\n["call-y","outb`,
    );
    const logged: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void logged.push(l) });
    const journal = new FileCallJournal(callJournalPath(file));
    cleanup.push(() => journal.close());
    const rec = new CallRecorder(store, undefined, log, {
      flushMs: 60_000,
      batch: 200,
      maxRows: 1000,
      journal,
    });
    expect(rec.pending).toBe(1);
    expect(logged.join('')).toContain(
      '1 call record and 0 call ends recovered from the journal a previous process left; 1 line(s) cut short by the kill were unreadable',
    );
    await rec.flush();
    expect(rowsIn(file).map((r) => r.call_id)).toEqual(['call-x']);
    expect(journalLines(file)).toEqual([]);
  });
});

describe('call records: an end that arrives while its row is being written', () => {
  it('is written too: the row was serialised when the write began', async () => {
    const file = join(tempDir(), 'geored.db');
    const store = await sqlite(file);
    // The real store, its insert held until the test lets it go: a commit the BYE overtakes (PostgreSQL's
    // round trip, or SQLite behind another operation).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = {
      recordCalls: async (batch: Parameters<Store['recordCalls']>[0]) => {
        await held;
        return store.recordCalls(batch);
      },
      endCalls: (ends: Parameters<Store['endCalls']>[0]) => store.endCalls(ends),
      pruneCalls: (o: Parameters<Store['pruneCalls']>[0]) => store.pruneCalls(o),
    };
    const rec = new CallRecorder(slow, undefined, quiet, { flushMs: 60_000, batch: 200, maxRows: 1000 });
    const a = rec.open('call-late-bye', 'outbound', 'sip:1@x', 'sip:2@x', Date.now());
    rec.settled(a, 200, 'region-1', 'answered', Date.now());
    const writing = rec.flush();
    await nextTurn();
    rec.ended(a, Date.now()); // the BYE, while the row (without its end) is on its way to the store
    release();
    await writing;
    await rec.flush();
    expect(rowsIn(file).map((r) => [r.call_id, r.ended_at === null])).toEqual([['call-late-bye', false]]);
    expect(rec.pending).toBe(0);
  });
});
