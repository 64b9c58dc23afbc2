/** Schemas of the region routes: the guide's register body and its `regions` / `active-region` shapes. */
import { Type, type Static } from '@sinclair/typebox';
import { REGION_RULES as RULES } from '../../model/field-rules';
import { HealthStateSchema, Nullable, RegionName, StringEnum, Timestamp } from './common';
import { fieldSchema } from './field-schema';

/** Generated from the one field table: the same ranges and expected sentences as config.yml and the TS API. */
const regionFields = {
  trunk_id: fieldSchema(RULES.trunk_id),
  sip_server: fieldSchema(RULES.sip_server, 'host, host:port, or a sip:/sips: URI with ;transport='),
  priority: fieldSchema(RULES.priority, 'Lower is preferred; 1 is the highest priority'),
  location: Type.Optional(fieldSchema(RULES.location)),
  capabilities: Type.Optional(fieldSchema(RULES.capabilities)),
  weight: Type.Optional(fieldSchema(RULES.weight)),
  latitude: Type.Optional(fieldSchema(RULES.latitude)),
  longitude: Type.Optional(fieldSchema(RULES.longitude)),
  timezone: Type.Optional(fieldSchema(RULES.timezone, 'IANA time zone')),
  http_check_url: Type.Optional(fieldSchema(RULES.http_check_url, 'http(s) URL')),
  request_uri_host: Type.Optional(fieldSchema(RULES.request_uri_host)),
  source_addresses: Type.Optional(fieldSchema(RULES.source_addresses, 'IPs or CIDRs')),
};

/** POST .../region: the guide's body (name, trunk_id, sip_server, priority, location, capabilities) + extras. */
export const RegionInputSchema = Type.Object(
  { name: RegionName, ...regionFields },
  { additionalProperties: false },
);
export type RegionInputBody = Static<typeof RegionInputSchema>;

/** PATCH .../regions/{name}: any of the register fields but the name. */
export const RegionPatchSchema = Type.Partial(Type.Object(regionFields, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
});
export type RegionPatchBody = Static<typeof RegionPatchSchema>;

