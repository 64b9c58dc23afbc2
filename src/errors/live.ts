import type { ErrorTable } from './catalogue';

/** Error codes of the live-state domain (src/live). Codes start with LIVE_; document each in docs/errors.md. */
export const LIVE_ERRORS = {
  LIVE_VERSION_CONFLICT: {
    message: '{what} changed meanwhile: expected version {expected}, found {actual}',
    http: 409,
  },
  LIVE_CLOSED: { message: 'live state is closed; {operation} refused', http: 503 },
  LIVE_BAD_REDIS_URL: { message: 'redis URL {url} is not valid: {detail}', http: 400 },
  LIVE_REDIS_REFUSED: { message: 'Redis refused {operation}: {detail}', http: 500 },
  LIVE_BAD_COUNT: { message: 'counter {name} can only change by a safe integer, not {by}', http: 400 },
  LIVE_BAD_NAME: { message: '{what} name {name} is not valid: {detail}', http: 400 },
} as const satisfies ErrorTable;
