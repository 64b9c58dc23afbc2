/**
 * Schemas of the run-time settings (configure_health_check, configure_failover, configure_failback) and
 * routing (load balancing, time-based). A PUT names only what it changes; the answer is what is now in force.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  FAILBACK_RULES,
  FAILOVER_RULES,
  HEALTH_CHECK_RULES,
  ROUTING_RULES,
  TIME_OF_DAY_NEEDS_RANGES,
  type FieldRule,
} from '../../model/field-rules';
import { StringEnum } from './common';
import { EXPECTED_KEYWORD, fieldSchema } from './field-schema';

/** Generated from the one field table: the same ranges and expected sentences as config.yml and the TS API. */
const fromRules = <T extends Record<string, FieldRule>>(rules: T) =>
  Object.fromEntries(Object.entries(rules).map(([k, rule]) => [k, fieldSchema(rule)])) as {
    [K in keyof T]: ReturnType<typeof fieldSchema<T[K]>>;
  };

const healthCheckFields = fromRules(HEALTH_CHECK_RULES);

export const HealthCheckPutSchema = Type.Partial(Type.Object(healthCheckFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type HealthCheckPutBody = Static<typeof HealthCheckPutSchema>;
export const HealthCheckSchema = Type.Object(healthCheckFields, { additionalProperties: false });

const failoverFields = fromRules(FAILOVER_RULES);

export const FailoverPutSchema = Type.Partial(Type.Object(failoverFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type FailoverPutBody = Static<typeof FailoverPutSchema>;
export const FailoverConfigSchema = Type.Object(failoverFields, { additionalProperties: false });

const failbackFields = fromRules(FAILBACK_RULES);

export const FailbackPutSchema = Type.Partial(Type.Object(failbackFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type FailbackPutBody = Static<typeof FailbackPutSchema>;
export const FailbackConfigSchema = Type.Object(failbackFields, { additionalProperties: false });

/**
 * An object whose keys are checked by `key` (propertyNames, so the error names the key and says what was
 * expected) and whose values by `value`; written out because TypeBox's Record drops a string key's pattern.
 */
function keyedBy<V extends TSchema>(key: TSchema | null, value: V, options: Record<string, unknown>) {
  return Type.Unsafe<Record<string, Static<V>>>({
    type: 'object',
    ...(key ? { propertyNames: key } : {}),
    additionalProperties: value,
    ...options,
  });
}

// Keys are region names the service checks against the regions configured (the sentence names them).
const RegionWeights = keyedBy(null, fieldSchema(ROUTING_RULES.weight), {
  description: 'Traffic share by region name',
});

const Strategy = fieldSchema(ROUTING_RULES.strategy);

/** PUT .../load-balancing: enable_geo_load_balancing(strategy, weights). */
export const LoadBalancingSchema = Type.Object(
  {
    strategy: Strategy,
    weights: Type.Optional(RegionWeights),
  },
  { additionalProperties: false },
);
export type LoadBalancingBody = Static<typeof LoadBalancingSchema>;

/** The shape of a range; what it means (00:00..24:00, start != end) is the service's check, same rule. */
const TimeRange = {
  ...fieldSchema(ROUTING_RULES.time_range),
  pattern: '^[0-9]{1,2}:[0-9]{2} ?- ?[0-9]{1,2}:[0-9]{2}$',
};

/** PUT .../time-based-routing: configure_time_based_routing({'00:00-08:00': 'eu-west-1', ...}). */
export const TimeBasedRoutingSchema = Type.Object(
  {
    rules: keyedBy(TimeRange, fieldSchema(ROUTING_RULES.time_region), {
      minProperties: 1,
      [EXPECTED_KEYWORD]: TIME_OF_DAY_NEEDS_RANGES,
      description: "'HH:MM-HH:MM' (local time, may wrap midnight, 24:00 ends the day) → region name",
    }),
    timezone: Type.Optional(fieldSchema(ROUTING_RULES.timezone, 'IANA time zone')),
  },
  { additionalProperties: false },
);
export type TimeBasedRoutingBody = Static<typeof TimeBasedRoutingSchema>;

export const RoutingInForceSchema = Type.Object(
  {
    strategy: StringEnum(['priority', 'proximity', 'time_of_day'] as const),
    weights: Type.Record(Type.String(), Type.Number()),
    time_based: Type.Record(Type.String(), Type.String()),
    timezone: Type.String(),
  },
  { additionalProperties: false, description: 'The routing policy in force' },
);

const SettingSourceSchema = StringEnum(
  ['file', 'api', 'default'] as const,
  'Where the value in force comes from',
);

/** A group's settings in force plus `source`: per field, whether the file, the API or geored's default set it. */
function inForceWithSource(fields: Record<string, TSchema>, description: string) {
  return Type.Object(
    {
      ...fields,
      source: Type.Object(Object.fromEntries(Object.keys(fields).map((k) => [k, SettingSourceSchema])), {
        additionalProperties: false,
        description: 'Per setting: file (config.yml), api (changed through the API until reset) or default',
      }),
    },
    { additionalProperties: false, description },
  );
}

export const HealthCheckInForceSchema = inForceWithSource(
  healthCheckFields,
  'The health-check settings in force',
);
export const FailoverInForceSchema = inForceWithSource(
  failoverFields,
  'The automatic-failover settings in force',
);
export const FailbackInForceSchema = inForceWithSource(failbackFields, 'The failback settings in force');
export const RoutingWithSourceSchema = inForceWithSource(
  RoutingInForceSchema.properties,
  'The routing policy in force',
);

/** DELETE of a settings route: which settings go back to the file's values (all of the group's without `fields`). */
export const SettingsResetQuery = Type.Object(
  {
    fields: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 400,
        description:
          'Comma-separated names of the settings to reset, e.g. interval,timeout; absent: all of them',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SettingsResetQuery = Static<typeof SettingsResetQuery>;
