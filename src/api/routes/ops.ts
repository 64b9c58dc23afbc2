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
        summary: 'Readiness: the store and the SIP transports are up (no token); 503 otherwise',
        security: [],
        response: { 200: Status('ready'), ...errors(503) },
      },
    },
    async () => {
      if (!ready())
        throw apiError('API_NOT_READY', { detail: 'the store or the SIP transports are not up yet' });
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
