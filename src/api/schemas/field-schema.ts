/**
 * JSON Schemas generated from the one field table (src/model/field-rules.ts): the type, range, enum and
 * pattern of each rule, and its expected sentence as `x-expected`, which the error handler answers with
 * (src/api/errors.ts), so a value REST refuses gets the words config.yml and the TypeScript API use.
 * Formats JSON Schema cannot say (a SIP server, a time zone, ...) are checked by the service, with the same rule.
 */
import { Type, type TUnsafe } from '@sinclair/typebox';
import type { FieldRule } from '../../model/field-rules';

/** The annotation keyword carrying a rule's expected sentence (registered with ajv in src/api/validation.ts). */
export const EXPECTED_KEYWORD = 'x-expected';
/** Marks a secret reference's schema: the error handler then says SECRET_NOT_SHOWN, never the value. */
export const SECRET_KEYWORD = 'x-secret';

type StaticOf<R extends FieldRule> = R extends { kind: 'number' }
  ? number
  : R extends { kind: 'boolean' }
    ? boolean
    : R extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : R extends { kind: 'list'; items: infer I extends FieldRule }
        ? StaticOf<I>[]
        : string;

function jsonSchema(rule: FieldRule): Record<string, unknown> {
  const common = {
    [EXPECTED_KEYWORD]: rule.expected,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
  };
  switch (rule.kind) {
    case 'number':
      return {
        type: rule.integer ? 'integer' : 'number',
        ...(rule.min !== undefined ? { minimum: rule.min } : {}),
        ...(rule.above !== undefined ? { exclusiveMinimum: rule.above } : {}),
        ...(rule.max !== undefined ? { maximum: rule.max } : {}),
        ...common,
      };
    case 'boolean':
      return { type: 'boolean', ...common };
    case 'enum':
      return { type: 'string', enum: [...rule.values], ...common };
    case 'string':
      return {
        type: 'string',
        minLength: 1,
        ...(rule.maxLength !== undefined ? { maxLength: rule.maxLength } : {}),
        // Never only white space, as checkField says; a rule's own pattern implies it.
        pattern: rule.pattern?.source ?? '\\S',
        ...(rule.secret ? { [SECRET_KEYWORD]: true } : {}),
        ...common,
      };
    case 'list':
      return {
        type: 'array',
        items: jsonSchema(rule.items),
        ...(rule.minItems !== undefined ? { minItems: rule.minItems } : {}),
        ...(rule.maxItems !== undefined ? { maxItems: rule.maxItems } : {}),
        ...(rule.unique ? { uniqueItems: true } : {}),
        ...common,
      };
  }
}

/** The schema of a value under `rule`; `description` replaces the rule's own in the OpenAPI document. */
export function fieldSchema<R extends FieldRule>(rule: R, description?: string): TUnsafe<StaticOf<R>> {
  return Type.Unsafe<StaticOf<R>>({
    ...jsonSchema(rule),
    ...(description !== undefined ? { description } : {}),
  });
}
