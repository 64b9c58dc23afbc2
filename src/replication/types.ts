/**
 * The shapes of data replication: what the operator asks for (the guide's enable_data_replication,
 * replicate_cdr, configure_data_residency, enable_gdpr_compliance), what geored observes in each region's
 * PostgreSQL, and the actions it plans. PostgreSQL does the copying (publications, subscriptions, slots);
 * geored only decides what they should be and checks that they are.
 */

/** The guide's data types, plus the ones residency rules name. */
export const DATA_TYPES = [
  'extensions',
  'voicemail',
  'call_queues',
  'cdr',
  'recordings',
  'personal_data',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** configure_data_residency(region, constraints). */
export interface ResidencyConstraints {
  readonly data_types: readonly DataType[];
  /** The region restricted data lives in (and is published from); default the rule's region. */
  readonly storage_location: string;
  /** `no_transfer_outside_eu: true` and the like: the jurisdiction restricted data may reach. */
  readonly no_transfer_outside: readonly string[];
}

export interface GdprSettings {
  readonly data_processing_agreement: boolean;
  readonly user_consent_required: boolean;
}

export interface CdrReplication {
  readonly target_regions: readonly string[];
  readonly realtime: boolean;
  /** Publish geored's own call records (geo_calls, from its PostgreSQL store) too; default true. */
  readonly geo_calls: boolean;
}

/** The replication settings in force (file, then API changes over it). */
export interface ReplicationSettings {
  readonly enabled: boolean;
  readonly data_types: readonly DataType[];
  /** Seconds between verifications (and catch-ups when CDR replication is not realtime). */
  readonly sync_interval: number;
  readonly bidirectional: boolean;
  /** Data type → tables, over the default mapping (src/replication/pbx-schema.ts). */
  readonly tables: Readonly<Partial<Record<DataType, readonly string[]>>>;
  /** Table → its personal-data columns, over the default mapping. */
  readonly personal_columns: Readonly<Record<string, readonly string[]>>;
  /** Column naming the region a row belongs to (residency row filters). */
  readonly home_column: string;
  /** Column naming the data subject (GDPR consent, erasure, export). */
  readonly subject_column: string;
  /** Boolean column set by recordConsent (GDPR row filters). */
  readonly consent_column: string;
  /** A replication_lag event when a subscription lags more than this, seconds. */
  readonly lag_alert_seconds: number;
  /** … or more than this many WAL bytes; null: bytes alone never raise it. */
  readonly lag_alert_bytes: number | null;
  readonly cdr: CdrReplication | null;
  readonly residency: Readonly<Record<string, ResidencyConstraints>>;
  readonly gdpr: Readonly<Record<string, GdprSettings>>;
}

/** A region as replication sees it. */
export interface ReplicaRegion {
  readonly name: string;
  readonly database: string | undefined;
  readonly jurisdiction: string | undefined;
}

/** One table of one publication: the rows (filter) and columns (list) a target may receive. */
export interface PublishedTable {
  /** schema.table */
  readonly table: string;
  readonly data_types: readonly DataType[];
  /** SQL row filter, or null for every row. */
  readonly row_filter: string | null;
  /** Column list, or null for every column. */
  readonly columns: readonly string[] | null;
  /** Why this table carries a filter or column list (the rules that apply), for the status. */
  readonly restrictions: readonly string[];
}

/** What one target region receives from one publisher. */
export interface Channel {
  readonly publisher: string;
  readonly subscriber: string;
  /** geored_<subscriber> (publication, subscription and slot share it). */
  readonly name: string;
  readonly tables: readonly PublishedTable[];
  /** false: the subscription is enabled only for a catch-up every sync_interval. */
  readonly realtime: boolean;
  /**
   * Two-way replication (bidirectional: true, PostgreSQL 16+): the subscription takes only changes written
   * on its publisher (origin = none), and the publication sends no TRUNCATE.
   */
  readonly two_way?: boolean;
  /**
   * Two-way only: whether a new subscription copies the publisher's rows (true only from the one seed
   * region, so no row arrives twice); one-way subscriptions always copy.
   */
  readonly copy_data?: boolean;
}

/** A column of a table as observed. */
export interface ObservedColumn {
  readonly name: string;
  readonly type: string;
  readonly not_null: boolean;
}

export interface ObservedTable {
  readonly table: string;
  readonly columns: readonly ObservedColumn[];
  readonly primary_key: readonly string[];
  /** 'd' default (the primary key), 'f' full, 'i' index, 'n' nothing. */
  readonly replica_identity: 'd' | 'f' | 'i' | 'n';
  /** The replica identity's columns (the key for 'd', the index's for 'i', all for 'f'). */
  readonly identity_columns: readonly string[];
}

export interface ObservedPublication {
  readonly name: string;
  /** geored's description of what it should hold (COMMENT ON PUBLICATION), to tell a change. */
  readonly comment: string | null;
  readonly tables: ReadonlyArray<{
    readonly table: string;
    readonly row_filter: string | null;
    readonly columns: readonly string[] | null;
  }>;
}

export interface ObservedSubscription {
  readonly name: string;
  readonly enabled: boolean;
  readonly publications: readonly string[];
  /** Tables the subscription has, with their state (pg_subscription_rel.srsubstate: r ready, d copying…). */
  readonly tables: ReadonlyArray<{ readonly table: string; readonly state: string }>;
  /** pg_subscription.suborigin: 'none' or 'any' (PostgreSQL 15 has no such setting: 'any'). */
  readonly origin: string;
  /** pg_stat_subscription_stats: errors its apply worker (a conflict, say) and table sync hit so far. */
  readonly apply_errors: number;
  readonly sync_errors: number;
  /** Whether its apply worker runs now (pg_stat_subscription has a pid for it). */
  readonly worker_running: boolean;
}

export interface ObservedSlot {
  readonly name: string;
  readonly active: boolean;
  readonly confirmed_flush_lsn: string | null;
  readonly lag_bytes: number | null;
}

/** One region's database as geored found it. */
export interface ObservedDatabase {
  readonly region: string;
  readonly reachable: boolean;
  readonly error?: string;
  readonly server_version_num: number;
  readonly wal_level: string;
  readonly tables: ReadonlyMap<string, ObservedTable>;
  readonly publications: readonly ObservedPublication[];
  readonly subscriptions: readonly ObservedSubscription[];
  readonly slots: readonly ObservedSlot[];
}

/** One step geored takes on one region's database, with the sentence that says why. */
export interface ReplicationAction {
  readonly region: string;
  readonly kind:
    | 'create-publication'
    | 'alter-publication'
    | 'drop-publication'
    | 'create-subscription'
    | 'drop-subscription'
    | 'refresh-subscription'
    | 'alter-subscription'
    | 'enable-subscription'
    | 'disable-subscription'
    | 'drop-slot'
    | 'keep-aside'
    | 'truncate'
    | 'purge'
    | 'create-table';
  /** Statements run in order; CREATE/DROP SUBSCRIPTION cannot run inside a transaction. */
  readonly sql: readonly string[];
  readonly why: string;
  /** The subscriber of a create-subscription, whose tables are reseeded from the publisher. */
  readonly target?: string;
}

/** A table that cannot be replicated, and why. */
export interface Refusal {
  readonly table: string;
  readonly region: string;
  readonly why: string;
}

/** The guide's data-replication calls as the service and the REST API take them. */
export interface DataReplicationRequest {
  data_types?: string[];
  sync_interval?: number;
  bidirectional?: boolean;
  tables?: Partial<Record<string, string[]>>;
  /** Who asks (the API token's name); recorded in the transfer-policy log. */
  by?: string;
}

export interface CdrReplicationRequest {
  target_regions: string[];
  realtime?: boolean;
  geo_calls?: boolean;
  by?: string;
}

/** The guide's constraints: data_types, storage_location, and no_transfer_outside_<jurisdiction>: true. */
export type ResidencyRequest = {
  data_types: string[];
  storage_location?: string;
} & Record<string, unknown>;

export interface GdprRequest {
  region: string;
  data_processing_agreement?: boolean;
  user_consent_required?: boolean;
  by?: string;
}
