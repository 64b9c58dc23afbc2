/**
 * SQLite's WAL checkpoints run on a worker thread, not inside the commits of the event loop's connection
 * (src/store/wal-checkpointer.ts): the WAL still stays bounded, and the file is whole after close.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteDb } from '../../src/store/sqlite-db';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const walSize = (path: string): number => {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};

async function fill(db: SqliteDb, from: number, rows: number): Promise<void> {
  const payload = 'x'.repeat(1000);
  for (let i = 0; i < rows; i += 500) {
    await db.insertMany(
      't',
      ['id', 'payload'],
      Array.from({ length: 500 }, (_, k) => [from + i + k, payload]),
    );
  }
}

describe('WAL checkpoints off the event loop', () => {
  it('the commits do not checkpoint; the worker does, so the WAL is reused instead of growing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geored-wal-'));
    dirs.push(dir);
    const path = join(dir, 'test.db');
    const db = new SqliteDb(path, false);
    // The event loop's connection never checkpoints inside a commit.
    expect(await db.all('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 0 }]);
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)');
    // 5,000 rows of 1 KB: past the 1,000 pages at which SQLite would have checkpointed on its own.
    await fill(db, 0, 5000);
    const first = walSize(path);
    expect(first).toBeGreaterThan(1000 * 4096);
    // After the worker's checkpoint, the next writes start the WAL over from its beginning.
    await new Promise((r) => setTimeout(r, 2500));
    await fill(db, 5000, 5000);
    expect(walSize(path)).toBeLessThan(first * 1.5);
    await db.close();
    // Closed: everything is in the database file itself.
    const check = new Database(path, { readonly: true });
    expect((check.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(10_000);
    check.close();
  }, 30_000);
});
