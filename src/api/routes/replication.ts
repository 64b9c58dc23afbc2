/**
 * Data replication and compliance: the guide's enable_data_replication, replicate_cdr,
 * configure_data_residency and enable_gdpr_compliance as PUTs (each answers what geored changed in the
 * databases and why, or refuses with nothing changed), the replication status, and the GDPR subject
 * requests (consent, erasure, export). The token's name is recorded as who changed a transfer policy.
 */
import type { FastifyPluginAsync } from 'fastify';
import { principalName } from '../auth';
import type { GeoApi } from '../deps';
import { NameParams, READ_ERRORS, WRITE_ERRORS, errors } from '../schemas/common';
import {
  CdrReplicationBody,
  ConsentBody,
  ConsentSchema,
  DataReplicationBody,
  ErasureSchema,
  ExportSchema,
  GdprBody,
  PolicyChangesSchema,
  ReconcileSchema,
  ReplicationStatusSchema,
  ResidencyBody,
  SubjectBody,
  SubjectQuery,
} from '../schemas/replication';

export const replicationRoutes: FastifyPluginAsync<{ geo: GeoApi }> = async (app, { geo }) => {
  const tags = ['replication'];
  const write = (summary: string, body: object, params?: object) => ({
    config: { access: 'admin' as const },
    schema: {
      tags,
      summary,
      body,
      ...(params ? { params } : {}),
      response: { 200: ReconcileSchema, ...errors(...WRITE_ERRORS, 404, 409, 503) },
    },
  });

  app.put<{ Body: DataReplicationBody }>(
    '/data-replication',
    write(
      'Replicate the PBX data types between the regions’ databases (guide: enable_data_replication)',
      DataReplicationBody,
    ),
    async (req) => geo.enableDataReplication({ ...req.body, by: principalName(req) }),
  );

  app.put<{ Body: CdrReplicationBody }>(
    '/cdr-replication',
    write('Replicate call records to these regions (guide: replicate_cdr)', CdrReplicationBody),
    async (req) => geo.replicateCdr({ ...req.body, by: principalName(req) }),
  );

  app.put<{ Params: { name: string }; Body: Record<string, unknown> & { data_types: string[] } }>(
    '/regions/:name/data-residency',
    write(
      'Keep restricted data in its jurisdiction (guide: configure_data_residency)',
      ResidencyBody,
      NameParams,
    ),
    async (req) => geo.configureDataResidency(req.params.name, req.body, principalName(req)),
  );

  app.put<{ Params: { name: string }; Body: GdprBody }>(
    '/regions/:name/gdpr',
    write('GDPR mode for a region (guide: enable_gdpr_compliance)', GdprBody, NameParams),
    async (req) => geo.enableGdprCompliance({ region: req.params.name, ...req.body, by: principalName(req) }),
  );

  app.get(
    '/replication/status',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Per region and table: replication state, lag in bytes and seconds, last verification',
        response: { 200: ReplicationStatusSchema, ...errors(...READ_ERRORS) },
      },
    },
    async () => geo.getReplicationStatus(),
  );

  app.post<{ Body: ConsentBody }>(
    '/gdpr/consent',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Record a data subject’s consent (or its withdrawal) where their rows are written',
        body: ConsentBody,
        response: { 200: ConsentSchema, ...errors(...WRITE_ERRORS, 409) },
      },
    },
    async (req) => geo.recordConsent(req.body.subject, req.body.granted, principalName(req)),
  );

  app.post<{ Body: SubjectBody }>(
    '/gdpr/erasure',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Erase a data subject in every region; answers what was done where',
        body: SubjectBody,
        response: { 200: ErasureSchema, ...errors(...WRITE_ERRORS, 409) },
      },
    },
    async (req) => geo.eraseSubject(req.body.subject, principalName(req)),
  );

  app.get<{ Querystring: { subject: string } }>(
    '/gdpr/export',
    {
      // An export discloses personal data: admin tokens only.
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'A data subject’s data from every region, as JSON',
        querystring: SubjectQuery,
        response: { 200: ExportSchema, ...errors(...WRITE_ERRORS, 409) },
      },
    },
    async (req) => geo.exportSubject(req.query.subject, principalName(req)),
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/gdpr/policy-changes',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Every change of a cross-region transfer policy, with who and when, newest first',
        response: { 200: PolicyChangesSchema, ...errors(...READ_ERRORS) },
      },
    },
    async () => ({ changes: await geo.listTransferPolicyChanges(100) }),
  );
};
