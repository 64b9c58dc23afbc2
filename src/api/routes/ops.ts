/**
 * Operations: liveness, readiness and Prometheus metrics. /healthz and /readyz need no token, so an
 * orchestrator can probe them; /metrics needs a read token unless the API was built with metricsPublic.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../deps';
import { apiError } from '../errors';
import { errors } from '../schemas/common';

const Status = (value: string) =>
  Type.Object({ status: Type.Literal(value) }, { additionalProperties: false });

export const opsRoutes: FastifyPluginAsync<
  Pick<ApiDeps, 'metrics' | 'ready'> & { metricsPublic: boolean }
> = async (app, { metrics, ready, metricsPublic }) => {
  const tags = ['operations'];

  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Liveness: the process answers (no token)',
        security: [],
        response: { 200: Status('ok') },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'Readiness: the service runs and its store and live state (Redis) answer (no token); 503 naming what is down otherwise',
        security: [],
        response: { 200: Status('ready'), ...errors(503) },
      },
    },
    async () => {
      const verdict = await ready();
      const problems =
        verdict === true ? [] : verdict === false ? ['the service is not running yet'] : verdict;
      // Each part that is down is named: an orchestrator's log then says which one to look at.
      if (problems.length > 0) throw apiError('API_NOT_READY', { detail: problems.join('; ') });
      return { status: 'ready' };
    },
  );

  app.get(
    '/metrics',
    {
      config: { access: metricsPublic ? 'public' : 'read' },
      schema: {
        tags,
        summary: metricsPublic
          ? 'Prometheus metrics (text exposition format); public on this instance'
          : 'Prometheus metrics (text exposition format); needs a read token',
        produces: ['text/plain'],
        ...(metricsPublic ? { security: [] } : {}),
        response: {
          200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }),
          ...(metricsPublic ? {} : errors(401)),
        },
      },
    },
    async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
};
