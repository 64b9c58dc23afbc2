/**
 * Regions: the guide's register / list / active-region, and the API's per-region read, update, removal,
 * health, metrics and TTL check push.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { GeoApi } from '../deps';
import { apiError } from '../errors';
import { NameParams, NoContent, READ_ERRORS, WRITE_ERRORS, errors } from '../schemas/common';
import {
  ActiveRegionSchema,
  FailoverDecisionSchema,
  RegionHealthSchema,
  RegionInfoSchema,
  RegionInputSchema,
  RegionListSchema,
  RegionMetricsSchema,
  RegionPatchSchema,
  TtlParams,
  TtlPushSchema,
  type RegionInputBody,
  type RegionPatchBody,
  type TtlPushBody,
  LatencyQuery,
  LatencySeriesSchema,
  RegionEventsQuery,
  RegionEventsSchema,
} from '../schemas/regions';

type Name = { name: string };

export const regionRoutes: FastifyPluginAsync<{ geo: GeoApi }> = async (app, { geo }) => {
  const tags = ['regions'];

  app.post<{ Body: RegionInputBody }>(
    '/region',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Register a region (guide: POST /region)',
        body: RegionInputSchema,
        response: { 201: RegionInfoSchema, ...errors(...WRITE_ERRORS, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await geo.registerRegion(req.body)),
  );

  app.get(
    '/regions',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Every region with its health (guide: GET /regions)',
        response: { 200: RegionListSchema, ...errors(...READ_ERRORS) },
      },
    },
    async () => ({ regions: await geo.listRegions() }),
  );

  app.get(
    '/active-region',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'The region calls go to now (guide: GET /active-region)',
        response: { 200: ActiveRegionSchema, ...errors(...READ_ERRORS, 404) },
      },
    },
    async () => {
      const active = await geo.getActiveRegion();
      if (active === null) throw apiError('API_NO_ACTIVE_REGION');
      return active;
    },
  );

  app.get(
    '/failover-decision',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: "The failover loop's last decision and why, including why nothing happened",
        response: { 200: FailoverDecisionSchema, ...errors(...READ_ERRORS) },
      },
    },
    async () => geo.getFailoverDecision(),
  );

  app.get<{ Params: Name }>(
    '/regions/:name',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'One region as registered',
        params: NameParams,
        response: { 200: RegionInfoSchema, ...errors(...READ_ERRORS, 404) },
      },
    },
    async (req) => {
      const region = await geo.getRegion(req.params.name);
      if (region === null) throw apiError('API_UNKNOWN_REGION', { region: req.params.name });
      return region;
    },
  );

  app.patch<{ Params: Name; Body: RegionPatchBody }>(
    '/regions/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change a region added through the API (config-file regions change in the file)',
        params: NameParams,
        body: RegionPatchSchema,
        response: { 200: RegionInfoSchema, ...errors(...WRITE_ERRORS, 404, 409) },
      },
    },
    async (req) => geo.updateRegion(req.params.name, req.body),
  );

  app.delete<{ Params: Name }>(
    '/regions/:name',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Remove a region added through the API',
        params: NameParams,
        response: { 204: NoContent, ...errors(...WRITE_ERRORS, 404, 409) },
      },
    },
    async (req, reply) => {
      await geo.removeRegion(req.params.name);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: Name }>(
    '/regions/:name/health',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: "A region's health state, the reason for it, its score and its latest checks",
        params: NameParams,
        response: { 200: RegionHealthSchema, ...errors(...READ_ERRORS, 404) },
      },
    },
    async (req) => geo.getRegionHealth(req.params.name),
  );

  app.get<{ Params: Name; Querystring: LatencyQuery }>(
    '/regions/:name/latency',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: "A region's probe latency per minute over the last `minutes` (default 60)",
        params: NameParams,
        querystring: LatencyQuery,
        response: { 200: LatencySeriesSchema, ...errors(...READ_ERRORS, 404) },
      },
    },
    async (req) => geo.getRegionLatency(req.params.name, req.query.minutes),
  );

  app.get<{ Params: Name; Querystring: RegionEventsQuery }>(
    '/regions/:name/events',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: "A region's recorded events, newest first: health-state changes with their reason, ...",
        params: NameParams,
        querystring: RegionEventsQuery,
        response: { 200: RegionEventsSchema, ...errors(...READ_ERRORS, 404) },
      },
    },
    async (req) => ({ events: await geo.getRegionEvents(req.params.name, req.query.limit) }),
  );

  app.get<{ Params: Name }>(
    '/regions/:name/metrics',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Uptime, latency, calls handled and failovers of a region (guide: get_region_metrics)',
        params: NameParams,
        response: { 200: RegionMetricsSchema, ...errors(...READ_ERRORS, 404) },
      },
    },
    async (req) => geo.getRegionMetrics(req.params.name),
  );

  app.post<{ Params: { name: string; check: string }; Body: TtlPushBody }>(
    '/regions/:name/checks/:check',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Push the result of a TTL check (no push within its TTL counts as a failure)',
        params: TtlParams,
        body: TtlPushSchema,
        response: { 204: NoContent, ...errors(...WRITE_ERRORS, 404) },
      },
    },
    async (req, reply) => {
      await geo.pushTtlCheck(req.params.name, req.params.check, req.body.status, req.body.note);
      return reply.status(204).send();
    },
  );
};
