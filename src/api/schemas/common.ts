/**
 * Building blocks shared by the route schemas. The schemas are plain JSON Schema (TypeBox only writes them
 * and gives their TypeScript types), so one definition validates requests, shapes responses (fastify
 * serialises by them, dropping anything undeclared) and becomes the OpenAPI document.
 */
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { REGION_RULES } from '../../model/field-rules';
import { HEALTH_STATES, type HealthState } from '../../model/health-state';
import { EXPECTED_KEYWORD } from './field-schema';

/** A string enum as `{type: string, enum}`: readable in OpenAPI, and ajv reports the allowed values. */
export function StringEnum<T extends string>(values: readonly T[], description?: string): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
}

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const HealthStateSchema = StringEnum<HealthState>(
  HEALTH_STATES,
  "One of the guide's five health states",
);

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601, UTC' });

/** Region names as every path accepts them (src/model/field-rules.ts). */
export const RegionName = Type.String({
  pattern: REGION_RULES.name.pattern.source,
  description: '1-50 letters, digits, ".", "_" or "-", starting with a letter or digit',
  [EXPECTED_KEYWORD]: REGION_RULES.name.expected,
});

export const Reason = Type.String({ minLength: 1, maxLength: 500 });

export const ErrorSchema = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'A code from docs/errors.md, e.g. API_VALIDATION' }),
        message: Type.String(),
        field: Type.Optional(
          Type.String({ description: 'The request field at fault, for validation errors' }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'Every error the API answers' },
);

/** Error responses a route can give, by status; 401 applies to every route that needs a token. */
export function errors(...statuses: number[]): Record<number, typeof ErrorSchema> {
  return Object.fromEntries([...statuses, 500].map((s) => [s, ErrorSchema]));
}

/** Read routes: bad input, no token. Write routes add 403 (read-only token). */
export const READ_ERRORS = [400, 401] as const;
export const WRITE_ERRORS = [400, 401, 403] as const;

export const NameParams = Type.Object({ name: RegionName }, { additionalProperties: false });

export const IdParams = Type.Object(
  { id: Type.Integer({ minimum: 1, description: 'The id the list gives' }) },
  { additionalProperties: false },
);

export const NoContent = Type.Null({ description: 'No content' });
