import type { ErrorTable } from './catalogue';

/** Error codes of the health domain. Codes start with HEALTH_; document each in docs/errors.md. */
export const HEALTH_ERRORS = {} as const satisfies ErrorTable;
