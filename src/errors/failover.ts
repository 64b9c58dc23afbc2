import type { ErrorTable } from './catalogue';

/** Error codes of the failover domain. Codes start with FAILOVER_; document each in docs/errors.md. */
export const FAILOVER_ERRORS = {} as const satisfies ErrorTable;
