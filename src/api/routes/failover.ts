/**
 * Switching regions: the guide's manual failover, history, simulate-failure and end-simulation, plus
 * test-failover, scheduled failovers and failback approval. Every write records the token's name as who
 * did it, so the history says which operator (or automation) asked.
 */
import type { FastifyPluginAsync } from 'fastify';
import { principalName } from '../auth';
import type { GeoApi } from '../deps';
import { IdParams, READ_ERRORS, WRITE_ERRORS, errors } from '../schemas/common';
import {
  EndSimulationSchema,
  EndedSimulationsSchema,
  FailoverResultSchema,
  HistoryQuery,
  HistorySchema,
  ManualFailoverSchema,
  PendingListSchema,
  RejectedFailbackSchema,
  ScheduleFailoverSchema,
  ScheduledFailoverSchema,
  ScheduledListSchema,
  SimulateFailureSchema,
  SimulationSchema,
  TestFailoverResultSchema,
  TestFailoverSchema,
  type EndSimulationBody,
  type ManualFailoverBody,
  type ScheduleFailoverBody,
  type SimulateFailureBody,
  type TestFailoverBody,
} from '../schemas/failover';

type Id = { id: number };

export const failoverRoutes: FastifyPluginAsync<{ geo: GeoApi }> = async (app, { geo }) => {
  const tags = ['failover'];

  app.post<{ Body: ManualFailoverBody }>(
    '/failover',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Manual failover (guide: POST /failover); 409 to an ineligible target unless force',
        body: ManualFailoverSchema,
        response: { 200: FailoverResultSchema, ...errors(...WRITE_ERRORS, 404, 409) },
      },
    },
    async (req) =>
      geo.manualFailover({
        target_region: req.body.target_region,
        ...(req.body.reason !== undefined ? { reason: req.body.reason } : {}),
        ...(req.body.force !== undefined ? { force: req.body.force } : {}),
        initiated_by: principalName(req),
      }),
  );

  app.get<{ Querystring: HistoryQuery }>(
    '/failover-history',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Switches of the active region, newest first (guide: GET /failover-history?limit=N)',
        querystring: HistoryQuery,
        response: { 200: HistorySchema, ...errors(...READ_ERRORS) },
      },
    },
    async (req) => ({ failovers: await geo.getFailoverHistory(req.query.limit) }),
  );

  app.post<{ Body: SimulateFailureBody }>(
    '/simulate-failure',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['simulation'],
        summary: 'Make a region look DOWN to geored for `duration` seconds, without touching the network',
        body: SimulateFailureSchema,
        response: { 200: SimulationSchema, ...errors(...WRITE_ERRORS, 404) },
      },
    },
    async (req) => geo.simulateFailure(req.body.region, req.body.duration),
  );

  app.post<{ Body: EndSimulationBody | undefined }>(
    '/end-simulation',
    {
      config: { access: 'admin' },
      // The guide's drill posts no body at all; that means "every region", the same as {}.
      preValidation: async (req) => {
        req.body ??= {};
      },
      schema: {
        tags: ['simulation'],
        summary: 'End simulated failures: of `region`, or of every region when the body is empty',
        body: EndSimulationSchema,
        response: { 200: EndedSimulationsSchema, ...errors(...WRITE_ERRORS, 404) },
      },
    },
    async (req) => ({ ended: await geo.endSimulation(req.body?.region) }),
  );

  app.post<{ Body: TestFailoverBody }>(
    '/test-failover',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'The plan and the checks on the target of a failover; dry_run (the default) changes nothing',
        body: TestFailoverSchema,
        response: { 200: TestFailoverResultSchema, ...errors(...WRITE_ERRORS, 404, 409) },
      },
    },
    async (req) => geo.testFailover(req.body.from_region, req.body.to_region, req.body.dry_run),
  );

  app.get(
    '/scheduled-failovers',
    {
      config: { access: 'read' },
      schema: {
        tags: ['scheduled'],
        summary: 'Scheduled failovers (maintenance windows), by start time',
        response: { 200: ScheduledListSchema, ...errors(...READ_ERRORS) },
      },
    },
    async () => ({ scheduled_failovers: await geo.listScheduledFailovers() }),
  );

  app.post<{ Body: ScheduleFailoverBody }>(
    '/scheduled-failovers',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['scheduled'],
        summary:
          'Switch to target_region at start_time for duration seconds, then back (guide: schedule_failover)',
        body: ScheduleFailoverSchema,
        response: { 201: ScheduledFailoverSchema, ...errors(...WRITE_ERRORS, 404, 409) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await geo.scheduleFailover({ ...req.body, created_by: principalName(req) })),
  );

  app.delete<{ Params: Id }>(
    '/scheduled-failovers/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['scheduled'],
        summary: 'Cancel a scheduled failover (an active one returns to the region it replaced)',
        params: IdParams,
        response: { 200: ScheduledFailoverSchema, ...errors(...WRITE_ERRORS, 404, 409) },
      },
    },
    async (req) => geo.cancelScheduledFailover(req.params.id),
  );

  app.get(
    '/failback/pending',
    {
      config: { access: 'read' },
      schema: {
        tags: ['failback'],
        summary: 'Failbacks waiting for an operator (configure_failback automatic: false)',
        response: { 200: PendingListSchema, ...errors(...READ_ERRORS) },
      },
    },
    async () => ({ pending: await geo.listPendingFailbacks() }),
  );

  app.post<{ Params: Id }>(
    '/failback/:id/approve',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['failback'],
        summary: 'Approve a pending failback: geored fails back now',
        params: IdParams,
        response: { 200: FailoverResultSchema, ...errors(...WRITE_ERRORS, 404, 409) },
      },
    },
    async (req) => geo.approveFailback(req.params.id, principalName(req)),
  );

  app.post<{ Params: Id }>(
    '/failback/:id/reject',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['failback'],
        summary: 'Reject a pending failback: the current region stays active',
        params: IdParams,
        response: { 200: RejectedFailbackSchema, ...errors(...WRITE_ERRORS, 404, 409) },
      },
    },
    async (req) => geo.rejectFailback(req.params.id, principalName(req)),
  );
};
