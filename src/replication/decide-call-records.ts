/**
 * Where geored's own call records (geo_calls) go: from geored's PostgreSQL store — a publisher of its own,
 * named STORE_NODE, whatever region is active — to every reachable CDR target region, as one channel per
 * target. Residency rules and GDPR mode compile here, as for the PBX's tables, into a row filter on
 * geo_calls.home_region (migration 7: the region that carried the call, else the first one it was sent to)
 * and a column list that withholds the parties (from_uri, to_uri). Pure: settings, regions and which
 * databases answer in; the channels and one sentence of why out.
 */
import { allowedBy, channelName, residencyRules } from './decide-channels';
import { quoteIdent, quoteLiteral } from './pbx-schema';
import type { Channel, PublishedTable, ReplicaRegion, ReplicationSettings } from './types';

/** The publisher name of geored's store in channels, the status and the log. */
export const STORE_NODE = 'geored-store';
/** The column geo_calls' row filters read (NOT NULL, inside the replica identity). */
export const CALLS_HOME_COLUMN = 'home_region';
/** geo_calls' personal data: the parties' URIs. */
export const CALLS_PERSONAL_COLUMNS: readonly string[] = ['from_uri', 'to_uri'];

export interface CallChannelInput {
  readonly settings: ReplicationSettings;
  readonly regions: readonly ReplicaRegion[];
  readonly reachable: ReadonlySet<string>;
  /** geo_calls as schema.table in the store, or null when the store is not PostgreSQL. */
  readonly table: string | null;
  /** geo_calls' columns in the store (for the column list), when observed. */
  readonly columns: readonly string[] | undefined;
}

export interface CallChannelDecision {
  readonly channels: readonly Channel[];
  /** null when geo_calls is not replicated at all (no CDR replication, or geo_calls: false). */
  readonly reason: string | null;
}

/** Whether the settings ask for geo_calls to be published. */
export function wantsCallRecords(s: ReplicationSettings): boolean {
  return s.enabled && s.cdr !== null && s.cdr.geo_calls !== false && s.cdr.target_regions.length > 0;
}

/** The rows and columns of geo_calls `target` may not receive, with the rules that say so. */
export function callRestriction(
  s: ReplicationSettings,
  regions: readonly ReplicaRegion[],
  target: string,
): { filters: string[]; withheld: string[]; rules: string[] } {
  const t = regions.find((r) => r.name === target);
  const home = quoteIdent(CALLS_HOME_COLUMN);
  const filters: string[] = [];
  const withheld = new Set<string>();
  const rules: string[] = [];
  for (const [region, rule] of residencyRules(s, regions)) {
    if (allowedBy(rule, t)) continue;
    const rows = rule.data_types.includes('cdr');
    const personal = rule.data_types.includes('personal_data');
    if (rows) filters.push(`${home} <> ${quoteLiteral(region)}`);
    if (personal) for (const c of CALLS_PERSONAL_COLUMNS) withheld.add(c);
    if (rows || personal) {
      const where =
        rule.no_transfer_outside.length > 0
          ? `outside ${rule.no_transfer_outside.join(', ')}`
          : `outside ${rule.storage_location}`;
      rules.push(`residency of ${region}: no ${rule.data_types.join(', ')} ${where}`);
    }
  }
  for (const [region, g] of Object.entries(s.gdpr)) {
    if (!g.user_consent_required || region === target) continue;
    // geo_calls has no consent column: without a way to tell who consented, none of them leave.
    filters.push(`${home} <> ${quoteLiteral(region)}`);
    rules.push(
      `GDPR mode of ${region}: geored's call records carry no consent, so the calls of ${region} stay there`,
    );
  }
  return { filters: [...new Set(filters)], withheld: [...withheld], rules };
}

export function decideCallChannels(input: CallChannelInput): CallChannelDecision {
  const { settings: s, regions, reachable, table } = input;
  if (!wantsCallRecords(s)) return { channels: [], reason: null };
  if (table === null) {
    return {
      channels: [],
      reason: "geored's call records are not published: its store is not PostgreSQL",
    };
  }
  if (!reachable.has(STORE_NODE)) {
    return {
      channels: [],
      reason: "geored's call records wait: its store's database does not answer",
    };
  }
  const targets = s.cdr!.target_regions.filter((t) => regions.some((r) => r.name === t));
  const up = targets.filter((t) => reachable.has(t));
  // As for the PBX's tables, a target that does not answer keeps its channel (and its slot's changes).
  const channels: Channel[] = targets.map((target) => {
    const r = callRestriction(s, regions, target);
    const entry: PublishedTable = {
      table,
      data_types: ['cdr'],
      row_filter: r.filters.length > 0 ? r.filters.join(' AND ') : null,
      columns:
        r.withheld.length > 0 && input.columns !== undefined
          ? input.columns.filter((c) => !r.withheld.includes(c))
          : null,
      restrictions: r.rules,
    };
    return {
      publisher: STORE_NODE,
      subscriber: target,
      name: channelName(STORE_NODE, target),
      tables: [entry],
      realtime: s.cdr!.realtime,
    };
  });
  const down = targets.filter((t) => !reachable.has(t));
  const reason =
    (up.length > 0
      ? `geored's call records (${table}) go from its store to ${up.join(', ')}`
      : `geored's call records (${table}) reach no region yet`) +
    (down.length > 0
      ? `; ${down.join(', ')} ${down.length === 1 ? 'does' : 'do'} not answer: the call records wait in the store's slot`
      : '');
  return { channels, reason };
}
