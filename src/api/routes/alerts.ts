/**
 * Alerts: the guide's configure_alerts (PUT), the settings in force (GET), a test alert to every channel
 * (POST .../alerts/test) and the delivery attempts (GET .../alerts/deliveries), all delegated to the service.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { GeoApi } from '../deps';
import { READ_ERRORS, WRITE_ERRORS, errors } from '../schemas/common';
import {
  AlertsInForceSchema,
  AlertsPutSchema,
  DeliveriesQuery,
  DeliveriesSchema,
  TestAlertSchema,
  type AlertsPutBody,
} from '../schemas/alerts';

export const alertRoutes: FastifyPluginAsync<{ geo: GeoApi }> = async (app, { geo }) => {
  const tags = ['alerts'];

  app.get(
    '/alerts',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'The alert settings in force (secrets as their env:/file: references) and recent decisions',
        response: { 200: AlertsInForceSchema, ...errors(...READ_ERRORS) },
      },
    },
    async () => geo.getAlerts(),
  );

  app.put<{ Body: AlertsPutBody }>(
    '/alerts',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          "The guide's configure_alerts: the fields given change (null clears); answers what is in force",
        body: AlertsPutSchema,
        response: { 200: AlertsInForceSchema, ...errors(...WRITE_ERRORS) },
      },
    },
    async (req) => geo.configureAlerts(req.body),
  );

  app.post(
    '/alerts/test',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Send a test alert to every configured channel; answers per channel sent, failed or skipped',
        response: { 200: TestAlertSchema, ...errors(...WRITE_ERRORS) },
      },
    },
    async () => ({ results: await geo.sendTestAlert() }),
  );

  app.get<{ Querystring: DeliveriesQuery }>(
    '/alerts/deliveries',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Alert delivery attempts (channel, target, event, status, error), newest first',
        querystring: DeliveriesQuery,
        response: { 200: DeliveriesSchema, ...errors(...READ_ERRORS) },
      },
    },
    async (req) => ({ deliveries: await geo.listAlertDeliveries(req.query.limit) }),
  );
};
