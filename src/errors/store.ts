import type { ErrorTable } from './catalogue';

/** Error codes of the store domain. Codes start with STORE_; document each in docs/errors.md. */
export const STORE_ERRORS = {} as const satisfies ErrorTable;
