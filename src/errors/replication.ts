import type { ErrorTable } from './catalogue';

/**
 * Error codes of data replication (src/replication): PostgreSQL logical replication between the regions'
 * databases, CDR replication, data residency and GDPR mode. Codes start with REPLICATION_; document each
 * in docs/errors.md. No message ever carries a database password.
 */
export const REPLICATION_ERRORS = {
  REPLICATION_BAD_SETTING: { message: '{setting}: found {found}, expected {expected}', http: 400 },
  REPLICATION_TABLE_REFUSED: {
    message: 'cannot replicate {count} table(s), nothing was changed: {details}',
    http: 409,
  },
  REPLICATION_BIDIRECTIONAL_UNSUPPORTED: {
    message:
      "bidirectional replication needs PostgreSQL 16 or later (subscriptions with origin = none, so a change is not sent back where it came from); {region}'s database runs PostgreSQL {version}",
    http: 409,
  },
  REPLICATION_RESIDENCY_VIOLATION: {
    message: '{what} would move {data_types} of {region} to {target}, which breaks the rule {rule}',
    http: 409,
  },
  REPLICATION_NO_DATABASE: {
    message: 'region {region} has no database (regions[].database), which {what} needs',
    http: 409,
  },
  REPLICATION_WAL_LEVEL: {
    message: "{region}'s database has wal_level = {found}; logical replication needs wal_level = logical",
    http: 409,
  },
  REPLICATION_GDPR_NOT_ENABLED: {
    message: 'no region is in GDPR mode: {what} needs enable_gdpr_compliance first',
    http: 409,
  },
  REPLICATION_NOT_LEADER: {
    message:
      'this geored instance does not run replication (the probe leader does); {what} must be sent to the leader',
    http: 409,
  },
} as const satisfies ErrorTable;
