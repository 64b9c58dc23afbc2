import type { ErrorTable } from './catalogue';

/** Error codes of the routing domain. Codes start with ROUTING_; document each in docs/errors.md. */
export const ROUTING_ERRORS = {
  ROUTING_BAD_TIME_RANGE: {
    message: '{setting}: found {found}, expected {expected}',
    http: 400,
  },
} as const satisfies ErrorTable;
