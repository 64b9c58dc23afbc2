/**
 * Run-time settings: configure_health_check, configure_failover, configure_failback (GET reads what is in
 * force, PUT changes the fields it names), and routing (enable_geo_load_balancing,
 * configure_time_based_routing). The service checks meaning (known regions, time ranges) and keeps the
 * settings across restarts; the schemas here check shape and ranges.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { GeoApi } from '../deps';
import { READ_ERRORS, WRITE_ERRORS, errors } from '../schemas/common';
import {
  FailbackConfigSchema,
  FailbackPutSchema,
  FailoverConfigSchema,
  FailoverPutSchema,
  HealthCheckPutSchema,
  HealthCheckSchema,
  LoadBalancingSchema,
  RoutingInForceSchema,
  TimeBasedRoutingSchema,
  type FailbackPutBody,
  type FailoverPutBody,
  type HealthCheckPutBody,
  type LoadBalancingBody,
  type TimeBasedRoutingBody,
} from '../schemas/settings';

export const settingsRoutes: FastifyPluginAsync<{ geo: GeoApi }> = async (app, { geo }) => {
  const tags = ['settings'];

  const section = <Body extends object>(
    path: string,
    what: string,
    put: object,
    full: object,
    read: () => unknown,
    apply: (s: Body) => Promise<unknown> | unknown,
  ): void => {
    app.get(
      path,
      {
        config: { access: 'read' },
        schema: {
          tags,
          summary: `The ${what} settings in force`,
          response: { 200: full, ...errors(...READ_ERRORS) },
        },
      },
      // A read never writes the store or logs a change (a read-only token may call it).
      async () => read(),
    );
    app.put<{ Body: Body }>(
      path,
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: `Change the ${what} settings named in the body; answers the settings now in force`,
          body: put,
          response: { 200: full, ...errors(...WRITE_ERRORS) },
        },
      },
      async (req) => apply(req.body as Body),
    );
  };

  section<HealthCheckPutBody>(
    '/health-check',
    'health-check',
    HealthCheckPutSchema,
    HealthCheckSchema,
    () => geo.healthCheckInForce(),
    (s) => geo.configureHealthCheck(s),
  );
  section<FailoverPutBody>(
    '/failover-config',
    'automatic failover',
    FailoverPutSchema,
    FailoverConfigSchema,
    () => geo.failoverInForce(),
    (s) => geo.configureFailover(s),
  );
  section<FailbackPutBody>(
    '/failback-config',
    'failback',
    FailbackPutSchema,
    FailbackConfigSchema,
    () => geo.failbackInForce(),
    (s) => geo.configureFailback(s),
  );

  app.put<{ Body: LoadBalancingBody }>(
    '/load-balancing',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['routing'],
        summary: 'Routing strategy and traffic weights (guide: enable_geo_load_balancing)',
        body: LoadBalancingSchema,
        response: { 200: RoutingInForceSchema, ...errors(...WRITE_ERRORS) },
      },
    },
    async (req) => geo.enableGeoLoadBalancing(req.body),
  );

  app.put<{ Body: TimeBasedRoutingBody }>(
    '/time-based-routing',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['routing'],
        summary: 'Follow-the-sun rules (guide: configure_time_based_routing)',
        body: TimeBasedRoutingSchema,
        response: { 200: RoutingInForceSchema, ...errors(...WRITE_ERRORS) },
      },
    },
    async (req) => geo.configureTimeBasedRouting(req.body.rules, req.body.timezone),
  );
};
