/**
 * Schemas of the run-time settings (configure_health_check, configure_failover, configure_failback) and
 * routing (load balancing, time-based). A PUT names only what it changes; the answer is what is now in force.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { RegionName, StringEnum } from './common';

const seconds = (description: string, min: { minimum: number } | { exclusiveMinimum: number }) =>
  Type.Number({ ...min, maximum: 86_400, description });

const healthCheckFields = {
  interval: seconds('Seconds between probes', { exclusiveMinimum: 0 }),
  timeout: seconds('Probe timeout, seconds', { exclusiveMinimum: 0 }),
  retry_count: Type.Integer({ minimum: 1, maximum: 100, description: 'Consecutive failures before DOWN' }),
  check_methods: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 20 }),
  success_threshold: Type.Integer({
    minimum: 1,
    maximum: 100,
    description: 'Successes before HEALTHY again',
  }),
  latency_warning_ms: Type.Number({ minimum: 0, maximum: 3_600_000 }),
};

export const HealthCheckPutSchema = Type.Partial(Type.Object(healthCheckFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type HealthCheckPutBody = Static<typeof HealthCheckPutSchema>;
export const HealthCheckSchema = Type.Object(healthCheckFields, { additionalProperties: false });

const failoverFields = {
  automatic: Type.Boolean(),
  min_failure_duration: seconds(
    'A region is DOWN only after failing this long (a minimum; 0: retry_count alone)',
    {
      minimum: 0,
    },
  ),
  failover_delay: seconds('Wait after the active region went DOWN before switching', { minimum: 0 }),
};

export const FailoverPutSchema = Type.Partial(Type.Object(failoverFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type FailoverPutBody = Static<typeof FailoverPutSchema>;
export const FailoverConfigSchema = Type.Object(failoverFields, { additionalProperties: false });

const failbackFields = {
  enabled: Type.Boolean(),
  delay: seconds('Continuous health the preferred region needs first', { minimum: 0 }),
  health_threshold: Type.Number({ minimum: 0, maximum: 1, description: 'Health score needed, 0..1' }),
  automatic: Type.Boolean({ description: 'false: an operator approves each failback' }),
};

export const FailbackPutSchema = Type.Partial(Type.Object(failbackFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type FailbackPutBody = Static<typeof FailbackPutSchema>;
export const FailbackConfigSchema = Type.Object(failbackFields, { additionalProperties: false });

/** An object keyed by pattern; written out because TypeBox's Record drops a string key's pattern. */
function keyedBy<V extends TSchema>(keyPattern: string, value: V, options: Record<string, unknown>) {
  return Type.Unsafe<Record<string, Static<V>>>({
    type: 'object',
    patternProperties: { [keyPattern]: value },
    additionalProperties: false,
    ...options,
  });
}

const RegionWeights = keyedBy(RegionName.pattern!, Type.Number({ minimum: 0, maximum: 1_000_000 }), {
  description: 'Traffic share by region name',
});

/** PUT .../load-balancing: enable_geo_load_balancing(strategy, weights). */
export const LoadBalancingSchema = Type.Object(
  {
    strategy: StringEnum(['priority', 'proximity', 'time_of_day'] as const),
    weights: Type.Optional(RegionWeights),
  },
  { additionalProperties: false },
);
export type LoadBalancingBody = Static<typeof LoadBalancingSchema>;

const TimeRange = '^[0-9]{1,2}:[0-9]{2} ?- ?[0-9]{1,2}:[0-9]{2}$';

/** PUT .../time-based-routing: configure_time_based_routing({'00:00-08:00': 'eu-west-1', ...}). */
export const TimeBasedRoutingSchema = Type.Object(
  {
    rules: keyedBy(TimeRange, RegionName, {
      minProperties: 1,
      description: "'HH:MM-HH:MM' (local time, may wrap midnight, 24:00 ends the day) → region name",
    }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone' })),
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
