/**
 * Schemas of data replication (the guide's enable_data_replication, replicate_cdr,
 * configure_data_residency, enable_gdpr_compliance), its status, and the GDPR subject requests.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DATA_TYPES } from '../../replication/types';
import { REPLICATION_RULES } from '../../model/field-rules';
import { Nullable, RegionName, StringEnum, Timestamp } from './common';
import { EXPECTED_KEYWORD, fieldSchema } from './field-schema';

// The sentence src/replication/settings.ts answers a data type it does not know with.
const DataType = Type.Unsafe<(typeof DATA_TYPES)[number]>({
  ...StringEnum(DATA_TYPES),
  [EXPECTED_KEYWORD]: `one of ${DATA_TYPES.join(', ')}`,
});
const TableName = Type.String({ pattern: '^([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}$' });
const Subject = Type.String({ minLength: 1, maxLength: 200, description: 'The data subject identifier' });

export const DataReplicationBody = Type.Object(
  {
    data_types: Type.Optional(Type.Array(DataType, { minItems: 1, uniqueItems: true })),
    sync_interval: Type.Optional(fieldSchema(REPLICATION_RULES.sync_interval)),
    bidirectional: Type.Optional(Type.Boolean({ description: 'Needs PostgreSQL 16 (origin = none)' })),
    tables: Type.Optional(
      Type.Record(Type.String(), Type.Array(TableName, { maxItems: 100 }), {
        description: 'Data type → tables, over the default mapping',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DataReplicationBody = Static<typeof DataReplicationBody>;

export const CdrReplicationBody = Type.Object(
  {
    target_regions: Type.Array(RegionName, { minItems: 1, uniqueItems: true }),
    realtime: Type.Optional(Type.Boolean()),
    geo_calls: Type.Optional(
      Type.Boolean({
        description:
          "Publish geored's own call records (geo_calls) too; default true, which needs a PostgreSQL store",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CdrReplicationBody = Static<typeof CdrReplicationBody>;

export const ResidencyBody = Type.Object(
  {
    data_types: Type.Array(DataType, { minItems: 1, uniqueItems: true }),
    storage_location: Type.Optional(RegionName),
  },
  {
    patternProperties: { '^no_transfer_outside_[a-z][a-z0-9_]*$': Type.Boolean() },
    additionalProperties: false,
    description: "The guide's constraints; no_transfer_outside_<jurisdiction>: true keeps the data in it",
  },
);
export type ResidencyBody = Static<typeof ResidencyBody> & Record<string, unknown>;

export const GdprBody = Type.Object(
  {
    data_processing_agreement: Type.Optional(Type.Boolean()),
    user_consent_required: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type GdprBody = Static<typeof GdprBody>;

const Refusal = Type.Object({ table: Type.String(), region: Type.String(), why: Type.String() });
const Change = Type.Object({
  region: Type.String(),
  kind: Type.String(),
  why: Type.String(),
  at: Timestamp,
  error: Type.Optional(Type.String()),
});
const KeptAside = Type.Object({
  region: Type.String(),
  count: Type.Integer(),
  tables: Type.Record(Type.String(), Type.Integer()),
  first_at: Nullable(Timestamp),
  last_at: Nullable(Timestamp),
});
const Waiting = Type.Object({ table: Type.String(), why: Type.String() });
const ChannelState = Type.Object({
  publisher: Type.String(),
  subscriber: Type.String(),
  name: Type.String({ description: 'geored_<publisher>_to_<subscriber>: publication, subscription, slot' }),
  two_way: Type.Boolean(),
  origin: Nullable(Type.String({ description: "The subscription's origin: none (two-way) or any" })),
  copy_data: Type.Boolean({
    description: 'Whether a new subscription copies the rows (two-way: the seed only)',
  }),
  subscription: StringEnum([
    'streaming',
    'not streaming',
    'disabled',
    'between catch-ups',
    'missing',
    'unreachable',
  ]),
  apply_errors: Nullable(Type.Integer({ description: "PostgreSQL's pg_stat_subscription_stats" })),
  sync_errors: Nullable(Type.Integer()),
  problem: Nullable(Type.String()),
});

export const ReconcileSchema = Type.Object(
  {
    reason: Type.String({ description: 'Who publishes to whom, in one sentence' }),
    changes: Type.Array(Change, { description: 'What geored changed, each with why' }),
    channels: Type.Array(ChannelState, { description: 'Every direction checked, with what was found' }),
    refusals: Type.Array(Refusal),
    waiting: Type.Array(Waiting),
    kept_aside: Type.Array(KeptAside),
  },
  { additionalProperties: false },
);

export const ReplicationStatusSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    active_region: Nullable(Type.String()),
    reason: Type.String(),
    bidirectional: Type.Boolean(),
    sync_interval: Type.Number(),
    last_verification: Nullable(Timestamp),
    regions: Type.Array(
      Type.Object({
        region: Type.String(),
        role: Type.String(),
        jurisdiction: Nullable(Type.String()),
        reachable: Type.Boolean(),
        error: Nullable(Type.String()),
        server_version: Nullable(Type.Integer()),
      }),
    ),
    tables: Type.Array(
      Type.Object({
        publisher: Type.String(),
        region: Type.String(),
        table: Type.String(),
        state: Type.String(),
        lag_bytes: Nullable(Type.Number()),
        lag_seconds: Nullable(Type.Number()),
        last_verified: Nullable(Timestamp),
        realtime: Type.Boolean(),
        restrictions: Type.Array(Type.String()),
      }),
    ),
    channels: Type.Array(ChannelState, { description: 'Per direction: the subscription and its errors' }),
    refusals: Type.Array(Refusal),
    waiting: Type.Array(Waiting),
    kept_aside: Type.Array(KeptAside),
    last_changes: Type.Array(Change),
  },
  { additionalProperties: false },
);

export const ConsentBody = Type.Object(
  { subject: Subject, granted: Type.Boolean() },
  { additionalProperties: false },
);
export type ConsentBody = Static<typeof ConsentBody>;

export const ConsentSchema = Type.Object({
  subject: Type.String(),
  granted: Type.Boolean(),
  recorded_by: Type.String(),
  recorded_at: Timestamp,
  tables: Type.Array(Type.Object({ region: Type.String(), table: Type.String(), rows: Type.Integer() })),
});

export const SubjectBody = Type.Object({ subject: Subject }, { additionalProperties: false });
export type SubjectBody = Static<typeof SubjectBody>;
export const SubjectQuery = Type.Object({ subject: Subject }, { additionalProperties: false });

export const ErasureSchema = Type.Object({
  subject: Type.String(),
  requested_by: Type.String(),
  completed_at: Timestamp,
  regions: Type.Array(
    Type.Object({
      region: Type.String(),
      table: Type.String(),
      rows_before: Type.Integer(),
      rows_after: Type.Integer(),
      method: Type.String(),
    }),
  ),
  call_records: Type.Object({
    store: Type.String(),
    pseudonymised: Type.Integer(),
    pseudonym: Type.String(),
  }),
  unreachable_regions: Type.Array(Type.String()),
  complete: Type.Boolean({ description: 'Every region answered and holds nothing of the subject' }),
});

export const ExportSchema = Type.Object({
  subject: Type.String(),
  exported_at: Timestamp,
  regions: Type.Record(
    Type.String(),
    Type.Record(Type.String(), Type.Array(Type.Object({}, { additionalProperties: true }))),
    { description: 'Region → table → the subject’s rows' },
  ),
  call_records: Type.Array(Type.Object({}, { additionalProperties: true })),
  unreachable_regions: Type.Array(Type.String()),
});

export const PolicyChangesSchema = Type.Object({
  changes: Type.Array(
    Type.Object({
      id: Type.Integer(),
      reason: Nullable(Type.String()),
      details: Nullable(Type.Object({}, { additionalProperties: true })),
      occurred_at: Timestamp,
    }),
  ),
});
