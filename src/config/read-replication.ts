/**
 * `data_replication` under features.geographic_redundancy: the guide's enable_data_replication,
 * replicate_cdr, configure_data_residency and enable_gdpr_compliance, as a file. The meaning is checked
 * by the same function the API uses (src/replication/settings.ts); this reads the shape.
 */
import {
  DEFAULT_REPLICATION,
  checkReplicationSettings,
  isColumnName,
  isTableName,
} from '../replication/settings';
import {
  DATA_TYPES,
  type DataType,
  type GdprSettings,
  type ReplicationSettings,
  type ResidencyConstraints,
} from '../replication/types';
import { REPLICATION_RULES } from '../model/field-rules';
import { childPath } from './yaml-reader';
import type { RegionConfig } from './types';
import type { Cursor, Reader } from './yaml-reader';

const KEYS = [
  'enabled',
  'data_types',
  'sync_interval',
  'bidirectional',
  'tables',
  'personal_columns',
  'home_column',
  'subject_column',
  'consent_column',
  'lag_alert_seconds',
  'lag_alert_bytes',
  'cdr',
  'data_residency',
  'gdpr',
];

function dataTypes(r: Reader, c: Cursor): DataType[] | undefined {
  return r.strings(c, `data types (${DATA_TYPES.join(', ')})`, (s) =>
    (DATA_TYPES as readonly string[]).includes(s) ? null : `one of ${DATA_TYPES.join(', ')}`,
  ) as DataType[] | undefined;
}

function readResidency(r: Reader, c: Cursor, region: string): ResidencyConstraints | undefined {
  const entries = r.entries(
    c,
    'constraints {data_types, storage_location, no_transfer_outside_JURISDICTION}',
  );
  if (!entries || c.node === undefined) return undefined;
  let types: DataType[] | undefined;
  let storage = region;
  const outside: string[] = [];
  for (const e of entries) {
    if (e.key === 'data_types') types = dataTypes(r, e.value);
    else if (e.key === 'storage_location') storage = r.string(e.value, 'a region name') ?? storage;
    else if (/^no_transfer_outside_[a-z][a-z0-9_]*$/.test(e.key)) {
      if (r.boolean(e.value) === true) outside.push(e.key.slice('no_transfer_outside_'.length));
    } else {
      r.reportAt(
        'CONFIG_UNKNOWN_KEY',
        { path: e.value.path, node: e.keyNode, anchor: e.keyNode },
        {
          key: e.key,
          hint: 'expected data_types, storage_location or no_transfer_outside_JURISDICTION (e.g. no_transfer_outside_eu)',
        },
      );
    }
  }
  if (types === undefined) {
    r.reportAt(
      'CONFIG_MISSING',
      { path: childPath(c.path, 'data_types'), node: undefined, anchor: c.node },
      {
        expected: 'the data types the rule restricts, e.g. [cdr, recordings, personal_data]',
      },
    );
    return undefined;
  }
  return { data_types: types, storage_location: storage, no_transfer_outside: outside };
}

export function readReplication(
  r: Reader,
  c: Cursor,
  regions: readonly RegionConfig[],
  /** server.store: geo_calls can be published only from a PostgreSQL store. */
  store?: string,
): ReplicationSettings | null {
  if (c.node === undefined) return null;
  const f = r.map(c, KEYS);
  if (!f) return null;
  const d = DEFAULT_REPLICATION;
  const tables: Partial<Record<DataType, string[]>> = {};
  for (const e of r.entries(f.get('tables'), 'a mapping of data type → [table, …]') ?? []) {
    if (!(DATA_TYPES as readonly string[]).includes(e.key)) {
      r.reportAt(
        'CONFIG_UNKNOWN_KEY',
        { ...e.value, node: e.keyNode },
        {
          key: e.key,
          hint: `expected one of ${DATA_TYPES.join(', ')}`,
        },
      );
      continue;
    }
    const list = r.strings(e.value, 'table names such as public.extensions', (s) =>
      isTableName(s) ? null : 'a table name such as public.extensions',
    );
    if (list) tables[e.key as DataType] = list;
  }
  const personal: Record<string, string[]> = {};
  for (const e of r.entries(f.get('personal_columns'), 'a mapping of table → [column, …]') ?? []) {
    const list = r.strings(e.value, 'column names', (s) => (isColumnName(s) ? null : 'a column name'));
    if (list) personal[e.key] = list;
  }
  const cdrF = f.has('cdr') ? r.map(f.get('cdr'), ['target_regions', 'realtime', 'geo_calls']) : undefined;
  const cdr =
    cdrF && f.has('cdr')
      ? {
          target_regions: r.strings(cdrF.get('target_regions'), 'region names') ?? [],
          realtime: r.boolean(cdrF.get('realtime')) ?? true,
          geo_calls: r.boolean(cdrF.get('geo_calls')) ?? true,
        }
      : null;
  const residency: Record<string, ResidencyConstraints> = {};
  for (const e of r.entries(f.get('data_residency'), 'a mapping of region → constraints') ?? []) {
    const rule = readResidency(r, e.value, e.key);
    if (rule) residency[e.key] = rule;
  }
  const gdpr: Record<string, GdprSettings> = {};
  for (const e of r.entries(f.get('gdpr'), 'a mapping of region → GDPR settings') ?? []) {
    const g = r.map(e.value, ['data_processing_agreement', 'user_consent_required']);
    if (!g) continue;
    gdpr[e.key] = {
      data_processing_agreement: r.boolean(g.get('data_processing_agreement')) ?? true,
      user_consent_required: r.boolean(g.get('user_consent_required')) ?? true,
    };
  }
  const settings: ReplicationSettings = {
    enabled: r.boolean(f.get('enabled')) ?? true,
    data_types: dataTypes(r, f.get('data_types')) ?? d.data_types,
    sync_interval:
      r.field<number>(f.get('sync_interval'), REPLICATION_RULES.sync_interval) ?? d.sync_interval,
    bidirectional: r.boolean(f.get('bidirectional')) ?? d.bidirectional,
    tables,
    personal_columns: personal,
    home_column: r.string(f.get('home_column'), 'a column name') ?? d.home_column,
    subject_column: r.string(f.get('subject_column'), 'a column name') ?? d.subject_column,
    consent_column: r.string(f.get('consent_column'), 'a column name') ?? d.consent_column,
    lag_alert_seconds:
      r.number(f.get('lag_alert_seconds'), { expected: 'seconds above 0', above: 0 }) ?? d.lag_alert_seconds,
    lag_alert_bytes:
      r.number(f.get('lag_alert_bytes'), {
        expected: 'a whole number of bytes above 0',
        above: 0,
        integer: true,
      }) ?? d.lag_alert_bytes,
    cdr,
    residency,
    gdpr,
  };
  const replicaRegions = regions.map((x) => ({
    name: x.name,
    database: x.database,
    jurisdiction: x.jurisdiction,
  }));
  for (const p of checkReplicationSettings(settings, replicaRegions, store)) {
    const at: Cursor = { path: `${c.path}.${p.path}`, node: c.node, anchor: c.node };
    r.reportAt('CONFIG_WRONG_VALUE', at, { found: p.found, expected: p.expected });
  }
  return settings;
}
