import type { ErrorTable } from './catalogue';

/**
 * Error codes of the api domain (src/api, the REST API). Codes start with API_; document each in
 * docs/errors.md. Errors from the service keep their own codes (GEO_, FAILOVER_, …) and HTTP status; these
 * are the ones the HTTP layer itself raises. No message ever carries a token.
 */
export const API_ERRORS = {
  API_VALIDATION: { message: '{where}: {detail}', http: 400 },
  API_BAD_JSON: { message: 'the request body is not valid JSON: {detail}', http: 400 },
  API_BAD_REQUEST: { message: 'bad request: {detail}', http: 400 },
  API_UNAUTHORIZED: {
    message: 'missing or invalid bearer token: send Authorization: Bearer <token>',
    http: 401,
  },
  API_FORBIDDEN: { message: 'token {name} is read-only; {method} {route} needs an admin token', http: 403 },
  API_NOT_FOUND: { message: 'no route {method} {url}', http: 404 },
  API_UNKNOWN_REGION: { message: 'no region named {region}', http: 404 },
  API_NO_ACTIVE_REGION: {
    message: 'no region is active (none is registered, or none was ever eligible)',
    http: 404,
  },
  API_BODY_TOO_LARGE: { message: 'the request body is larger than {limit} bytes', http: 413 },
  API_UNSUPPORTED_MEDIA_TYPE: {
    message: 'unsupported content type {type}; send application/json',
    http: 415,
  },
  API_NOT_READY: { message: 'not ready: {detail}', http: 503 },
  API_INTERNAL: { message: 'internal error (request {request_id}); the log has the details', http: 500 },
} as const satisfies ErrorTable;

export type ApiErrorCode = keyof typeof API_ERRORS;
