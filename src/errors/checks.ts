import type { ErrorTable } from './catalogue';

/**
 * Error codes of the health-check methods and the probe monitor (src/health/checks, src/health/monitor.ts).
 * Codes start with CHECK_; document each in docs/errors.md.
 */
export const CHECK_ERRORS = {
  CHECK_UNKNOWN_METHOD: {
    message: 'no health-check method named {name}; known methods: {known}',
    http: 400,
  },
  CHECK_BUILTIN_NAME: {
    message: '{name} is a built-in health-check method and cannot be replaced',
    http: 409,
  },
  CHECK_NOT_TTL: {
    message: 'health check {name} is not a TTL check; TTL checks: {known}',
    http: 404,
  },
  CHECK_BAD_TTL_STATUS: {
    message: 'a TTL push status must be pass, warn or fail, not {status}',
    http: 400,
  },
  CHECK_UNKNOWN_REGION: { message: 'health monitoring knows no region named {region}', http: 404 },
  CHECK_REGION_EXISTS: { message: 'health monitoring already has a region named {region}', http: 409 },
} as const satisfies ErrorTable;
