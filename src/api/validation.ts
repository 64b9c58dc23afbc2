/**
 * Request validation. Bodies are validated strictly: no type coercion ("1" is not a priority) and no
 * silent removal of unknown properties (a misspelt field is a 400 naming it, not ignored). Query strings
 * and path parameters arrive as text, so those alone are coerced to the schema's types (`?limit=10`).
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { EXPECTED_KEYWORD, SECRET_KEYWORD } from './schemas/field-schema';

// `x-expected` carries a field rule's expected sentence (src/api/schemas/field-schema.ts); verbose errors
// bring the failing schema along, so the error handler can answer with that sentence.
const STRICT = {
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
  verbose: true,
  keywords: [EXPECTED_KEYWORD, SECRET_KEYWORD] as string[],
};
const TEXT = { ...STRICT, coerceTypes: 'array' as const };

export function registerValidation(app: FastifyInstance): void {
  const factory = AjvCompiler();
  const strict = factory({}, { customOptions: STRICT, plugins: [] });
  const text = factory({}, { customOptions: TEXT, plugins: [] });
  app.setValidatorCompiler(
    (route: { schema: FastifySchema; method: string; url: string; httpPart?: string }) =>
      route.httpPart === 'body' ? strict(route) : text(route),
  );
}
