/**
 * Real databases for the store tests: a SQLite file in a fresh temp directory, or a database of its own on
 * the PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres), dropped afterwards. When PostgreSQL is not
 * reachable the PostgreSQL tests fail, saying so: a store test that silently skips proves nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const PG_HOST = process.env.GEORED_TEST_PG_HOST ?? '127.0.0.1';
export const PG_PORT = Number(process.env.GEORED_TEST_PG_PORT ?? 5432);
const ADMIN_URL = `postgres://postgres@${PG_HOST}:${PG_PORT}/postgres`;

export interface TestDatabase {
  /** The store URL: `sqlite:…` or `postgres://…`. */
  readonly url: string;
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs raw SQL against the database, bypassing the store (inspection, older schemas). */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Deletes every row of these tables, in one connection. */
  clear(tables: readonly string[]): Promise<void>;
  drop(): Promise<void>;
}

export async function sqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-store-'));
  // A nested path, so opening also proves the parent directory is created.
  const path = join(dir, 'nested', 'dir', 'geored.db');
  const { default: Database } = await import('better-sqlite3');
  return {
    url: `sqlite:${path}`,
    dialect: 'sqlite',
    async sql(text, params = []) {
      const db = new Database(path);
      try {
        const stmt = db.prepare(text);
        if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
        stmt.run(...params);
        return [];
      } finally {
        db.close();
      }
    },
    async clear(tables) {
      const db = new Database(path);
      try {
        db.exec(tables.map((t) => `DELETE FROM ${t};`).join('\n'));
      } finally {
        db.close();
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresDatabase(): Promise<TestDatabase> {
  const name = `geored_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_HOST}:${PG_PORT} (user postgres, trust auth); the PostgreSQL store ` +
        `tests need it and do not skip: ${err instanceof Error ? err.message || err.name : String(err)}`,
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = `postgres://postgres@${PG_HOST}:${PG_PORT}/${name}`;
  return {
    url,
    dialect: 'postgres',
    async sql(text, params = []) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(text, params)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    },
    async clear(tables) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`TRUNCATE ${tables.join(', ')}`);
      } finally {
        await client.end();
      }
    },
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
