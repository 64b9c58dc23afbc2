/**
 * Run-time settings: configure_health_check, configure_failover, configure_failback (GET reads what is in
 * force and where each setting comes from, PUT changes the fields it names, DELETE resets the API's changes
 * to the file's values), and routing (enable_geo_load_balancing, configure_time_based_routing; GET and
 * DELETE /routing). The service checks meaning (known regions, time ranges) and keeps the
 * settings across restarts; the schemas here check shape and ranges.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { GeoApi } from '../deps';
import type { SettingsGroup } from '../../geo/types';
import { READ_ERRORS, WRITE_ERRORS, errors } from '../schemas/common';
import {
  FailbackConfigSchema,
  FailbackInForceSchema,
  FailbackPutSchema,
  FailoverConfigSchema,
  FailoverInForceSchema,
  FailoverPutSchema,
  HealthCheckInForceSchema,
  HealthCheckPutSchema,
  HealthCheckSchema,
  LoadBalancingSchema,
  RoutingInForceSchema,
  RoutingWithSourceSchema,
  SettingsResetQuery,
  TimeBasedRoutingSchema,
  type FailbackPutBody,
  type FailoverPutBody,
  type HealthCheckPutBody,
  type LoadBalancingBody,
  type TimeBasedRoutingBody,
} from '../schemas/settings';

export const settingsRoutes: FastifyPluginAsync<{ geo: GeoApi }> = async (app, { geo }) => {
  const tags = ['settings'];

  /** GET (the settings in force and where each comes from) and DELETE (back to the file's values). */
  const readAndReset = (path: string, what: string, group: SettingsGroup, withSource: object): void => {
    app.get(
      path,
      {
        config: { access: 'read' },
        schema: {
          tags,
          summary: `The ${what} settings in force, and where each comes from (file, api or default)`,
          response: { 200: withSource, ...errors(...READ_ERRORS) },
        },
      },
      // A read never writes the store or logs a change (a read-only token may call it).
      async () => geo.settingsInForce(group),
    );
    app.delete<{ Querystring: SettingsResetQuery }>(
      path,
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary:
            `Reset ${what} settings changed through the API to the file's values (those named in ` +
            '`fields`, or all); answers the settings now in force',
          querystring: SettingsResetQuery,
          response: { 200: withSource, ...errors(...WRITE_ERRORS) },
        },
      },
      async (req) => {
        const fields = req.query.fields?.split(',').map((f) => f.trim());
        return geo.resetSettings(group, fields);
      },
    );
  };

  const section = <Body extends object>(
    path: string,
    what: string,
    put: object,
    full: object,
    group: SettingsGroup,
    withSource: object,
    apply: (s: Body) => Promise<unknown> | unknown,
  ): void => {
    readAndReset(path, what, group, withSource);
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
    'health_check',
    HealthCheckInForceSchema,
    (s) => geo.configureHealthCheck(s),
  );
  section<FailoverPutBody>(
    '/failover-config',
    'automatic failover',
    FailoverPutSchema,
    FailoverConfigSchema,
    'failover',
    FailoverInForceSchema,
    (s) => geo.configureFailover(s),
  );
  section<FailbackPutBody>(
    '/failback-config',
    'failback',
    FailbackPutSchema,
    FailbackConfigSchema,
    'failback',
    FailbackInForceSchema,
    (s) => geo.configureFailback(s),
  );

  readAndReset('/routing', 'routing', 'routing', RoutingWithSourceSchema);

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