export const RegionInfoSchema = Type.Object(
  {
    name: Type.String(),
    trunk_id: Type.String(),
    sip_server: Type.String(),
    priority: Type.Integer(),
    location: Nullable(Type.String()),
    capabilities: Type.Array(Type.String()),
    weight: Type.Number(),
    latitude: Nullable(Type.Number()),
    longitude: Nullable(Type.Number()),
    timezone: Nullable(Type.String()),
    http_check_url: Nullable(Type.String()),
    origin: StringEnum(['config', 'api'] as const, 'Where the region was defined'),
    health_state: HealthStateSchema,
    is_active: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** One row of GET .../regions: exactly the guide's fields. */
export const RegionStatusSchema = Type.Object(
  {
    name: Type.String(),
    priority: Type.Integer(),
    health_state: HealthStateSchema,
    is_active: Type.Boolean(),
    last_check: Nullable(Timestamp),
  },
  { additionalProperties: false },
);

export const RegionListSchema = Type.Object(
  { regions: Type.Array(RegionStatusSchema) },
  { additionalProperties: false },
);

/** The failover loop's last decision, including a decision to do nothing, with its sentence. */
export const LoopDecisionSchema = Type.Object(
  {
    kind: StringEnum(['stay', 'switch', 'suppress', 'await-approval', 'all-down']),
    reason: Type.String(),
    decided_at: Timestamp,
  },
  { additionalProperties: false },
);

/** GET .../active-region: the guide's fields, and the loop's last decision (why it is this region). */
export const ActiveRegionSchema = Type.Object(
  {
    name: Type.String(),
    trunk_id: Type.String(),
    priority: Type.Integer(),
    health_state: HealthStateSchema,
    active_since: Timestamp,
    last_decision: Nullable(LoopDecisionSchema),
  },
  { additionalProperties: false },
);

/** GET .../failover-decision. */
export const FailoverDecisionSchema = Type.Object(
  {
    decision: Nullable(LoopDecisionSchema),
    leader: Type.Boolean({ description: 'whether this instance runs the failover loop (the probe leader)' }),
  },
  { additionalProperties: false },
);

const CheckStatusSchema = Type.Object(
  {
    method: Type.String(),
    success: Type.Boolean(),
    latency_ms: Nullable(Type.Number()),
    error: Nullable(Type.String()),
    checked_at: Timestamp,
  },
  { additionalProperties: false },
);

const HealthViewSchema = Type.Object(
  {
    instance: Type.String({ description: 'the instance id' }),
    state: HealthStateSchema,
    reason: Type.String(),
    checked_at: Nullable(Timestamp),
    counted: Type.Boolean({ description: 'false when stale or without a check: it does not count' }),
  },
  { additionalProperties: false },
);

const QuorumSchema = Type.Object(
  {
    setting: Type.Union([Type.Literal('majority'), Type.Number({ exclusiveMinimum: 0 })], {
      description: 'health_check.quorum: majority, a number of instances, or a fraction of them',
    }),
    required: Nullable(Type.Integer({ minimum: 1, description: 'fresh views that must agree' })),
    fresh: Type.Integer({ minimum: 0 }),
    state: HealthStateSchema,
    reason: Type.String(),
    shared: Type.Boolean({ description: 'several instances decide (Redis live state)' }),
  },
  { additionalProperties: false },
);

export const RegionHealthSchema = Type.Object(
  {
    region: Type.String(),
    state: HealthStateSchema,
    reason: Type.String(),
    score: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
    last_check: Nullable(Timestamp),
    state_since: Nullable(Timestamp),
    first_failure_at: Nullable(Timestamp),
    healthy_since: Nullable(Timestamp),
    registration: StringEnum(['registered', 'failed', 'none', 'pending'] as const),
    simulated_until: Nullable(Timestamp),
    checks: Type.Array(CheckStatusSchema),
    views: Type.Array(HealthViewSchema, {
      description: "each geored instance's own view of the region (beside the guide's fields)",
    }),
    quorum: QuorumSchema,
  },
  { additionalProperties: false },
);

/** getRegionMetrics: exactly the guide's fields. */
export const RegionMetricsSchema = Type.Object(
  {
    uptime_percentage: Type.Number(),
    average_latency_ms: Type.Number(),
    calls_handled: Type.Integer(),
    failover_count: Type.Integer(),
    last_failover: Nullable(Timestamp),
  },
  { additionalProperties: false },
);

export const TtlParams = Type.Object(
  {
    name: RegionName,
    check: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'TTL check name' }),
  },
  { additionalProperties: false },
);

export const TtlPushSchema = Type.Object(
  {
    status: StringEnum(['pass', 'warn', 'fail'] as const),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type TtlPushBody = Static<typeof TtlPushSchema>;

export const LatencyQuery = Type.Object(
  { minutes: Type.Integer({ minimum: 1, maximum: 1440, default: 60, description: 'How far back' }) },
  { additionalProperties: false },
);
export type LatencyQuery = Static<typeof LatencyQuery>;

export const LatencySeriesSchema = Type.Object(
  {
    region: Type.String(),
    minutes: Type.Integer(),
    points: Type.Array(
      Type.Object(
        {
          time: Timestamp,
          latency_ms: Nullable(Type.Number({ description: 'Mean latency of the successful checks' })),
          checks: Type.Integer(),
          failures: Type.Integer(),
        },
        { additionalProperties: false },
      ),
      { description: 'One point per minute that had checks, oldest first' },
    ),
  },
  { additionalProperties: false },
);

export const RegionEventsQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }) },
  { additionalProperties: false },
);
export type RegionEventsQuery = Static<typeof RegionEventsQuery>;

export const RegionEventsSchema = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          kind: Type.String({ description: 'health-change, all-regions-down, switch-suppressed, ...' }),
          region: Nullable(Type.String()),
          reason: Nullable(Type.String()),
          details: Nullable(Type.Object({}, { additionalProperties: true })),
          occurred_at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
