/**
 * The replication settings: their defaults, and the one set of checks that both config.yml
 * (src/config/read-replication.ts) and the API (the service) apply, so a setting refused in one is
 * refused in the other with the same words.
 */
import { checkField } from '../config/check-field';
import { REPLICATION_RULES } from '../model/field-rules';
import { DEFAULT_COLUMNS } from './pbx-schema';
import { storageAllowed } from './decide-channels';
import { STORE_NODE, wantsCallRecords } from './decide-call-records';
import { DATA_TYPES, type ReplicaRegion, type ReplicationSettings } from './types';

export const DEFAULT_REPLICATION: ReplicationSettings = {
  enabled: false,
  data_types: ['extensions', 'voicemail', 'call_queues'],
  sync_interval: 60,
  bidirectional: false,
  tables: {},
  personal_columns: {},
  ...DEFAULT_COLUMNS,
  lag_alert_seconds: 30,
  lag_alert_bytes: null,
  cdr: null,
  residency: {},
  gdpr: {},
};

/** A problem with a setting: where (under data_replication), what was found, what was expected. */
export interface SettingProblem {
  readonly path: string;
  readonly found: string;
  readonly expected: string;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const TABLE = /^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;

export function isTableName(s: string): boolean {
  return TABLE.test(s);
}
export function isColumnName(s: string): boolean {
  return IDENT.test(s);
}

/** Every problem of a settings object against the regions in force (empty when it is valid). */
/** host:port/dbname of a postgres:// URL, to tell two URLs naming one database; null if not one. */
function databaseOf(url: string): string | null {
  try {
    const u = new URL(url);
    if (!/^postgres(ql)?:$/i.test(u.protocol)) return null;
    return `${u.hostname.toLowerCase()}:${u.port || '5432'}/${decodeURIComponent(u.pathname.slice(1)) || 'postgres'}`;
  } catch {
    return null;
  }
}

/**
 * Every problem of a settings object against the regions in force (empty when it is valid). `store` is
 * geored's own store URL (server.store): geo_calls is published from it, which only PostgreSQL can do.
 */
export function checkReplicationSettings(
  s: ReplicationSettings,
  regions: readonly ReplicaRegion[],
  store?: string,
): SettingProblem[] {
  const out: SettingProblem[] = [];
  const known = new Map(regions.map((r) => [r.name, r]));
  const list = [...known.keys()].join(', ') || 'none configured';
  const withDb = (path: string, name: string) => {
    const r = known.get(name);
    if (!r) out.push({ path, found: JSON.stringify(name), expected: `a configured region (${list})` });
    else if (r.database === undefined)
      out.push({
        path,
        found: JSON.stringify(name),
        expected: `a region with a database (regions[].database)`,
      });
  };
  s.data_types.forEach((d, i) => {
    if (!(DATA_TYPES as readonly string[]).includes(d))
      out.push({
        path: `data_types[${i}]`,
        found: JSON.stringify(d),
        expected: `one of ${DATA_TYPES.join(', ')}`,
      });
  });
  const interval = checkField(REPLICATION_RULES.sync_interval, s.sync_interval);
  if (interval)
    out.push({ path: 'sync_interval', found: String(s.sync_interval), expected: interval.expected });
  for (const [type, tables] of Object.entries(s.tables)) {
    (tables ?? []).forEach((t, i) => {
      if (!isTableName(t))
        out.push({
          path: `tables.${type}[${i}]`,
          found: JSON.stringify(t),
          expected: 'a table name such as public.extensions',
        });
    });
  }
  for (const key of ['home_column', 'subject_column', 'consent_column'] as const) {
    if (!isColumnName(s[key]))
      out.push({ path: key, found: JSON.stringify(s[key]), expected: 'a column name in lower case' });
  }
  s.cdr?.target_regions.forEach((t, i) => withDb(`cdr.target_regions[${i}]`, t));
  if (!(s.lag_alert_seconds > 0))
    out.push({ path: 'lag_alert_seconds', found: String(s.lag_alert_seconds), expected: 'seconds above 0' });
  if (s.lag_alert_bytes !== null && !(Number.isInteger(s.lag_alert_bytes) && s.lag_alert_bytes > 0))
    out.push({
      path: 'lag_alert_bytes',
      found: String(s.lag_alert_bytes),
      expected: 'a whole number of bytes above 0 (or no key: bytes alone never raise replication_lag)',
    });
  const named = regions.find((r) => r.name === STORE_NODE);
  if (named)
    out.push({
      path: 'regions',
      found: `a region named ${STORE_NODE}`,
      expected: `another name: ${STORE_NODE} is how replication names geored's own store`,
    });
  if (store !== undefined && wantsCallRecords({ ...s, enabled: true })) {
    const db = databaseOf(store);
    const same = db === null ? undefined : regions.find((r) => r.database && databaseOf(r.database) === db);
    if (db === null)
      out.push({
        path: 'cdr.geo_calls',
        found: "true, but geored's store is not PostgreSQL (server.store is SQLite)",
        expected:
          "a PostgreSQL store (server.store: postgres://…), since SQLite has no logical replication and geo_calls cannot be published from it; or cdr.geo_calls: false to replicate only the PBX's CDR table",
      });
    else if (same)
      out.push({
        path: 'cdr.geo_calls',
        found: `true, but geored's store is ${same.name}'s own database`,
        expected: `geored's store in a database of its own (server.store), or cdr.geo_calls: false`,
      });
  }
  for (const [region, rule] of Object.entries(s.residency)) {
    withDb(`data_residency.${region}`, region);
    withDb(`data_residency.${region}.storage_location`, rule.storage_location);
    const home = known.get(rule.storage_location);
    if (home && !storageAllowed(rule, home)) {
      out.push({
        path: `data_residency.${region}.storage_location`,
        found: `${rule.storage_location} (jurisdiction ${home.jurisdiction ?? 'not set'})`,
        expected: `a region inside ${rule.no_transfer_outside.join(', ')}, as no_transfer_outside_${rule.no_transfer_outside[0]} says`,
      });
    }
    if (rule.no_transfer_outside.length > 0) {
      for (const r of regions) {
        if (r.database !== undefined && r.jurisdiction === undefined) {
          out.push({
            path: `data_residency.${region}`,
            found: `region ${r.name} without a jurisdiction`,
            expected: `every region with a database to name its jurisdiction (regions[].jurisdiction), so no_transfer_outside_${rule.no_transfer_outside[0]} can tell where it is`,
          });
        }
      }
    }
  }
  for (const region of Object.keys(s.gdpr)) withDb(`gdpr.${region}`, region);
  return out;
}
