import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_CODEC, type Db, type DbHandle, type Row } from './db';
import { WalCheckpointer } from './wal-checkpointer';

type Statement = Database.Statement<unknown[], Row>;

/** Runs operations one after another. */
class Gate {
  private tail: Promise<unknown> = Promise.resolve();
  users = 0;
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * One gate per database file in this process: a second handle on the same file (a test, a CLI command run
 * in-process) would otherwise start a write while ours spans an await, and better-sqlite3 waits for the
 * lock synchronously, blocking the very event loop that would finish ours.
 */
const gates = new Map<string, Gate>();

function gateFor(key: string | null): Gate {
  if (key === null) return new Gate();
  let gate = gates.get(key);
  if (!gate) {
    gate = new Gate();
    gates.set(key, gate);
  }
  gate.users++;
  return gate;
}

function releaseGate(key: string | null): void {
  if (key === null) return;
  const gate = gates.get(key);
  if (gate && --gate.users <= 0) gates.delete(key);
}

/**
 * SQLite through better-sqlite3. The driver is synchronous but the repositories are async, so a
 * transaction spans awaits; a gate keeps every other operation on this file out of the middle of one.
 */
export class SqliteDb implements DbHandle {
  readonly dialect = 'sqlite' as const;
  readonly codec = SQLITE_CODEC;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  private readonly gateKey: string | null;
  private readonly gate: Gate;
  private readonly inner: Db;
  private readonly checkpointer: WalCheckpointer | null = null;

  constructor(path: string, memory: boolean) {
    if (!memory) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(memory ? ':memory:' : path);
    this.gateKey = memory ? null : resolve(path);
    this.gate = gateFor(this.gateKey);
    if (!memory) this.db.pragma('journal_mode = WAL');
    // NORMAL is crash-safe in WAL mode; FULL would fsync on every call record written at high rates.
    this.db.pragma('synchronous = NORMAL');
    // Another geored process (or a CLI command) may hold the write lock briefly.
    this.db.pragma('busy_timeout = 5000');
    if (!memory) {
      // Checkpoints run on a worker thread (see wal-checkpointer.ts), not inside our commits. Should the
      // worker fail, this connection takes them back, so the WAL never grows without bound.
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new WalCheckpointer(path, {
        onError: () => {
          if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
        },
      });
    }
    this.inner = this.connectionView();
  }

  all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.exclusive(() => this.inner.all(sql, params));
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.exclusive(() => this.inner.run(sql, params));
  }

  insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly unknown[][],
    suffix = '',
  ): Promise<void> {
    return this.exclusive(() => this.inner.insertMany(table, columns, rows, suffix));
  }

  exec(sql: string): Promise<void> {
    return this.exclusive(() => this.inner.exec(sql));
  }

  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.inner.transaction(fn));
  }

  withMigrationLock<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    // Each migration runs under BEGIN IMMEDIATE and re-checks its version, which is lock enough.
    return fn(this);
  }

  async close(): Promise<void> {
    // The worker's connection first: the last connection to close checkpoints the WAL into the file.
    await this.checkpointer?.close();
    await this.exclusive(async () => this.db.close());
    releaseGate(this.gateKey);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.gate.run(fn);
  }

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[], Row>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** The connection itself, without the queue: used inside a transaction that already holds it. */
  private connectionView(): Db {
    const bind = (params: readonly unknown[]): unknown[] => params.map((p) => (p === undefined ? null : p));
    let inTransaction = false;
    const view: Db = {
      dialect: 'sqlite',
      codec: SQLITE_CODEC,
      all: async (sql, params = []) => {
        const stmt = this.statement(sql);
        if (stmt.reader) return stmt.all(...bind(params));
        stmt.run(...bind(params));
        return [];
      },
      run: async (sql, params = []) => this.statement(sql).run(...bind(params)).changes,
      insertMany: async (table, columns, rows, suffix = '') => {
        const marks = columns.map(() => '?').join(', ');
        const stmt = this.statement(
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${marks}) ${suffix}`,
        );
        for (const row of rows) stmt.run(...bind(row));
      },
      exec: async (sql) => {
        this.db.exec(sql);
      },
      transaction: async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
        if (inTransaction) return fn(view);
        // IMMEDIATE takes the write lock now, so a second process cannot slip in between our read and write.
        this.db.exec('BEGIN IMMEDIATE');
        inTransaction = true;
        try {
          const result = await fn(view);
          this.db.exec('COMMIT');
          return result;
        } catch (err) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          throw err;
        } finally {
          inTransaction = false;
        }
      },
    };
    return view;
  }
}
