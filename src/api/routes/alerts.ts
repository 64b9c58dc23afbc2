/**
 * Alerts: the guide's configure_alerts (PUT), the settings in force and where each comes from (GET), a
 * reset of the API's changes to the file's values (DELETE), a test alert to every channel
 * (POST .../alerts/test) and the delivery attempts (GET .../alerts/deliveries), all delegated to the service.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { GeoApi } from '../deps';
import { READ_ERRORS, WRITE_ERRORS, errors } from '../schemas/common';
import {
  AlertsInForceSchema,
  AlertsPutSchema,
  AlertsResetQuery,
  AlertsWithSourceSchema,
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
        summary:
          'The alert settings in force (secrets as their env:/file: references), where each comes from, and ' +
          'recent decisions',
        response: { 200: AlertsWithSourceSchema, ...errors(...READ_ERRORS) },
      },
    },
    async () => geo.alertsInForce(),
  );

  app.delete<{ Querystring: AlertsResetQuery }>(
    '/alerts',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          "Reset alert settings changed through the API to the file's values (those named in `fields`, or " +
          'all); answers the settings now in force',
        querystring: AlertsResetQuery,
        response: { 200: AlertsWithSourceSchema, ...errors(...WRITE_ERRORS) },
      },
    },
    async (req) => geo.resetAlerts(req.query.fields?.split(',').map((f) => f.trim())),
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
