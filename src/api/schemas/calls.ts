/** Schemas of GET /api/calls: the call records the proxy writes (src/store/types.ts CallRow). */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, RegionName, StringEnum, Timestamp } from './common';

export const CallsQuery = Type.Object(
  {
    region: Type.Optional(RegionName),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'started at or after (inclusive)' }),
    ),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'started before (exclusive)' })),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 699, description: 'Final SIP status' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);
export type CallsQuery = Static<typeof CallsQuery>;

const CallAttemptSchema = Type.Object(
  {
    region: Type.String(),
    status: Nullable(Type.Integer()),
    reason: Nullable(Type.String()),
    outcome: StringEnum(['answered', 'failed', 'timeout', 'transport-error', 'cancelled'] as const),
    started_at: Timestamp,
    ended_at: Nullable(Timestamp),
  },
  { additionalProperties: false },
);

export const CallSchema = Type.Object(
  {
    call_id: Type.String(),
    direction: StringEnum(['outbound', 'inbound'] as const),
    from_uri: Type.String(),
    to_uri: Type.String(),
    attempts: Type.Array(CallAttemptSchema),
    region: Nullable(Type.String({ description: 'The region that carried the call' })),
    started_at: Timestamp,
    answered_at: Nullable(Timestamp),
    ended_at: Nullable(Timestamp),
    final_status: Nullable(Type.Integer()),
    routing_reason: Nullable(
      Type.String({ description: "Why the call went where it went: the routing decision's sentence" }),
    ),
  },
  { additionalProperties: false },
);

export const CallListSchema = Type.Object({ calls: Type.Array(CallSchema) }, { additionalProperties: false });
