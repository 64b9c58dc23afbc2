import type { ErrorTable } from './catalogue';

/** Error codes of the health domain. Codes start with HEALTH_; document each in docs/errors.md. */
export const HEALTH_ERRORS = {
  HEALTH_SIMULATION_TOO_SHORT: {
    message: 'a simulated failure of {region} must end after it starts (until {until} is not after {now})',
    http: 400,
  },
} as const satisfies ErrorTable;
