import type { ErrorTable } from './catalogue';

/** Error codes of the failover domain. Codes start with FAILOVER_; document each in docs/errors.md. */
export const FAILOVER_ERRORS = {
  FAILOVER_UNKNOWN_REGION: { message: 'no region named {region}', http: 404 },
  FAILOVER_ALREADY_ACTIVE: { message: '{region} is already the active region', http: 409 },
  FAILOVER_TARGET_NOT_ELIGIBLE: {
    message: 'cannot fail over to {region}: it is {state}; pass force to fail over anyway',
    http: 409,
  },
} as const satisfies ErrorTable;
