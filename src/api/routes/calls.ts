/** GET /api/calls: the call records, for the guide's DR drill step "verify call routing to backup". */
import type { FastifyPluginAsync } from 'fastify';
import type { GeoApi } from '../deps';
import { READ_ERRORS, errors } from '../schemas/common';
import { CallListSchema, CallsQuery } from '../schemas/calls';

export const callRoutes: FastifyPluginAsync<{ geo: GeoApi }> = async (app, { geo }) => {
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
    async (req) => ({ calls: await geo.listCalls(req.query) }),
  );
};
