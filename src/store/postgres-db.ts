import pg from 'pg';
import type { Logger } from 'pino';
import { POSTGRES_CODEC, type Db, type DbHandle, type Row } from './db';
import { redactUrl, scrubSecret } from './url';

/** Any lock key would do; this one spells "geored" so it is recognisable in pg_locks. */
const MIGRATION_LOCK_KEY = 0x67656f726564;

/** The repositories write `?`; PostgreSQL wants `$1, $2, …`. Our SQL has no `?` inside literals. */
function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Named statements let PostgreSQL parse and plan each repository query once per connection; the name is
 * stable for the text, so every connection of the pool reuses it.
 */
class StatementNames {
  private readonly names = new Map<string, string>();
  nameFor(text: string): string {
    let name = this.names.get(text);
    if (!name) {
      name = `geo_q${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return name;
  }
}

async function query(on: Queryable, names: StatementNames, sql: string, params: readonly unknown[]) {
  const text = numberPlaceholders(sql);
  return on.query<Row>({ name: names.nameFor(text), text, values: [...params] });
}

/** PostgreSQL rejects more than 65535 parameters in one statement; batches are cut well below that. */
const MAX_PARAMS_PER_INSERT = 30_000;

async function insertMany(
  on: Queryable,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  suffix: string,
): Promise<void> {
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS_PER_INSERT / columns.length));
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => {
      const marks = row.map((v) => {
        values.push(v);
        return `$${values.length}`;
      });
      return `(${marks.join(', ')})`;
    });
    // Unnamed: the text changes with the chunk size, so preparing it would only fill the server's cache.
    await on.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${suffix}`,
      values,
    );
  }
}

/**
 * The statements of a Db, run on the pool (each query on whichever connection is free) or on one
 * connection taken from it: the same code either way, only `on` differs.
 */
abstract class QueryableDb {
  readonly dialect = 'postgres' as const;
  readonly codec = POSTGRES_CODEC;

  constructor(
    protected readonly on: Queryable,
    protected readonly names: StatementNames,
  ) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await query(this.on, this.names, sql, params)).rows;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await query(this.on, this.names, sql, params)).rowCount ?? 0;
  }

  insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly unknown[][],
    suffix = '',
  ): Promise<void> {
    return insertMany(this.on, table, columns, rows, suffix);
  }

  async exec(sql: string): Promise<void> {
    await this.on.query(sql);
  }
}

/** One connection taken from the pool: a transaction or the migration run. */
class ClientDb extends QueryableDb implements Db {
  private inTransaction = false;
  /** Set when a ROLLBACK failed: the connection is in an unknown state and must not return to the pool. */
  broken: Error | undefined;

  constructor(
    private readonly client: pg.PoolClient,
    names: StatementNames,
  ) {
    super(client, names);
  }

  async transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    await this.client.query('BEGIN');
    this.inTransaction = true;
    try {
      const result = await fn(this);
      await this.client.query('COMMIT');
      return result;
    } catch (err) {
      await this.client.query('ROLLBACK').catch((rollbackErr: Error) => {
        this.broken = rollbackErr;
      });
      throw err;
    } finally {
      this.inTransaction = false;
    }
  }
}

export class PostgresDb extends QueryableDb implements DbHandle {
  private readonly pool: pg.Pool;

  constructor(connectionString: string, opts: { poolSize?: number; logger?: Logger } = {}) {
    const pool = new pg.Pool({ connectionString, max: opts.poolSize ?? 10 });
    super(pool, new StatementNames());
    this.pool = pool;
    // An idle connection dropped by the server must not crash geored; the next query reconnects.
    this.pool.on('error', (err) => {
      opts.logger?.warn(
        { store: redactUrl(connectionString), err: scrubSecret(err.message, connectionString) },
        'idle PostgreSQL connection failed',
      );
    });
  }

  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.withClient((db) => db.transaction(fn));
  }

  withMigrationLock<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.withClient(async (db) => {
      await db.exec(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
      try {
        return await fn(db);
      } finally {
        await db.exec(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`).catch(() => undefined);
      }
    });
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async withClient<T>(fn: (db: ClientDb) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const db = new ClientDb(client, this.names);
    // The pool listens for 'error' only on idle clients: a checked-out one whose server goes away (a
    // restart, pg_ctl stop -m immediate) emits 'error' with no listener, which would end the process.
    // Its query fails on its own; the error is kept so the client is destroyed, not pooled again.
    const onError = (err: Error): void => {
      db.broken ??= err;
    };
    client.on('error', onError);
    try {
      return await fn(db);
    } finally {
      // A broken client keeps the listener: it is being destroyed and may still report its socket's end.
      if (!db.broken) client.off('error', onError);
      client.release(db.broken);
    }
  }
}
