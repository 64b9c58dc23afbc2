import type { Logger } from 'pino';
import { GeoredError, errorFactory } from '../errors/catalogue';
import { STORE_ERRORS } from '../errors/store';
import type { DbHandle } from './db';
import { COLUMN_TYPES, LATEST_SCHEMA_VERSION, MIGRATIONS, migrationsTableSql } from './migrations';
import { reasonOf } from './reason';

const storeError = errorFactory(STORE_ERRORS);

export interface MigrateOptions {
  /** The store URL, for messages; redacted before use. */
  readonly url: string;
  readonly redactedUrl: string;
  /** Stop at this version (tests of upgrades, staged rollouts); the latest by default. */
  readonly target?: number;
  readonly logger?: Logger;
}

/** Applies the migrations not yet applied, each once and in its own transaction; returns their versions. */
export async function migrate(handle: DbHandle, opts: MigrateOptions): Promise<number[]> {
  const target = opts.target ?? LATEST_SCHEMA_VERSION;
  if (!Number.isInteger(target) || target < 0 || target > LATEST_SCHEMA_VERSION) {
    throw storeError('STORE_BAD_MIGRATION_TARGET', { target, known: LATEST_SCHEMA_VERSION });
  }
  const types = COLUMN_TYPES[handle.dialect];
  return handle.withMigrationLock(async (db) => {
    await db.exec(migrationsTableSql(handle.dialect));
    const found = await db.all('SELECT MAX(version) AS version FROM geo_schema_migrations');
    const current = Number(found[0]?.version ?? 0);
    if (current > LATEST_SCHEMA_VERSION) {
      // An older geored must not write into a schema it does not know.
      throw storeError('STORE_SCHEMA_TOO_NEW', {
        url: opts.redactedUrl,
        found: current,
        known: LATEST_SCHEMA_VERSION,
      });
    }
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (migration.version > target) break;
      try {
        const ran = await db.transaction(async (tx) => {
          // Re-checked inside the transaction: another process may have applied it since we looked.
          const done = await tx.all('SELECT version FROM geo_schema_migrations WHERE version = ?', [
            migration.version,
          ]);
          if (done.length > 0) return false;
          for (const statement of migration.up(types, handle.dialect)) await tx.exec(statement);
          await tx.run('INSERT INTO geo_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
            migration.version,
            migration.name,
            new Date().toISOString(),
          ]);
          return true;
        });
        if (ran) {
          applied.push(migration.version);
          opts.logger?.info(
            { store: opts.redactedUrl, version: migration.version, migration: migration.name },
            'store migration applied',
          );
        }
      } catch (err) {
        if (err instanceof GeoredError) throw err;
        throw storeError('STORE_MIGRATION_FAILED', {
          version: migration.version,
          name: migration.name,
          url: opts.redactedUrl,
          reason: reasonOf(err, opts.url),
        });
      }
    }
    return applied;
  });
}
