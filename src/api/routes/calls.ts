/** GET /api/calls: the call records, for the guide's DR drill step "verify call routing to backup". */
import type { FastifyPluginAsync } from 'fastify';
import type { CallsStore } from '../deps';
import { READ_ERRORS, errors } from '../schemas/common';
import { CallListSchema, CallsQuery } from '../schemas/calls';

export const callRoutes: FastifyPluginAsync<{ store: CallsStore }> = async (app, { store }) => {
  app.get<{ Querystring: CallsQuery }>(
    '/api/calls',
    {
      config: { access: 'read' },
      schema: {
        tags: ['calls'],
        summary: 'Calls geored routed, newest first, with every region tried and the one that carried each',
        querystring: CallsQuery,
        response: { 200: CallListSchema, ...errors(...READ_ERRORS) },
      },
    },
    async (req) => {
      const { region, since, until, status, limit } = req.query;
      const calls = await store.listCalls({
        limit,
        ...(region !== undefined ? { region } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(status !== undefined ? { status } : {}),
      });
      return { calls };
    },
  );
};
