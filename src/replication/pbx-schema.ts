/**
 * The default mapping of the guide's data types to the tables of a typical PBX schema (the layout
 * docs/data-replication.md describes), overridable per data type with `data_replication.tables` and per
 * table with `personal_columns`. Table names without a schema are in `public`.
 */
import type { DataType, ReplicationSettings } from './types';

export const DEFAULT_TABLES: Readonly<Record<DataType, readonly string[]>> = {
  extensions: ['public.extensions'],
  voicemail: ['public.voicemail_boxes', 'public.voicemail_messages'],
  call_queues: ['public.call_queues', 'public.queue_members'],
  cdr: ['public.cdr'],
  recordings: ['public.recordings'],
  // Not tables of its own: the personal columns of every table (DEFAULT_PERSONAL_COLUMNS).
  personal_data: [],
};

export const DEFAULT_PERSONAL_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  'public.extensions': ['display_name', 'email'],
  'public.voicemail_boxes': ['email'],
  'public.voicemail_messages': ['caller_id', 'audio'],
  'public.cdr': ['src', 'dst', 'caller_name'],
  'public.recordings': ['audio'],
};

export const DEFAULT_COLUMNS = {
  home_column: 'home_region',
  subject_column: 'subject_id',
  consent_column: 'gdpr_consent',
} as const;

/** `extensions` → `public.extensions`; a quoted or dotted name is kept. */
export function qualify(table: string): string {
  return table.includes('.') ? table : `public.${table}`;
}

/** The tables of a data type in force. */
export function tablesOf(s: Pick<ReplicationSettings, 'tables'>, type: DataType): readonly string[] {
  return (s.tables[type] ?? DEFAULT_TABLES[type]).map(qualify);
}

export function personalColumnsOf(
  s: Pick<ReplicationSettings, 'personal_columns'>,
  table: string,
): readonly string[] {
  const t = qualify(table);
  const own = Object.entries(s.personal_columns).find(([k]) => qualify(k) === t);
  return own ? own[1] : (DEFAULT_PERSONAL_COLUMNS[t] ?? []);
}

/** "schema"."table" for SQL. */
export function quoteTable(table: string): string {
  const [schema, name] = qualify(table).split('.', 2) as [string, string];
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
