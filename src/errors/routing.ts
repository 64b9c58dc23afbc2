import type { ErrorTable } from './catalogue';

/** Error codes of the routing domain. Codes start with ROUTING_; document each in docs/errors.md. */
export const ROUTING_ERRORS = {
  ROUTING_BAD_TIME_RANGE: {
    message:
      "time range '{range}' is not HH:MM-HH:MM with 00:00 <= start < 24:00, end <= 24:00 and start != end",
    http: 400,
  },
} as const satisfies ErrorTable;
