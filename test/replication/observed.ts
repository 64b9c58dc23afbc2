/**
 * What the pure replication tests feed the planner as "observed": two call-queue tables and a reachable
 * database with nothing replicated yet, of a chosen server version and table shape.
 */
import type { ObservedDatabase, ObservedTable } from '../../src/replication/types';

export interface TableShape {
  readonly type: string;
  /** Columns beyond the key (two-way tables carry home_region). */
  readonly extra: readonly string[];
  readonly replica_identity: 'd' | 'f';
  /** Whether the identity covers the extra columns too (REPLICA IDENTITY FULL). */
  readonly fullIdentity: boolean;
}

export function observedTables(shape: TableShape): Map<string, ObservedTable> {
  const table = (t: string, key: string[]): ObservedTable => ({
    table: t,
    columns: [...key, ...shape.extra].map((name) => ({ name, type: shape.type, not_null: true })),
    primary_key: key,
    replica_identity: shape.replica_identity,
    identity_columns: shape.fullIdentity ? [...key, ...shape.extra] : key,
  });
  return new Map([
    ['public.call_queues', table('public.call_queues', ['id'])],
    ['public.queue_members', table('public.queue_members', ['queue_id', 'extension_id'])],
  ]);
}

export function observedDb(
  tables: Map<string, ObservedTable>,
  server_version_num: number,
): (region: string, extra?: Partial<ObservedDatabase>) => ObservedDatabase {
  return (region, extra = {}) => ({
    region,
    reachable: true,
    server_version_num,
    wal_level: 'logical',
    tables,
    publications: [],
    subscriptions: [],
    slots: [],
    ...extra,
  });
}
