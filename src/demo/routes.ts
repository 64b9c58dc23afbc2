/**
 * The demo's own REST routes, registered only by `geored demo`: each simulated provider's fault, and the
 * demo PBX's call counts. GET .../demo (read token), POST .../demo/regions/{name}/fault (admin token).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { apiError } from '../api/errors';
import { NameParams, READ_ERRORS, StringEnum, WRITE_ERRORS, errors } from '../api/schemas/common';
import type { PbxCounts } from './pbx';
import { FAULTS, type Fault } from './provider';

export interface DemoControl {
  regions(): { name: string; fault: Fault }[];
  setFault(region: string, fault: Fault): boolean;
  calls(): PbxCounts;
}

const FaultSchema = StringEnum<Fault>(FAULTS, 'none repairs; the others break the simulated provider');
const FaultBody = Type.Object({ fault: FaultSchema }, { additionalProperties: false });
type FaultBody = Static<typeof FaultBody>;

const DemoStateSchema = Type.Object(
  {
    regions: Type.Array(
      Type.Object({ name: Type.String(), fault: FaultSchema }, { additionalProperties: false }),
    ),
    calls: Type.Object(
      {
        placed: Type.Integer(),
        answered: Type.Integer(),
        failed: Type.Integer(),
        in_progress: Type.Integer(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export function demoRoutes(control: DemoControl): FastifyPluginAsync {
  return async (app) => {
    const state = () => ({ regions: control.regions(), calls: { ...control.calls() } });
    app.get(
      '/demo',
      {
        config: { access: 'read' },
        schema: {
          tags: ['demo'],
          summary: 'Demo mode only: the simulated providers and the demo PBX calls',
          response: { 200: DemoStateSchema, ...errors(...READ_ERRORS) },
        },
      },
      async () => state(),
    );
    app.post<{ Params: { name: string }; Body: FaultBody }>(
      '/demo/regions/:name/fault',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['demo'],
          summary:
            'Demo mode only: break (blackhole, error-503, slow, refuse-registration) or repair a region',
          params: NameParams,
          body: FaultBody,
          response: { 200: DemoStateSchema, ...errors(...WRITE_ERRORS, 404) },
        },
      },
      async (req) => {
        if (!control.setFault(req.params.name, req.body.fault)) {
          throw apiError('API_UNKNOWN_REGION', { region: req.params.name });
        }
        return state();
      },
    );
  };
}
