/**
 * Call records on SQLite are written at the end of the event-loop turn that settled them (flushMs 0), not a
 * flush interval later, so a SIGKILL of geored does not lose the answered calls of the last interval (the
 * sigkill-restart scenario's "no answered call lost its record"). Checked on a real SQLite file through a
 * second, independent connection, read in the very next turn: what it sees is committed to the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CallRecorder } from '../../src/proxy/call-records';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function sqlite(): Promise<{ store: Store; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-records-turn-'));
  const file = join(dir, 'geored.db');
  const store = await openStore(`sqlite:${file}`);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => store.close());
  return { store, file };
}

function rowsIn(file: string): Array<{ call_id: string; ended_at: unknown }> {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT call_id, ended_at FROM geo_calls ORDER BY call_id').all() as Array<{
      call_id: string;
      ended_at: unknown;
    }>;
  } finally {
    db.close();
  }
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('CallRecorder with flushMs 0 (a synchronous store)', () => {
  it('has every record settled in a turn in the file by the next turn, and each end too', async () => {
    const { store, file } = await sqlite();
    const rec = new CallRecorder(store, undefined, pino({ enabled: false }), {
      flushMs: 0,
      batch: 200,
      maxRows: 1000,
    });
    const a = rec.open('call-a', 'outbound', 'sip:1@x', 'sip:2@x', Date.now());
    const b = rec.open('call-b', 'outbound', 'sip:1@x', 'sip:3@x', Date.now());
    rec.settled(a, 200, 'region-1', 'answered', Date.now());
    rec.settled(b, 503, null, 'failed', Date.now());
    expect(rowsIn(file)).toEqual([]); // not within the turn itself: batched to its end
    await nextTurn();
    expect(rowsIn(file).map((r) => r.call_id)).toEqual(['call-a', 'call-b']);
    expect(rec.pending).toBe(0);

    rec.ended(a, Date.now());
    await nextTurn();
    expect(rowsIn(file).find((r) => r.call_id === 'call-a')?.ended_at).not.toBeNull();
  });

  it('with a flush interval, the same records are still only in memory a turn later', async () => {
    const { store, file } = await sqlite();
    const rec = new CallRecorder(store, undefined, pino({ enabled: false }), {
      flushMs: 10_000,
      batch: 200,
      maxRows: 1000,
    });
    rec.settled(rec.open('call-c', 'outbound', 'sip:1@x', 'sip:2@x', Date.now()), 200, 'r', 'answered', 1);
    await nextTurn();
    expect(rowsIn(file)).toEqual([]);
    expect(rec.pending).toBe(1);
    await rec.flush();
    expect(rowsIn(file).map((r) => r.call_id)).toEqual(['call-c']);
  });
});
