import type { ErrorTable } from './catalogue';

/**
 * Error codes of the store domain. Codes start with STORE_; document each in docs/errors.md.
 * Every `{url}` placeholder is filled with a redacted URL (src/store/url.ts), never one with a password.
 */
export const STORE_ERRORS = {
  STORE_BAD_URL: {
    message: 'store URL {url} is not understood: expected sqlite:PATH, sqlite::memory: or postgres://…',
  },
  STORE_CONNECT_FAILED: { message: 'cannot open the store at {url}: {reason}', http: 503 },
  STORE_MIGRATION_FAILED: {
    message: 'store migration {version} ({name}) failed on {url}: {reason}',
    http: 503,
  },
  STORE_SCHEMA_TOO_NEW: {
    message: 'the store at {url} has schema version {found}; this geored knows versions up to {known}',
    http: 503,
  },
  STORE_BAD_MIGRATION_TARGET: { message: 'cannot migrate to schema version {target}: known are 0..{known}' },
  STORE_INVALID_ROW: { message: 'invalid {table} record: {field} {problem}', http: 400 },
  STORE_QUERY_FAILED: { message: 'store {operation} failed: {reason}', http: 500 },
  STORE_CLOSED: { message: 'the store is closed', http: 503 },
  STORE_SCHEDULED_FAILOVER_NOT_FOUND: { message: 'scheduled failover {id} does not exist', http: 404 },
  STORE_SCHEDULED_FAILOVER_TRANSITION: {
    message: 'scheduled failover {id} is {from} and cannot become {to}',
    http: 409,
  },
  STORE_FAILBACK_APPROVAL_NOT_FOUND: { message: 'failback approval {id} does not exist', http: 404 },
  STORE_FAILBACK_APPROVAL_DECIDED: { message: 'failback approval {id} was already {decision}', http: 409 },
} as const satisfies ErrorTable;
