/**
 * Every error the API answers is JSON `{"error": {"code", "message", "field"?}}`: validation errors name the
 * field, GeoredErrors from the service keep their code and map to their `http` status, and anything
 * unexpected is a 500 whose details go to the log, not to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ERRORS } from '../errors/api';
import { GeoredError, errorFactory } from '../errors/catalogue';
import { SECRET_NOT_SHOWN } from '../model/field-rules';
import { EXPECTED_KEYWORD, SECRET_KEYWORD } from './schemas/field-schema';

export const apiError = errorFactory(API_ERRORS);

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

interface AjvIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  /** Set on errors of a `propertyNames` schema: the key at fault. */
  propertyName?: string;
  /** With ajv's verbose option: the schema that failed and the value it was given. */
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

const LOCATION: Record<string, string> = {
  body: 'body',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

/** `/weights/us-east-1` → `weights.us-east-1`, `/capabilities/0` → `capabilities[0]`. */
function pathOf(instancePath: string, extra?: unknown): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (typeof extra === 'string') parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** The field an ajv error is about: the missing or unexpected property, else the value's path. */
export function fieldOf(issue: AjvIssue, context: string): string {
  const extra =
    issue.keyword === 'required'
      ? issue.params['missingProperty']
      : issue.keyword === 'additionalProperties'
        ? issue.params['additionalProperty']
        : (issue.propertyName ?? issue.params['propertyName']);
  return pathOf(issue.instancePath, extra) || context;
}

/** The expected sentence of the field rule the schema was generated from (src/model/field-rules.ts). */
function expectedOf(issue: AjvIssue): string | undefined {
  const schema = issue.parentSchema;
  if (!schema) return undefined;
  if (issue.keyword === 'required') {
    const props = schema['properties'] as Record<string, Record<string, unknown>> | undefined;
    const missing = props?.[String(issue.params['missingProperty'])];
    const expected = missing?.[EXPECTED_KEYWORD];
    return typeof expected === 'string' ? expected : undefined;
  }
  if (issue.keyword === 'additionalProperties' || issue.keyword === 'propertyNames') return undefined;
  const expected = schema[EXPECTED_KEYWORD];
  return typeof expected === 'string' ? expected : undefined;
}

/** A value as the TypeScript API and config.yml show it in `found …`. */
function shown(v: unknown): string {
  return v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
}

function detailOf(issue: AjvIssue): string {
  const expected = expectedOf(issue);
  if (expected !== undefined) {
    const found =
      issue.keyword === 'required'
        ? 'nothing'
        : issue.parentSchema?.[SECRET_KEYWORD] === true
          ? SECRET_NOT_SHOWN
          : shown(issue.propertyName ?? issue.data);
    return `found ${found}, expected ${expected}`;
  }
  if (issue.keyword === 'additionalProperties') return 'is not a known property';
  if (issue.keyword === 'required') return 'is required';
  if (issue.keyword === 'enum') {
    const allowed = issue.params['allowedValues'];
    return `must be one of ${Array.isArray(allowed) ? allowed.map((v) => JSON.stringify(v)).join(', ') : '?'}`;
  }
  return issue.message ?? issue.keyword;
}

function send(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** The field a service error names: region checks say `field`, settings checks `setting`. */
function paramField(err: GeoredError): string | undefined {
  for (const key of ['field', 'setting']) if (typeof err.params[key] === 'string') return err.params[key];
  return undefined;
}

function bodyOf(err: GeoredError, field?: string): ErrorBody {
  const f = field ?? paramField(err);
  return { error: { code: err.code, message: err.message, ...(f !== undefined ? { field: f } : {}) } };
}

/** Maps fastify's own errors (parsing, limits) to our codes. */
function fromFastify(err: FastifyError): { err: GeoredError; field?: string } | null {
  if (err.validation && err.validation.length > 0) {
    const issue = err.validation[0] as unknown as AjvIssue;
    const context = err.validationContext ?? 'body';
    const field = fieldOf(issue, context);
    const location = LOCATION[context] ?? context;
    const where = field === context ? location : `${location} ${field}`;
    return { err: apiError('API_VALIDATION', { where, field, detail: detailOf(issue) }), field };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { err: apiError('API_BAD_JSON', { detail: err.message }), field: 'body' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { err: apiError('API_BODY_TOO_LARGE', { limit: BODY_LIMIT }) };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { err: apiError('API_UNSUPPORTED_MEDIA_TYPE', { type: 'of the request' }) };
  }
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return { err: apiError('API_BAD_JSON', { detail: err.message }), field: 'body' };
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return { err: apiError('API_BAD_REQUEST', { detail: err.message }) };
  }
  return null;
}

/** Bodies are small JSON documents; 64 KiB is generous and bounds what one request can make us parse. */
export const BODY_LIMIT = 64 * 1024;

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof GeoredError) {
      const status = error.http ?? 500;
      // "Not ready" is /readyz's answer, not a failure: whatever is down logs itself once (the store, live
      // state), and /readyz needs no token, so logging each answer would let any poller set our error rate.
      if (status >= 500 && error.code !== 'API_NOT_READY') req.log.error({ err: error }, 'request failed');
      return send(reply, status, bodyOf(error));
    }
    const mapped = fromFastify(error);
    if (mapped) return send(reply, mapped.err.http ?? 400, bodyOf(mapped.err, mapped.field));
    req.log.error({ err: error }, 'request failed');
    return send(reply, 500, bodyOf(apiError('API_INTERNAL', { request_id: req.id })));
  });

  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) =>
    send(reply, 404, bodyOf(apiError('API_NOT_FOUND', { method: req.method, url: req.url.split('?')[0] }))),
  );
}
