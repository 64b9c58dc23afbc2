import type { ErrorTable } from './catalogue';

/**
 * Error codes of the GeographicRedundancy service (src/geo), the TypeScript API the REST API wraps.
 * Codes start with GEO_; document each in docs/errors.md.
 */
export const GEO_ERRORS = {
  GEO_UNKNOWN_REGION: { message: 'no region named {region}', http: 404 },
  GEO_REGION_EXISTS: { message: 'a region named {region} already exists', http: 409 },
  GEO_REGION_FROM_CONFIG: {
    message: 'region {region} comes from the config file ({source}); change it there, not through the API',
    http: 409,
  },
  GEO_BAD_REGION: { message: 'region {field}: found {found}, expected {expected}', http: 400 },
  GEO_BAD_SETTING: { message: '{setting}: found {found}, expected {expected}', http: 400 },
  GEO_UNKNOWN_SCHEDULED_FAILOVER: { message: 'no scheduled failover with id {id}', http: 404 },
  GEO_SCHEDULED_FAILOVER_OVER: {
    message: 'scheduled failover {id} is {status} and can no longer be cancelled',
    http: 409,
  },
  GEO_SCHEDULED_FAILOVER_IN_PAST: {
    message:
      '{setting}: the window {start} + {duration} s ended at {end}, before now ({now}); schedule a window that ends in the future',
    http: 400,
  },
  GEO_UNKNOWN_FAILBACK: { message: 'no failback approval request with id {id}', http: 404 },
  GEO_FAILBACK_DECIDED: { message: 'failback request {id} was already {decision}', http: 409 },
  GEO_DISABLED: {
    message:
      'geographic redundancy is disabled (features.geographic_redundancy.enabled: false in {source}): {action} is not done; calls go to regions by priority alone',
    http: 409,
  },
  GEO_NOT_RUNNING: { message: 'the geographic redundancy service is {state}', http: 503 },
} as const satisfies ErrorTable;
