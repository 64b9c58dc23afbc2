/** Schemas of failover, history, simulation, test-failover, scheduled failovers and failback approval. */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Reason, RegionName, StringEnum, Timestamp } from './common';

/** POST .../failover: the guide's `{target_region, reason}` plus `force`. */
export const ManualFailoverSchema = Type.Object(
  {
    target_region: RegionName,
    reason: Type.Optional(Reason),
    force: Type.Optional(Type.Boolean({ description: 'Fail over even though the target is not eligible' })),
  },
  { additionalProperties: false },
);
export type ManualFailoverBody = Static<typeof ManualFailoverSchema>;

export const FailoverResultSchema = Type.Object(
  {
    success: Type.Boolean(),
    from_region: Nullable(Type.String()),
    to_region: Type.String(),
    reason: Type.String(),
    occurred_at: Timestamp,
  },
  { additionalProperties: false },
);

export const HistoryQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }) },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuery>;

/** One switch: the guide's fields plus the table's initiated_by and duration_ms. */
export const FailoverRecordSchema = Type.Object(
  {
    from_region: Nullable(Type.String()),
    to_region: Type.String(),
    reason: Nullable(Type.String()),
    automatic: Type.Boolean(),
    initiated_by: Nullable(Type.String()),
    duration_ms: Nullable(Type.Integer()),
    occurred_at: Timestamp,
  },
  { additionalProperties: false },
);

export const HistorySchema = Type.Object(
  { failovers: Type.Array(FailoverRecordSchema) },
  { additionalProperties: false },
);

/** POST .../simulate-failure: the guide's `{region, duration}` (seconds). */
export const SimulateFailureSchema = Type.Object(
  { region: RegionName, duration: Type.Number({ exclusiveMinimum: 0, maximum: 7 * 86_400 }) },
  { additionalProperties: false },
);
export type SimulateFailureBody = Static<typeof SimulateFailureSchema>;

export const SimulationSchema = Type.Object(
  { region: Type.String(), until: Timestamp },
  { additionalProperties: false },
);

/** POST .../end-simulation: the guide sends no body; `region` ends only that region's simulation. */
export const EndSimulationSchema = Type.Object(
  { region: Type.Optional(RegionName) },
  { additionalProperties: false },
);
export type EndSimulationBody = Static<typeof EndSimulationSchema>;

export const EndedSimulationsSchema = Type.Object(
  { ended: Type.Array(SimulationSchema) },
  { additionalProperties: false },
);

export const TestFailoverSchema = Type.Object(
  {
    from_region: RegionName,
    to_region: RegionName,
    dry_run: Type.Boolean({ default: true, description: 'true (the default) changes nothing' }),
  },
  { additionalProperties: false },
);
export type TestFailoverBody = Static<typeof TestFailoverSchema>;

export const TestFailoverResultSchema = Type.Object(
  {
    from_region: Type.String(),
    to_region: Type.String(),
    dry_run: Type.Boolean(),
    ok: Type.Boolean(),
    reason: Type.String(),
    steps: Type.Array(Type.String()),
    checks: Type.Array(
      Type.Object(
        { name: Type.String(), ok: Type.Boolean(), detail: Type.String() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ScheduleFailoverSchema = Type.Object(
  {
    target_region: RegionName,
    start_time: Timestamp,
    duration: Type.Number({ exclusiveMinimum: 0, maximum: 30 * 86_400, description: 'Seconds' }),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);
export type ScheduleFailoverBody = Static<typeof ScheduleFailoverSchema>;

export const ScheduledFailoverSchema = Type.Object(
  {
    id: Type.Integer(),
    target_region: Type.String(),
    start_time: Timestamp,
    duration: Type.Number(),
    reason: Nullable(Type.String()),
    status: StringEnum(['pending', 'active', 'completed', 'cancelled'] as const),
    created_by: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const ScheduledListSchema = Type.Object(
  { scheduled_failovers: Type.Array(ScheduledFailoverSchema) },
  { additionalProperties: false },
);

export const PendingFailbackSchema = Type.Object(
  {
    id: Type.Integer(),
    from_region: Type.String(),
    to_region: Type.String(),
    reason: Type.String(),
    requested_at: Timestamp,
  },
  { additionalProperties: false },
);

export const PendingListSchema = Type.Object(
  { pending: Type.Array(PendingFailbackSchema) },
  { additionalProperties: false },
);

export const RejectedFailbackSchema = Type.Object(
  {
    ...PendingFailbackSchema.properties,
    decision: Type.Literal('rejected'),
    decided_by: Type.String(),
  },
  { additionalProperties: false },
);
