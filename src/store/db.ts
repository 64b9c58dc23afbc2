/**
 * The small database interface the repositories and migrations are written against, so that one body of
 * SQL serves SQLite and PostgreSQL. SQL uses `?` placeholders (the PostgreSQL side numbers them); the
 * per-dialect differences in value representation live in the Codec.
 */
export type Dialect = 'sqlite' | 'postgres';

export type Row = Record<string, unknown>;

export interface Db {
  readonly dialect: Dialect;
  readonly codec: Codec;
  /** Rows of a query (or of a statement with RETURNING). */
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A statement without rows; returns the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Many rows into one table; inside a transaction when the caller opened one. */
  insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly unknown[][],
    suffix?: string,
  ): Promise<void>;
  /** DDL text, possibly several statements, without parameters. */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction; nested calls join the outer one. */
  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T>;
}

/** A connection pool or file handle that can also hand out one connection for the migration run. */
export interface DbHandle extends Db {
  /** fn runs on one connection holding a lock that keeps other geored processes from migrating at once. */
  withMigrationLock<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface Codec {
  bool(v: boolean): unknown;
  fromBool(v: unknown): boolean;
  textArray(v: readonly string[]): unknown;
  fromTextArray(v: unknown): string[];
  json(v: unknown): unknown;
  fromJson(v: unknown): unknown;
  /** Timestamps are written as ISO strings in both dialects; reading normalises to ISO with Z. */
  fromTime(v: unknown): string;
  fromTimeOrNull(v: unknown): string | null;
}

function isoOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  return new Date(String(v)).toISOString();
}

export const SQLITE_CODEC: Codec = {
  bool: (v) => (v ? 1 : 0),
  fromBool: (v) => v === 1 || v === true,
  textArray: (v) => JSON.stringify(v),
  fromTextArray: (v) => (v == null ? [] : (JSON.parse(String(v)) as string[])),
  json: (v) => (v == null ? null : JSON.stringify(v)),
  fromJson: (v) => (v == null ? null : JSON.parse(String(v))),
  // Written by us or by the column default, both already in toISOString's shape.
  fromTime: (v) => (typeof v === 'string' && v.endsWith('Z') ? v : isoOf(v)),
  fromTimeOrNull: (v) => (v == null ? null : SQLITE_CODEC.fromTime(v)),
};

export const POSTGRES_CODEC: Codec = {
  bool: (v) => v,
  fromBool: (v) => v === true,
  textArray: (v) => [...v],
  fromTextArray: (v) => (v == null ? [] : (v as string[])),
  // Always a JSON text: pg would otherwise send a JS array as a PostgreSQL array literal.
  json: (v) => (v == null ? null : JSON.stringify(v)),
  fromJson: (v) => v ?? null,
  fromTime: (v) => isoOf(v),
  fromTimeOrNull: (v) => (v == null ? null : isoOf(v)),
};
