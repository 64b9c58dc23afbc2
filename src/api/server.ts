/**
 * The REST API: one fastify instance with the guide's routes under /api/framework/geographic-redundancy,
 * GET /api/calls, /metrics, /healthz, /readyz and the OpenAPI document generated from the route schemas.
 * Listening is the caller's business (`app.listen`), so tests can inject or bind port 0.
 */
import { VERSION as version } from '../model/package-info';
import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerAuth } from './auth';
import type { ApiDeps } from './deps';
import { BODY_LIMIT, registerErrorHandlers } from './errors';
import { adminRoutes } from './routes/admin';
import { callRoutes } from './routes/calls';
import { eventRoutes } from './routes/events';
import { failoverRoutes } from './routes/failover';
import { opsRoutes } from './routes/ops';
import { regionRoutes } from './routes/regions';
import { alertRoutes } from './routes/alerts';
import { replicationRoutes } from './routes/replication';
import { settingsRoutes } from './routes/settings';
import { registerValidation } from './validation';
import { Type } from '@sinclair/typebox';

export const GEO_PREFIX = '/api/framework/geographic-redundancy';
export const OPENAPI_PATH = '/api/openapi.json';

const DESCRIPTION = [
  'REST API of geored: geographic redundancy for SIP trunks.',
  '',
  'Authentication: `Authorization: Bearer <token>` with a token from the configuration (`server.tokens`,',
  'or `GEORED_API_TOKEN`, which is an admin token). A read token may call every GET; writes need an admin',
  'token. No or a wrong token answers 401 (with `WWW-Authenticate: Bearer`), a read token on a write 403.',
  'The name of the token is recorded as who initiated a failover, scheduled one, or decided a failback.',
  '`/healthz`, `/readyz` and this document need no token; `/metrics` needs a read token unless the API',
  'runs with metrics public (for a scraper on a trusted network).',
  '',
  'Errors are JSON `{"error": {"code", "message", "field"?}}`; validation errors (400, code',
  'API_VALIDATION) name the field at fault. docs/errors.md lists every code.',
].join('\n');

export function buildApi(deps: ApiDeps): FastifyInstance {
  // Belt and braces: fastify's request serializer logs no headers, but a token must never reach a log.
  const logger = deps.logger.child(
    { component: 'api' },
    {
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization'],
        censor: '***',
      },
    },
  ) as FastifyBaseLogger;
  const app = Fastify({
    loggerInstance: logger,
    // One line per request at info would flood the log with scrapes and polls; onResponse logs at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true },
  });

  // The API speaks JSON only: a text/plain body would otherwise reach the schema as a string.
  app.removeContentTypeParser('text/plain');
  registerValidation(app);
  registerErrorHandlers(app);
  registerAuth(app, deps.tokens);
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug(
      {
        method: req.method,
        url: req.url,
        status: reply.statusCode,
        by: req.principal?.name,
        ms: reply.elapsedTime,
      },
      'request',
    );
  });

  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'geored', version, description: DESCRIPTION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      tags: [
        { name: 'regions', description: 'Regions, their health and metrics' },
        { name: 'failover', description: 'Manual failover, history, test-failover' },
        { name: 'simulation', description: 'Disaster-recovery drills' },
        { name: 'scheduled', description: 'Scheduled failovers (maintenance windows)' },
        { name: 'failback', description: 'Failback approval' },
        { name: 'settings', description: 'Health-check, failover and failback settings' },
        { name: 'routing', description: 'Load balancing and time-based routing' },
        { name: 'alerts', description: 'Alerts by email, SMS, signed webhook and PagerDuty' },
        { name: 'calls', description: 'Call records' },
        { name: 'events', description: 'The live event stream (server-sent events)' },
        { name: 'demo', description: 'geored demo only: break and repair the simulated regions' },
        {
          name: 'replication',
          description: 'Data replication between region databases, data residency, GDPR',
        },
        { name: 'operations', description: 'Liveness, readiness, metrics, this document' },
      ],
    },
  });

  void app.register(regionRoutes, { prefix: GEO_PREFIX, geo: deps.geo });
  void app.register(failoverRoutes, { prefix: GEO_PREFIX, geo: deps.geo });
  void app.register(settingsRoutes, { prefix: GEO_PREFIX, geo: deps.geo });
  if (deps.events) void app.register(eventRoutes, { prefix: GEO_PREFIX, events: deps.events });
  for (const plugin of deps.extraRoutes ?? []) void app.register(plugin, { prefix: GEO_PREFIX });
  if (deps.panel) void app.register(adminRoutes, { files: deps.panel });
  void app.register(alertRoutes, { prefix: GEO_PREFIX, geo: deps.geo });
  void app.register(replicationRoutes, { prefix: GEO_PREFIX, geo: deps.geo });
  void app.register(callRoutes, { geo: deps.geo });
  void app.register(opsRoutes, {
    metrics: deps.metrics,
    ready: deps.ready,
    metricsPublic: deps.metricsPublic ?? false,
  });
  void app.register(async (scope) => {
    scope.get(
      OPENAPI_PATH,
      {
        config: { access: 'public' },
        schema: {
          tags: ['operations'],
          summary: 'This OpenAPI document, generated from the route schemas (no token)',
          security: [],
          response: { 200: Type.Object({}, { additionalProperties: true, description: 'OpenAPI 3.1' }) },
        },
      },
      async () => scope.swagger(),
    );
  });

  return app;
}
